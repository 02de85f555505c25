//===--- ScopeAnalysis.h - When does deferred code run? ---------*- C++ -*-===//
//
// Questions errorshield-deferred-ref-capture asks about the code around a lambda: where a variable's
// scope ends, whether it is written after a point, whether a thread or future is joined or escapes.
// They only look inside one function body, which is all a clang-tidy matcher callback can see.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_LIFETIME_SCOPEANALYSIS_H
#define ERRORSHIELD_LIFETIME_SCOPEANALYSIS_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/ASTTypeTraits.h"
#include "clang/AST/ExprCXX.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// The nearest parent of \p E that is more than a wrapper stripConversions() looks through: the
/// statement or declaration that uses the value (a VarDecl for an initializer). Empty at the root.
DynTypedNode parentIgnoringConversions(const Expr *E, ASTContext &Ctx);

/// The statement at whose end \p Var is destroyed: its enclosing compound statement, or the
/// function body for a parameter.
const Stmt *scopeOf(const VarDecl *Var, ASTContext &Ctx);

/// The first statement, after the statement containing \p Point and still inside the compound
/// statement that directly holds it, that modifies \p Var; null when there is none.
const Stmt *firstModificationAfter(const VarDecl *Var, const Stmt *Point, ASTContext &Ctx);

/// The first modification of \p Var inside \p S, outside lambdas that merely capture it.
const Stmt *firstModificationWithin(const Stmt *S, const VarDecl *Var, ASTContext &Ctx);

/// A call `x.M()` with M in \p Methods, located after \p After inside \p Var's scope, where x is
/// \p Var, an element of it (`v[i]`, `v.back()`), or the variable of a range-for over it.
const CXXMemberCallExpr *findMemberCallOn(const VarDecl *Var,
                                          const std::vector<std::string> &Methods,
                                          SourceLocation After, ASTContext &Ctx);

/// A call `c.M()` with M in \p Methods on a local object whose type is one of \p ContextTypes, made
/// inside \p Scope after \p After: the execution context is run (and its handlers complete) there.
const CXXMemberCallExpr *findContextRun(const Stmt *Scope,
                                        const std::vector<std::string> &ContextTypes,
                                        const std::vector<std::string> &Methods,
                                        SourceLocation After, ASTContext &Ctx);

/// The first write of data member \p Field of `this` (`=`, `+=`, `++`...) in \p Body, outside
/// \p Except; null when there is none.
const Stmt *findMemberWrite(const Stmt *Body, const FieldDecl *Field, const Stmt *Except);

/// True when \p Var's type, with references and cv-qualifiers removed, can be copied: the
/// condition for rewriting a by-reference capture as a by-value one.
bool isCopyable(const VarDecl *Var);

/// True when the lambda's body modifies the captured \p Var (a by-value capture would not compile
/// or would change meaning).
bool lambdaModifies(const LambdaExpr *Lambda, const VarDecl *Var, ASTContext &Ctx);

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_LIFETIME_SCOPEANALYSIS_H
