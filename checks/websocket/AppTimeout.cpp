//===--- AppTimeout.cpp - A timeout of the application's own --------------===//

#include "websocket/AppTimeout.h"
#include "asio/CompletionHandlers.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "websocket/WriteQueue.h"

namespace clang::tidy::errorshield::ws {

/// The stream \p Object designates: a stream itself, or the stream whose lowest layer a
/// LowestLayerFunctions call returns.
static const Expr *streamOf(const Expr *Object, const AppTimeoutNames &Names) {
  Object = stripConversions(Object);
  // `ws_.next_layer()`, `ws_.next_layer().next_layer()`: a member that returns a lower layer.
  while (const auto *Layer = dyn_cast<CXXMemberCallExpr>(Object)) {
    if (Layer->getNumArgs() != 0 || !Layer->getMethodDecl() ||
        !hasListedQualifiedName(Layer->getMethodDecl(), Names.LowestLayerFunctions))
      break;
    Object = stripConversions(Layer->getImplicitObjectArgument());
  }
  if (const auto *Lowest = dyn_cast<CallExpr>(Object);
      Lowest && Lowest->getNumArgs() == 1 && Lowest->getDirectCallee() &&
      hasListedQualifiedName(Lowest->getDirectCallee(), Names.LowestLayerFunctions))
    Object = stripConversions(Lowest->getArg(0));
  QualType T = Object->getType().getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  return isTypeNamed(T, Names.StreamTypes) ? Object : nullptr;
}

std::vector<const Expr *> streamsWatchedByTimer(const CallExpr *Wait,
                                                const AppTimeoutNames &Names) {
  std::vector<const Expr *> Out;
  for (const asio::CompletionHandler &H : asio::completionHandlers(Wait, Names.BindFunctions))
    forEachDescendant(H.Body, [&](const Stmt *S) {
      const auto *Call = dyn_cast<CallExpr>(S);
      std::optional<StreamCall> Member = Call ? asMemberCall(Call) : std::nullopt;
      if (!Member || !Member->Object || !llvm::is_contained(Names.WatchdogMethods, Member->Method))
        return;
      if (const Expr *Stream = streamOf(Member->Object, Names))
        Out.push_back(Stream);
    });
  return Out;
}

const Expr *streamReadRacedAgainstTimer(const CXXOperatorCallExpr *Race,
                                        const AppTimeoutNames &Names) {
  if (Race->getOperator() != OO_PipePipe || Race->getNumArgs() != 2)
    return nullptr;
  const Expr *Read = nullptr;
  bool Timer = false;
  for (const Expr *Operand : Race->arguments()) {
    const auto *Call = dyn_cast<CallExpr>(stripConversions(Operand));
    std::optional<StreamCall> Member = Call ? asMemberCall(Call) : std::nullopt;
    if (!Member || !Member->Object)
      continue;
    if (llvm::is_contained(Names.TimerWaitMethods, Member->Method))
      Timer = true;
    else if (StringRef(Member->Method).starts_with("async_read"))
      Read = streamOf(Member->Object, Names);
  }
  return Timer ? Read : nullptr;
}

/// \p Root reads the stream \p D somewhere after \p After.
static bool readsAfter(const Stmt *Root, const Decl *D, SourceLocation After,
                       const AppTimeoutNames &Names, const SourceManager &SM) {
  return findDescendant(Root, [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    std::optional<StreamCall> Read = Call ? asMemberCall(Call) : std::nullopt;
    return Read && Read->Object && llvm::is_contained(Names.ReadMethods, Read->Method) &&
           declNamedBy(Read->Object) == D &&
           SM.isBeforeInTranslationUnit(After, Call->getBeginLoc());
  });
}

/// \p F calls itself (from a read's completion handler, typically): each read of the chain runs
/// the function again.
static bool callsItself(const FunctionDecl *F) {
  const FunctionDecl *Canonical = F->getCanonicalDecl();
  return findDescendant(F->getBody(), [&](const Stmt *Inner) {
    const auto *Call = dyn_cast<CallExpr>(Inner);
    return Call && Call->getDirectCallee() &&
           Call->getDirectCallee()->getCanonicalDecl() == Canonical;
  });
}

const Expr *streamWithDeadlinePerRead(const CallExpr *Expiry, const AppTimeoutNames &Names,
                                      ASTContext &Ctx) {
  std::optional<StreamCall> Member = asMemberCall(Expiry);
  if (!Member || !Member->Object || !llvm::is_contained(Names.DeadlineMethods, Member->Method))
    return nullptr;
  const auto *Lowest = dyn_cast<CallExpr>(stripConversions(Member->Object));
  const Expr *Stream = Lowest ? streamOf(Lowest, Names) : nullptr;
  const Decl *D = Stream ? declNamedBy(Stream) : nullptr;
  if (!D)
    return nullptr;
  // Re-armed before every read: in a loop that reads (a coroutine), or in a read chain's step,
  // a function that arms the deadline, reads, and runs again from the read's handler.
  if (const Stmt *Loop = enclosingLoop(Expiry, Ctx))
    return readsAfter(Loop, D, Loop->getBeginLoc(), Names, Ctx.getSourceManager()) ? Stream
                                                                                    : nullptr;
  const FunctionDecl *Step = enclosingFunctionDecl(Expiry, Ctx, /*StopAtLambdas=*/true);
  return Step && Step->getBody() && callsItself(Step) &&
                 readsAfter(Step->getBody(), D, Expiry->getBeginLoc(), Names,
                            Ctx.getSourceManager())
             ? Stream
             : nullptr;
}

} // namespace clang::tidy::errorshield::ws
