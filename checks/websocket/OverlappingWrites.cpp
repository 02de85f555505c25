//===--- OverlappingWrites.cpp - Two writes of one stream in one function --===//

#include "websocket/OverlappingWrites.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/Analysis/Analyses/CFGReachabilityAnalysis.h"
#include "clang/Analysis/CFG.h"
#include "clang/Analysis/CFGStmtMap.h"

namespace clang::tidy::errorshield::ws {
namespace {

/// The key of a stream named by a variable or parameter (see streamKey).
std::string declKey(const ValueDecl *D) {
  return "decl:" + std::to_string(reinterpret_cast<uintptr_t>(D->getCanonicalDecl()));
}

/// What tells two writes' streams apart: the variable a plain name refers to, else the
/// expression's spelling without blanks and without a leading `this->`.
std::string streamKey(const Expr *Object, ASTContext &Ctx) {
  Object = Object->IgnoreParenImpCasts();
  // `*ws`, `ws->` on a pointer or a shared_ptr: the stream the variable points to.
  if (const auto *Deref = dyn_cast<UnaryOperator>(Object); Deref && Deref->getOpcode() == UO_Deref)
    return streamKey(Deref->getSubExpr(), Ctx);
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Object);
      Op && Op->getNumArgs() == 1 &&
      (Op->getOperator() == OO_Star || Op->getOperator() == OO_Arrow))
    return streamKey(Op->getArg(0), Ctx);
  if (const auto *Ref = dyn_cast<DeclRefExpr>(Object))
    return declKey(Ref->getDecl());
  std::string Text = spelledText(Object, Ctx);
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

/// Answers "can control reach B after A" for statements of one function body.
class PathOrder {
public:
  // clang's CFG starts from a coroutine's own statements, and takes them non-const.
  PathOrder(const Stmt *Body, ASTContext &Ctx)
      : Root(const_cast<Stmt *>(writtenBody(Body))), Parents(Root) {
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

/// True when \p Code (a spawned coroutine's body, or a function the spawn calls) writes the stream
/// \p Key names, itself or through a call that hands that stream to a function of the project
/// whose body writes its parameter (one level).
bool writesStream(const Stmt *Code, const std::string &Key, const WriteRecognizer &AsWrite,
                  ASTContext &Ctx, unsigned Depth = 1) {
  return findDescendant(Code, [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call)
      return false;
    if (std::optional<StreamCall> W = AsWrite(Call); W && streamKey(W->Object, Ctx) == Key)
      return true;
    const FunctionDecl *Callee = Call->getDirectCallee();
    const FunctionDecl *Definition = nullptr;
    if (Depth == 0 || !Callee || !Callee->hasBody(Definition) ||
        Ctx.getSourceManager().isInSystemHeader(Definition->getLocation()))
      return false;
    const unsigned Offset = isa<CXXOperatorCallExpr>(Call) ? 1 : 0;
    for (unsigned I = Offset; I < Call->getNumArgs() && I - Offset < Definition->getNumParams(); ++I)
      if (streamKey(Call->getArg(I), Ctx) == Key) {
        const std::string ParamKey = declKey(Definition->getParamDecl(I - Offset));
        if (writesStream(Definition->getBody(), ParamKey, AsWrite, Ctx, Depth - 1))
          return true;
      }
    return false;
  });
}

/// The coroutine a spawn call starts (`co_spawn(ex, writer(ws), detached)`, or a lambda), when it
/// writes the stream \p Key names: the name to show, else none.
std::optional<std::string> spawnedWriter(const CallExpr *Spawn, const std::string &Key,
                                         const WriteRecognizer &AsWrite, ASTContext &Ctx) {
  if (Spawn->getNumArgs() < 2)
    return std::nullopt;
  const Expr *Started = Spawn->getArg(1)->IgnoreImplicit();
  if (const auto *Lambda = dyn_cast<LambdaExpr>(Started))
    return writesStream(Lambda->getBody(), Key, AsWrite, Ctx) ? std::optional<std::string>("a lambda")
                                                              : std::nullopt;
  // `writer(ws)`: the call's arguments are what the coroutine gets.
  const auto *Call = dyn_cast<CallExpr>(Started);
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  if (!Callee || !writesStream(Call, Key, AsWrite, Ctx))
    return std::nullopt;
  return "'" + Callee->getNameAsString() + "'";
}

} // namespace

std::optional<StreamCall> asSpawnedWrite(const CallExpr *Call, const WriteRecognizer &AsWrite,
                                         const std::vector<std::string> &SpawnFunctions,
                                         ASTContext &Ctx) {
  const auto *Spawn = parentThroughWrappers(Call, Ctx).get<CallExpr>();
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Spawn || !Callee || !Callee->getIdentifier() || !isListedCall(Spawn, SpawnFunctions) ||
      Spawn->getNumArgs() < 2 || Spawn->getArg(1)->IgnoreImplicit() != Call)
    return std::nullopt;
  for (const Expr *Arg : Call->arguments())
    if (const std::string Key = streamKey(Arg, Ctx); !Key.empty() && writesStream(Call, Key, AsWrite, Ctx)) {
      StreamCall Write;
      Write.Call = Call;
      Write.Object = Arg;
      Write.Method = Callee->getNameAsString();
      Write.Loc = Call->getCallee()->IgnoreParenImpCasts()->getExprLoc();
      return Write;
    }
  return std::nullopt;
}

std::optional<OverlappedWrite>
overlappedWrite(const StreamCall &Write, const WriteRecognizer &AsWrite,
                llvm::function_ref<bool(const StreamCall &)> IsPending,
                const std::vector<std::string> &SpawnFunctions, ASTContext &Ctx) {
  const Stmt *Body = enclosingFunctionBody(Write.Call, Ctx, /*StopAtLambdas=*/true);
  if (!Body)
    return std::nullopt;
  const SourceManager &SM = Ctx.getSourceManager();
  const std::string Key = streamKey(Write.Object, Ctx);
  auto SpelledBefore = [&](const Stmt *A, const Stmt *B) {
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(A->getBeginLoc()),
                                        SM.getExpansionLoc(B->getBeginLoc()));
  };
  // Earlier writes of the same stream in this function, outside nested lambdas; and coroutines
  // spawned earlier that write it (they run beside this function).
  std::vector<StreamCall> Earlier;
  std::vector<std::pair<const CallExpr *, std::string>> Spawned;
  // A write handed to a spawn call is that spawn's coroutine: it is judged as one.
  auto SpawnedIn = [&](const CallExpr *Other) {
    const auto *Spawn = parentThroughWrappers(Other, Ctx).get<CallExpr>();
    return Spawn && isListedCall(Spawn, SpawnFunctions);
  };
  findDescendant(
      Body,
      [&](const Stmt *S) {
        const auto *Call = dyn_cast<CallExpr>(S);
        if (!Call || Call == Write.Call || !SpelledBefore(Call, Write.Call))
          return false;
        // A spawn call around this write starts it: it is this write's coroutine, not a rival
        // (`co_spawn(ex, ws.async_write(b, use_awaitable), detached)`).
        if (isListedCall(Call, SpawnFunctions) && !contains(Call, Write.Call)) {
          if (std::optional<std::string> Writer = spawnedWriter(Call, Key, AsWrite, Ctx))
            Spawned.push_back({Call, *Writer});
          return false;
        }
        if (std::optional<StreamCall> Other = AsWrite(Call);
            Other && streamKey(Other->Object, Ctx) == Key && !SpawnedIn(Other->Call))
          Earlier.push_back(*Other);
        return false;
      },
      isNestedCode);
  if (Earlier.empty() && Spawned.empty())
    return std::nullopt;
  if (const CXXOperatorCallExpr *Group = parallelGroupOf(Write.Call, Ctx))
    for (const StreamCall &Other : Earlier)
      if (contains(Group, Other.Call))
        return OverlappedWrite{Other.Call, /*InParallelGroup=*/true, ""};
  PathOrder Order(Body, Ctx);
  // The nearest earlier write that can lead here. When that one is awaited, a pending write
  // before it overlaps it first and is reported there: one finding per write left in flight.
  for (auto It = Earlier.rbegin(); It != Earlier.rend(); ++It) {
    if (!Order.canFollow(It->Call, Write.Call))
      continue;
    if (IsPending(*It))
      return OverlappedWrite{It->Call, /*InParallelGroup=*/false, ""};
    break;
  }
  for (const auto &[Spawn, Writer] : Spawned)
    if (Order.canFollow(Spawn, Write.Call))
      return OverlappedWrite{Spawn, /*InParallelGroup=*/false, Writer};
  return std::nullopt;
}

/// True when \p A and \p B are in different branches of one `if`, `switch` or `?:`: only one of
/// them runs.
static bool inExclusiveBranches(const Stmt *A, const Stmt *B, ASTContext &Ctx) {
  llvm::SmallPtrSet<const Stmt *, 32> AncestorsOfA;
  for (DynTypedNodeList P = Ctx.getParents(*A); !P.empty(); P = Ctx.getParents(P[0]))
    if (const auto *S = P[0].get<Stmt>())
      AncestorsOfA.insert(S);
  for (DynTypedNodeList P = Ctx.getParents(*B); !P.empty(); P = Ctx.getParents(P[0])) {
    const auto *S = P[0].get<Stmt>();
    if (S && AncestorsOfA.contains(S))
      return isa<IfStmt, SwitchStmt, ConditionalOperator>(S);
  }
  return false;
}

bool writtenAgainLater(const CallExpr *Write,
                       llvm::function_ref<bool(const CallExpr *)> WritesSame, ASTContext &Ctx) {
  const Stmt *Body = enclosingFunctionBody(Write, Ctx, /*StopAtLambdas=*/false);
  const SourceManager &SM = Ctx.getSourceManager();
  return Body && findDescendant(Body, [&](const Stmt *S) {
           const auto *Call = dyn_cast<CallExpr>(S);
           return Call && Call != Write && WritesSame(Call) &&
                  SM.isBeforeInTranslationUnit(SM.getExpansionLoc(Write->getEndLoc()),
                                               SM.getExpansionLoc(Call->getBeginLoc())) &&
                  !inExclusiveBranches(Write, Call, Ctx);
         }) != nullptr;
}

} // namespace clang::tidy::errorshield::ws
