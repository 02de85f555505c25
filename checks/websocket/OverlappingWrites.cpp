//===--- OverlappingWrites.cpp - Two writes of one stream in one function --===//

#include "websocket/OverlappingWrites.h"
#include "core/Matchers.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/Analysis/Analyses/CFGReachabilityAnalysis.h"
#include "clang/Analysis/CFG.h"
#include "clang/Analysis/CFGStmtMap.h"
#include "clang/Lex/Lexer.h"

namespace clang::tidy::errorshield::ws {
namespace {

/// What tells two writes' streams apart: the variable a plain name refers to, else the
/// expression's spelling without blanks and without a leading `this->`.
std::string streamKey(const Expr *Object, ASTContext &Ctx) {
  Object = Object->IgnoreParenImpCasts();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(Object))
    return "decl:" + std::to_string(reinterpret_cast<uintptr_t>(Ref->getDecl()->getCanonicalDecl()));
  const SourceManager &SM = Ctx.getSourceManager();
  std::string Text =
      Lexer::getSourceText(CharSourceRange::getTokenRange(Object->getSourceRange()), SM,
                           Ctx.getLangOpts())
          .str();
  llvm::erase_if(Text, [](char C) { return std::isspace(static_cast<unsigned char>(C)); });
  if (StringRef(Text).starts_with("this->"))
    Text.erase(0, 6);
  return Text;
}

/// The operator `&&` / `||` of awaitables (an overloaded operator call: built-in ones act on
/// bools, not operations) that \p Call is an operand of, below the co_await; or null.
const CXXOperatorCallExpr *parallelGroupOf(const CallExpr *Call, ASTContext &Ctx) {
  const CXXOperatorCallExpr *Group = nullptr;
  for (DynTypedNodeList Parents = Ctx.getParents(*Call); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    const Stmt *S = Parents[0].get<Stmt>();
    if (!S || isa<CoawaitExpr, CompoundStmt, LambdaExpr>(S) || !isa<Expr>(S))
      break;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
        Op && (Op->getOperator() == OO_AmpAmp || Op->getOperator() == OO_PipePipe))
      Group = Op; // The outermost: `a && b && c` nests.
  }
  return Group;
}

/// The statements of a function body that clang's CFG can start from: a coroutine's own body.
Stmt *cfgRoot(const Stmt *Body) {
  if (const auto *Coroutine = dyn_cast<CoroutineBodyStmt>(Body))
    return Coroutine->getBody();
  return const_cast<Stmt *>(Body);
}

/// Answers "can control reach B after A" for statements of one function body.
class PathOrder {
public:
  PathOrder(const Stmt *Body, ASTContext &Ctx) : Root(cfgRoot(Body)), Parents(Root) {
    CFG::BuildOptions Options;
    Options.AddImplicitDtors = true;
    Options.AddTemporaryDtors = true;
    Graph = CFG::buildCFG(nullptr, Root, &Ctx, Options);
    if (Graph) {
      Blocks.emplace(*Graph, Parents);
      Reachability.emplace(*Graph);
    }
  }

  /// True when \p B can run after \p A has started (A spelled first). Unknown: true only when
  /// both are statements of one block.
  bool canFollow(const Stmt *A, const Stmt *B) {
    const CFGBlock *From = Blocks ? Blocks->getBlock(A) : nullptr;
    const CFGBlock *To = Blocks ? Blocks->getBlock(B) : nullptr;
    if (!From || !To)
      return false;
    if (From == To)
      return true; // A block runs in order; A is spelled before B.
    return Reachability->isReachable(From, To);
  }

private:
  Stmt *Root;
  ParentMap Parents;
  std::unique_ptr<CFG> Graph;
  std::optional<CFGStmtMap> Blocks;
  std::optional<CFGReverseBlockReachabilityAnalysis> Reachability;
};

} // namespace

std::optional<OverlappedWrite>
overlappedWrite(const StreamCall &Write,
                llvm::function_ref<std::optional<StreamCall>(const CallExpr *)> AsWrite,
                llvm::function_ref<bool(const StreamCall &)> IsPending, ASTContext &Ctx) {
  const Stmt *Body = enclosingFunctionBody(Write.Call, Ctx, /*StopAtLambdas=*/true);
  if (!Body)
    return std::nullopt;
  const SourceManager &SM = Ctx.getSourceManager();
  const std::string Key = streamKey(Write.Object, Ctx);
  auto SpelledBefore = [&](const Stmt *A, const Stmt *B) {
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(A->getBeginLoc()),
                                        SM.getExpansionLoc(B->getBeginLoc()));
  };
  // Earlier writes of the same stream in this function, outside nested lambdas.
  std::vector<StreamCall> Earlier;
  findDescendant(
      Body,
      [&](const Stmt *S) {
        const auto *Call = dyn_cast<CallExpr>(S);
        if (!Call || Call == Write.Call || !SpelledBefore(Call, Write.Call))
          return false;
        if (std::optional<StreamCall> Other = AsWrite(Call);
            Other && streamKey(Other->Object, Ctx) == Key)
          Earlier.push_back(*Other);
        return false;
      },
      isNestedCode);
  if (Earlier.empty())
    return std::nullopt;
  if (const CXXOperatorCallExpr *Group = parallelGroupOf(Write.Call, Ctx))
    for (const StreamCall &Other : Earlier)
      if (contains(Group, Other.Call))
        return OverlappedWrite{Other.Call, /*InParallelGroup=*/true};
  PathOrder Order(Body, Ctx);
  // The nearest earlier write first: the one a reader would look at.
  for (auto It = Earlier.rbegin(); It != Earlier.rend(); ++It)
    if (IsPending(*It) && Order.canFollow(It->Call, Write.Call))
      return OverlappedWrite{It->Call, /*InParallelGroup=*/false};
  return std::nullopt;
}

} // namespace clang::tidy::errorshield::ws
