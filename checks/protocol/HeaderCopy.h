//===--- HeaderCopy.h - What a loop over HTTP fields does with them -*- C++ -*-===//

#ifndef ERRORSHIELD_PROTOCOL_HEADERCOPY_H
#define ERRORSHIELD_PROTOCOL_HEADERCOPY_H

#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace clang::tidy::errorshield::http {

/// The declaration an object expression is rooted at: a variable (`req`, `req.base()`), or a data
/// member reached through `this` (`req_`).
const Decl *rootDecl(const Expr *E);


/// What the conditions of a loop body decide about the field \p Var.
struct SkipConditions {
  std::set<std::string> Names; ///< Header names compared with, normalized ("transfer-encoding").
  bool AsksHelper = false;     ///< A condition hands the field to a function that decides.
};

/// Collects the conditions (if, ?:, loops, switch and its case labels) in \p Body that look at
/// \p Var. A call that takes the field (or part of it) and is not one of \p ComparisonFunctions
/// counts as asking a helper.
SkipConditions skipConditions(const Stmt *Body, const VarDecl *Var,
                              const std::vector<std::string> &ComparisonFunctions);

/// The loop's field \p Var and the locals of \p Body initialized from it
/// (`std::string name(f.name_string());`).
llvm::SmallVector<const VarDecl *, 4> fieldVariables(const Stmt *Body, const VarDecl *Var);

/// The header names an allow-list lets through to \p Copy: when \p Copy is in the then-branch of
/// an `if` in \p Body whose condition only compares the field with names, ORed together
/// (`if (f.name() == field::authorization || f.name() == field::content_type) out.set(...)`).
/// Nothing when no such `if` encloses the copy.
std::optional<std::set<std::string>>
allowListedNames(const Stmt *Body, const Stmt *Copy, llvm::ArrayRef<const VarDecl *> Vars,
                 const std::vector<std::string> &ComparisonFunctions);

/// The normalized header name \p E spells: `http::field::upgrade`, `"Upgrade"`; empty otherwise.
std::string headerName(const Expr *E);

/// "Transfer-Encoding", "transfer_encoding" -> "transfer-encoding".
std::string normalizedHeader(llvm::StringRef Name);

/// \p Value contains a string literal with one of \p Tokens, written in place or in a constant it
/// names (`constexpr std::string_view kH2cToken = "h2c";`), a few constants deep.
bool spellsToken(const Stmt *Value, const std::vector<std::string> &Tokens, const ASTContext &Ctx,
                 unsigned Depth = 2);

} // namespace clang::tidy::errorshield::http

#endif // ERRORSHIELD_PROTOCOL_HEADERCOPY_H
