//===--- Matchers.h - AST matchers shared by ErrorShield checks --*- C++ -*-===//

#ifndef ERRORSHIELD_CORE_MATCHERS_H
#define ERRORSHIELD_CORE_MATCHERS_H

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clang::tidy::errorshield {

/// Strips what stands between a value and the expression that produced it: implicit casts,
/// temporaries, parentheses, and the copy/move/converting constructor that turns a lambda into a
/// by-value parameter or a std::function.
const Expr *stripConversions(const Expr *E);

/// The variable an expression designates, looking through member access and subscripts:
/// `a.b[i].c` -> a. Null when the root is not a variable (e.g. `this->x`, a call result).
const VarDecl *rootVariable(const Expr *E);

/// The target and the assigned value of \p S when it is an assignment: a built-in one (`x = v`,
/// `n += v`) or an overloaded `operator=` (`s = std::move(v)`). None for anything else.
std::optional<std::pair<const Expr *, const Expr *>> assignmentParts(const Stmt *S);

/// The operands of an equality comparison \p S, built-in or overloaded (`a == b`, `ec != x`).
struct Comparison {
  const Expr *LHS;
  const Expr *RHS;
  bool Equal; ///< `==` rather than `!=`.
};
/// None when \p S is not `==` or `!=`.
std::optional<Comparison> equalityParts(const Stmt *S);

/// Like assignmentParts(), but only for a plain store (`x = v`, `s = std::move(v)`): a compound
/// assignment (`n += v`) also reads its target, so it neither stores a known value nor drops the
/// old one.
std::optional<std::pair<const Expr *, const Expr *>> storeParts(const Stmt *S);

/// True when the object an expression designates outlives the current function call: a data member
/// (`this->x`, `x_`), a global or static, or anything reached through a reference or pointer
/// parameter.
bool designatesLongLivedObject(const Expr *E);

/// The first statement of the tree under \p Root (\p Root included, depth-first preorder) for
/// which \p Matches holds; subtrees whose root satisfies \p Prune are neither matched nor entered.
/// Null when there is none, or when \p Root is null.
const Stmt *findDescendant(const Stmt *Root, llvm::function_ref<bool(const Stmt *)> Matches,
                           llvm::function_ref<bool(const Stmt *)> Prune = nullptr);

/// Calls \p Visit on every statement of the tree under \p Root.
inline void forEachDescendant(const Stmt *Root, llvm::function_ref<void(const Stmt *)> Visit) {
  findDescendant(Root, [&](const Stmt *S) {
    Visit(S);
    return false;
  });
}

/// True when \p S is \p Root or lies under it.
bool contains(const Stmt *Root, const Stmt *S);
/// True when \p A and \p B are on the two branches of one `if` in \p Body: one never runs after
/// the other (`if (!tls) { req.set(field::upgrade, "h2c"); } else { http::write(tls, req); }`).
bool onExclusiveBranches(const Stmt *Body, const Stmt *A, const Stmt *B);
/// True when the expansion range of \p S contains the expansion of \p Loc. Compared by location,
/// so that code found in two instantiations of one template is placed alike.
bool spansLocation(const Stmt *S, SourceLocation Loc, const SourceManager &SM);

/// True when \p S (lambda bodies and captures included) names \p D.
bool refersTo(const Stmt *S, const ValueDecl *D);
/// True when \p S names one of \p Vars, or a structured binding of one (`sock` of
/// `auto [ec, sock] = ...`).
bool refersToAny(const Stmt *S, llvm::ArrayRef<const VarDecl *> Vars);

/// True when \p E is (part of) the operand of co_await / co_yield: the coroutine resumes after it.
bool isAwaited(const Expr *E, ASTContext &Ctx);

/// Code inside \p S that runs elsewhere or later: a lambda or block spelled in a function body.
inline bool isNestedCode(const Stmt *S) { return isa<LambdaExpr>(S) || isa<BlockExpr>(S); }

/// True for for, range-for, while and do statements.
inline bool isLoop(const Stmt *S) {
  return isa<ForStmt>(S) || isa<CXXForRangeStmt>(S) || isa<WhileStmt>(S) || isa<DoStmt>(S);
}

/// The condition of an if, while, do or for statement or of a conditional operator, or null.
const Expr *conditionOf(const Stmt *S);

/// The body of the function that contains \p S, looked up through the parent map: the innermost
/// lambda's body when \p StopAtLambdas, else the body of the function that spells the lambda.
const Stmt *enclosingFunctionBody(const Stmt *S, ASTContext &Ctx, bool StopAtLambdas);

/// The function whose body contains \p S, looked up through the parent map. With
/// \p StopAtLambdas, null when a lambda comes first (code of a lambda is not the named function's);
/// otherwise the function that spells the lambda.
const FunctionDecl *enclosingFunctionDecl(const Stmt *S, ASTContext &Ctx, bool StopAtLambdas);

/// The innermost lambda whose body holds \p S, within the function that spells it; null if none.
const LambdaExpr *enclosingLambda(const Stmt *S, ASTContext &Ctx);

/// The innermost loop statement around \p S, reached through statements only: null when a lambda
/// (whose body runs elsewhere) or a declaration comes first.
const Stmt *enclosingLoopStatement(const Stmt *S, ASTContext &Ctx);

/// The statements the author wrote in a function body: a coroutine's own body, not the promise's
/// machinery around it; any other body as it is.
const Stmt *writtenBody(const Stmt *Body);

/// Every call of \p F in the translation unit of \p Ctx, whose callee is that very declaration
/// (for a template: calls of that instantiation). Walks the whole translation unit: call it at
/// the end of the translation unit, for the few functions that need it.
std::vector<const CallExpr *> callsOf(const FunctionDecl *F, ASTContext &Ctx);

/// \p E as spelled in the source.
std::string spelledText(const Expr *E, const ASTContext &Ctx);

/// The node above \p E, looking through the implicit nodes that wrap an argument passed by value
/// (casts, temporaries, a conversion by constructor, parentheses, cleanups): the call a lambda is
/// handed to, the variable a call's result initialises.
DynTypedNode parentThroughWrappers(const Expr *E, ASTContext &Ctx);

/// The variable or data member \p E names, conversions aside: `x`, `x_`, `self->x_`; or null.
const ValueDecl *declNamedBy(const Expr *E);

/// The local references in \p Body bound to \p Target itself (`auto &who = order;`): other names
/// for the same object.
llvm::SmallPtrSet<const VarDecl *, 2> localAliasesOf(const Stmt *Body, const ValueDecl *Target);

/// The definitions, in this translation unit, of \p Record's member functions that have a body.
std::vector<const FunctionDecl *> definedMethods(const CXXRecordDecl *Record);

/// The lambdas a class stores in its data member \p Field (a callable such as std::function):
/// assigned in a member function (`on_link = [](tcp::socket s) {...};`) or given in a
/// constructor's initializer list.
llvm::SmallVector<const LambdaExpr *, 2> lambdasStoredIn(const FieldDecl *Field);

/// True when \p T (references stripped) is a class whose qualified name is one of \p Names
/// (a leading "::" in a name is ignored; a name without "::" matches in any namespace).
bool isNamedRecord(QualType T, const std::vector<std::string> &Names);
bool isNamedRecord(const CXXRecordDecl *Record, const std::vector<std::string> &Names);

/// True when \p D's name, qualified by its enclosing namespaces and classes, ends with one of
/// \p Names ("basic_json::parse" and "nlohmann::basic_json::parse" both name
/// nlohmann::json_abi_v3_11_2::basic_json<...>::parse; a leading "::" anchors at the global
/// namespace). Inline namespaces are skipped and a template specialization is named by its
/// template, which hasAnyName does not do for members of class template specializations.
bool hasListedQualifiedName(const NamedDecl *D, const std::vector<std::string> &Names);

namespace matchers {
using namespace ast_matchers;

/// hasAnyName over a list read from the catalog or options.
inline ast_matchers::internal::Matcher<NamedDecl> hasAnyListedName(const std::vector<std::string> &Names) {
  std::vector<StringRef> Refs(Names.begin(), Names.end());
  return hasAnyName(ArrayRef<StringRef>(Refs)); // the matcher copies the names
}

AST_MATCHER_P(Expr, ignoringConversions, ast_matchers::internal::Matcher<Expr>, Inner) {
  return Inner.matches(*stripConversions(&Node), Finder, Builder);
}

/// A function whose unqualified name starts with \p Prefix (e.g. Asio's initiating "async_").
AST_MATCHER_P(NamedDecl, hasNamePrefix, std::string, Prefix) {
  const IdentifierInfo *II = Node.getIdentifier();
  return II && !Prefix.empty() && II->getName().starts_with(Prefix);
}

AST_MATCHER_P(NamedDecl, hasListedQualifiedName, std::vector<std::string>, Names) {
  return errorshield::hasListedQualifiedName(&Node, Names);
}

AST_MATCHER(Expr, designatesLongLivedObject) {
  return errorshield::designatesLongLivedObject(&Node);
}

} // namespace matchers
} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_CORE_MATCHERS_H
