//===--- FrameTypeGuard.cpp - What a got_text() check covers --------------===//

#include "websocket/FrameTypeGuard.h"
#include "core/Matchers.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include <optional>

namespace clang::tidy::errorshield::ws {
namespace {

/// The answer \p Cond gives when true: text, binary, or nothing known (not a direct query).
std::optional<bool> saysTextWhenTrue(const Expr *Cond, llvm::ArrayRef<const CallExpr *> Queries) {
  bool Negated = false;
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *Not = dyn_cast<UnaryOperator>(Cond); Not && Not->getOpcode() == UO_LNot) {
    Negated = true;
    Cond = Not->getSubExpr()->IgnoreParenImpCasts();
  }
  const auto *Query = dyn_cast<CXXMemberCallExpr>(Cond);
  if (!Query || !llvm::is_contained(Queries, Query) || !Query->getMethodDecl())
    return std::nullopt;
  const bool AsksText = Query->getMethodDecl()->getName().contains("text");
  return AsksText != Negated;
}

/// \p S ends by leaving: return, continue, break, throw, co_return.
bool leaves(const Stmt *S) {
  if (const auto *Block = dyn_cast_or_null<CompoundStmt>(S))
    S = Block->body_empty() ? nullptr : Block->body_back();
  if (const auto *Cleanups = dyn_cast_or_null<ExprWithCleanups>(S))
    S = Cleanups->getSubExpr();
  return S && (isa<ReturnStmt, ContinueStmt, BreakStmt, CoreturnStmt, CXXThrowExpr>(S));
}

} // namespace

FrameAtParse frameAtParse(const CallExpr *Parse, llvm::ArrayRef<const CallExpr *> Queries,
                          ASTContext &Ctx) {
  if (Queries.empty())
    return FrameAtParse::NotJudged;
  // Every query must be asked in a condition of its own; a kept answer is not followed.
  for (const CallExpr *Query : Queries) {
    DynTypedNodeList Parents = Ctx.getParents(*Query);
    while (!Parents.empty() && (Parents[0].get<ImplicitCastExpr>() || Parents[0].get<ParenExpr>() ||
                                Parents[0].get<UnaryOperator>()))
      Parents = Ctx.getParents(Parents[0]);
    const auto *If = Parents.empty() ? nullptr : Parents[0].get<IfStmt>();
    if (!If || !saysTextWhenTrue(If->getCond(), Queries))
      return FrameAtParse::NotJudged;
  }
  // An `if` around the parse that asks.
  const Stmt *Child = Parse;
  for (DynTypedNodeList Parents = Ctx.getParents(*Parse); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    if (Parents[0].get<FunctionDecl>() || Parents[0].get<LambdaExpr>())
      break;
    if (const auto *If = Parents[0].get<IfStmt>()) {
      if (std::optional<bool> Text = saysTextWhenTrue(If->getCond(), Queries)) {
        if (If->getThen() == Child)
          return *Text ? FrameAtParse::Text : FrameAtParse::Binary;
        if (If->getElse() == Child)
          return *Text ? FrameAtParse::Binary : FrameAtParse::Text;
      }
    }
    // An earlier statement of an enclosing block that leaves unless the frame is text.
    if (const auto *Block = Parents[0].get<CompoundStmt>())
      for (const Stmt *Earlier : Block->body()) {
        if (Earlier == Child)
          break;
        const auto *If = dyn_cast<IfStmt>(Earlier);
        std::optional<bool> Text = If ? saysTextWhenTrue(If->getCond(), Queries) : std::nullopt;
        if (Text && !*Text && leaves(If->getThen()))
          return FrameAtParse::Text;
      }
    if (const auto *Parent = Parents[0].get<Stmt>())
      Child = Parent; // through a declaration (`json j = parse(...)`) to its DeclStmt
  }
  return FrameAtParse::Unguarded;
}

} // namespace clang::tidy::errorshield::ws
