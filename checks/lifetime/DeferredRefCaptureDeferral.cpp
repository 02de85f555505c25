//===--- DeferredRefCaptureDeferral.cpp - Is the lambda really deferred? ---===//
//
// A matcher in DeferredRefCaptureCheck.cpp says *how* a lambda may be deferred; this file decides
// whether, in the code around it, it really runs after its captured locals are gone: a thread joined
// in scope, a future that stays local, or an io_context run before the scope ends make it safe.
//
//===----------------------------------------------------------------------===//

#include "core/Matchers.h"
#include "lifetime/DeferredRefCaptureCheck.h"
#include "lifetime/ScopeAnalysis.h"
#include "clang/AST/ASTContext.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {
namespace {

using Deferral = DeferredRefCaptureCheck::Deferral;

Deferral execution(StringRef Runner, const Stmt *Point, SourceLocation NoteLoc,
                   StringRef NoteText, bool RunsOnExecutor = false) {
  return {Deferral::Execution, Runner.str(), Point, NoteLoc, NoteText.str(), RunsOnExecutor};
}

/// The element type of a container specialization such as std::vector<std::thread>.
QualType elementType(QualType Container) {
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      Container.getNonReferenceType()->getAsCXXRecordDecl());
  if (!Spec || Spec->getTemplateArgs().size() == 0 ||
      Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return QualType();
  return Spec->getTemplateArgs()[0].getAsType();
}

bool returnsVariable(const FunctionDecl *Fn, const VarDecl *Var) {
  if (!Fn || !Fn->getBody())
    return false;
  // Only `return f;` hands the future out; `return f.get();` waits for it here.
  return findDescendant(Fn->getBody(), [&](const Stmt *S) {
    const auto *Ret = dyn_cast<ReturnStmt>(S);
    const auto *Ref = Ret && Ret->getRetValue()
                          ? dyn_cast<DeclRefExpr>(stripConversions(Ret->getRetValue()))
                          : nullptr;
    return Ref && Ref->getDecl() == Var;
  });
}

/// Where a thread, future or task handle made by \p Call goes: returned, or stored into something
/// that outlives the scope. Null when it stays local.
const Stmt *escapeOf(const Expr *Call, const DynTypedNode &Use) {
  if (const auto *Ret = Use.get<ReturnStmt>())
    return Ret;
  if (const auto *Assign = Use.get<Stmt>())
    if (const auto Parts = assignmentParts(Assign);
        Parts && designatesLongLivedObject(Parts->first))
      return Assign;
  if (const auto *Store = Use.get<CXXMemberCallExpr>();
      Store && Store->getImplicitObjectArgument() &&
      stripConversions(Store->getImplicitObjectArgument()) != stripConversions(Call) &&
      designatesLongLivedObject(Store->getImplicitObjectArgument()))
    return Store;
  return nullptr;
}

} // namespace

/// \p Call stores its argument where it outlives the helper: `callbacks_.push_back(cb)` (one of
/// the CallableStorageMethods on a member, global or caller's object), `on_close_ = cb`.
bool DeferredRefCaptureCheck::isStoredLongLived(const CallExpr *Call) const {
  if (isa<CXXOperatorCallExpr>(Call)) {
    const auto Store = storeParts(Call);
    return Store && designatesLongLivedObject(Store->first);
  }
  const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
  return Member && Member->getMethodDecl() && Member->getMethodDecl()->getIdentifier() &&
         llvm::is_contained(CallableStorageMethods, Member->getMethodDecl()->getName()) &&
         designatesLongLivedObject(Member->getImplicitObjectArgument());
}

/// In the body of the helper \p Relay calls, the call to an asynchronous operation or a deferred
/// execution function that the parameter receiving \p Lambda reaches (passed to it, or captured by
/// a lambda passed to it). Null when the helper calls the callback itself, or does not say.
const CallExpr *DeferredRefCaptureCheck::deferringCallOf(const CallExpr *Relay,
                                                        const LambdaExpr *Lambda) const {
  const FunctionDecl *Callee = Relay->getDirectCallee();
  const FunctionDecl *Definition = nullptr;
  if (!Callee || !Lambda || !Callee->hasBody(Definition) || isa<CXXOperatorCallExpr>(Relay))
    return nullptr;
  const ParmVarDecl *Param = nullptr;
  for (unsigned I = 0; I < Relay->getNumArgs() && I < Definition->getNumParams(); ++I)
    if (contains(Relay->getArg(I), Lambda))
      Param = Definition->getParamDecl(I);
  if (!Param)
    return nullptr;
  return dyn_cast_or_null<CallExpr>(findDescendant(Definition->getBody(), [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    const FunctionDecl *F = Call ? Call->getDirectCallee() : nullptr;
    if (!F || !llvm::any_of(Call->arguments(),
                            [&](const Expr *Arg) { return refersTo(Arg, Param); }))
      return false;
    if (hasListedQualifiedName(F, DeferredExecutionFunctions) ||
        (F->getIdentifier() && F->getName().starts_with(AsyncOperationPrefix)))
      return true;
    return isStoredLongLived(Call); // fill_cbs_.push_back(std::move(cb)), on_close_ = cb
  }));
}

std::optional<Deferral>
DeferredRefCaptureCheck::deferralOf(const MatchFinder::MatchResult &Result) const {
  ASTContext &Ctx = *Result.Context;
  const auto &Nodes = Result.Nodes;

  if (const auto *Guard = Nodes.getNodeAs<VarDecl>("guard")) {
    DynTypedNodeList Parents = Ctx.getParents(*Guard);
    const auto *DeclS = Parents.empty() ? nullptr : Parents[0].get<DeclStmt>();
    if (!DeclS)
      return std::nullopt;
    return Deferral{Deferral::Cleanup, "a deferred cleanup", DeclS, Guard->getLocation(), ""};
  }

  if (const auto *Thread = Nodes.getNodeAs<CXXConstructExpr>("thread")) {
    bool AutoJoins = isNamedRecord(Thread->getType(), AutoJoiningThreadTypes);
    DynTypedNode Use = parentIgnoringConversions(Thread, Ctx);
    if (const auto *Member = Use.get<MemberExpr>()) // std::thread(...).detach()
      if (DynTypedNodeList Parents = Ctx.getParents(*Member); !Parents.empty())
        Use = Parents[0];
    if (const auto *Var = Use.get<VarDecl>(); Var && Var->hasLocalStorage() &&
                                              !Var->getType()->isReferenceType()) {
      if (const auto *Detach = findMemberCallOn(Var, {"detach"}, Thread->getEndLoc(), Ctx))
        return execution("a detached thread", Thread, Detach->getExprLoc(),
                         "the thread is detached here");
      if (AutoJoins || findMemberCallOn(Var, {"join"}, Thread->getEndLoc(), Ctx))
        return std::nullopt; // joined before the captured locals die
      return execution("an unjoined thread", Thread, Var->getLocation(),
                       "the thread is never joined in this scope");
    }
    if (const auto *Call = Use.get<CXXMemberCallExpr>();
        Call && stripConversions(Call->getImplicitObjectArgument()) == stripConversions(Thread)) {
      if (Call->getMethodDecl() && Call->getMethodDecl()->getName() == "join")
        return std::nullopt;
      return execution("a detached thread", Thread, Call->getExprLoc(),
                       "the thread is detached here");
    }
    if (const auto *Store = Use.get<CXXMemberCallExpr>();
        Store && !designatesLongLivedObject(Store->getImplicitObjectArgument())) {
      // push_back(std::thread(...)) into a local container: safe when the container is joined.
      const VarDecl *Container = rootVariable(Store->getImplicitObjectArgument());
      if (AutoJoins || (Container && findMemberCallOn(Container, {"join"}, Store->getEndLoc(), Ctx)))
        return std::nullopt;
    }
    const Stmt *Escape = Use.get<Stmt>() ? Use.get<Stmt>() : Thread;
    return execution("an unjoined thread", Thread, Escape->getBeginLoc(),
                     "the thread leaves this scope here");
  }

  if (const auto *Store = Nodes.getNodeAs<CXXMemberCallExpr>("thread-store")) {
    const Expr *Object = Store->getImplicitObjectArgument();
    bool AutoJoins = isNamedRecord(elementType(Object->getType()), AutoJoiningThreadTypes);
    const VarDecl *Container = rootVariable(Object);
    if (!designatesLongLivedObject(Object) && Container &&
        (AutoJoins || findMemberCallOn(Container, {"join"}, Store->getEndLoc(), Ctx)))
      return std::nullopt;
    return execution("an unjoined thread", Store, Store->getExprLoc(),
                     designatesLongLivedObject(Object)
                         ? "the thread is stored here, in a container that outlives this scope"
                         : "the thread is stored here and never joined in this scope");
  }

  if (const auto *Async = Nodes.getNodeAs<CallExpr>("async")) {
    DynTypedNode Use = parentIgnoringConversions(Async, Ctx);
    if (const auto *Var = Use.get<VarDecl>()) {
      const auto *Fn = dyn_cast<FunctionDecl>(Var->getDeclContext());
      if (!Var->hasLocalStorage() || returnsVariable(Fn, Var))
        return execution("a task whose future escapes", Async, Var->getLocation(),
                         "the future escapes through this variable");
      return std::nullopt; // a local future's destructor waits for the task
    }
    if (const Stmt *Escape = escapeOf(Async, Use))
      return execution("a task whose future escapes", Async, Escape->getBeginLoc(),
                       "the future escapes here");
    return std::nullopt; // a discarded std::async future blocks until the task is done
  }

  if (const auto *Submit = Nodes.getNodeAs<CXXMemberCallExpr>("submit")) {
    DynTypedNode Use = parentIgnoringConversions(Submit, Ctx);
    if (const auto *Var = Use.get<VarDecl>(); Var && Var->hasLocalStorage() &&
                                              findMemberCallOn(Var, {"get", "wait", "join"},
                                                               Submit->getEndLoc(), Ctx))
      return std::nullopt;
    if (const auto *Wait = Use.get<CXXMemberCallExpr>(); Wait && Wait->getMethodDecl() &&
                                                         llvm::is_contained({"get", "wait"}, Wait->getMethodDecl()->getName()))
      return std::nullopt; // pool.submit(...).get(): waited for on the spot
    return execution("a pool task", Submit, Submit->getExprLoc(),
                     "the task is submitted here and not waited for in this scope",
                     /*RunsOnExecutor=*/true);
  }

  if (const auto *Handoff = Nodes.getNodeAs<CallExpr>("handoff")) {
    if (isAwaited(Handoff, Ctx))
      return std::nullopt; // co_await co_spawn(ex, [&] ... , use_awaitable): done before we go on
    const auto *Callee = Handoff->getDirectCallee();
    return execution("a completion handler", Handoff, Handoff->getExprLoc(),
                     "the handler is passed to '" +
                         (Callee ? Callee->getNameAsString() : std::string("an async operation")) +
                         "' here",
                     /*RunsOnExecutor=*/true);
  }

  if (const auto *Relay = Nodes.getNodeAs<CallExpr>("relay")) {
    const CallExpr *Deferring = deferringCallOf(Relay, Nodes.getNodeAs<LambdaExpr>("lambda"));
    if (!Deferring)
      return std::nullopt;
    const std::string Helper = Relay->getDirectCallee()->getNameAsString();
    if (isStoredLongLived(Deferring))
      return execution("a callback that '" + Helper + "' stores", Relay, Relay->getExprLoc(),
                       "'" + Helper + "' stores the callback in an object that outlives this scope");
    const auto *Inner = Deferring->getDirectCallee();
    return execution("a callback that '" + Helper + "' defers", Relay, Relay->getExprLoc(),
                     "'" + Helper + "' hands the callback to '" +
                         (Inner ? Inner->getNameAsString() : std::string("an async operation")) +
                         "', which runs it later",
                     /*RunsOnExecutor=*/true);
  }

  if (const auto *Store = Nodes.getNodeAs<Expr>("store"))
    return execution("a stored callback", Store, Store->getExprLoc(),
                     "the callback is stored here, in an object that outlives this scope");

  if (const auto *Collect = Nodes.getNodeAs<CXXMemberCallExpr>("collect")) {
    // The innermost loop around the store, in the same function, with the container outside it.
    const VarDecl *Container = rootVariable(Collect->getImplicitObjectArgument());
    const Stmt *Loop = enclosingLoopStatement(Collect, Ctx);
    if (!Loop || !Container ||
        spansLocation(Loop, Container->getLocation(), Ctx.getSourceManager()))
      return std::nullopt;
    Deferral D = execution("a callback collected in '" + Container->getNameAsString() + "'",
                           Collect, Collect->getExprLoc(),
                           "the callback is collected here, to run after the loop");
    D.Kind = Deferral::Collected;
    D.Loop = Loop;
    return D;
  }
  return std::nullopt;
}

bool DeferredRefCaptureCheck::isExempt(const VarDecl *Var, const Deferral &D,
                                       ASTContext &Ctx) const {
  // A handler never runs after its io_context is destroyed, so the context itself is safe to name.
  if (isNamedRecord(Var->getType(), ExecutionContextTypes))
    return true;
  // Handlers complete inside `ioc.run()`: run in the variable's own scope, after the handoff, they
  // finish before the variable dies.
  if (D.RunsOnExecutor)
    return findContextRun(scopeOf(Var, Ctx), ExecutionContextTypes, ContextRunMethods,
                          D.Point->getEndLoc(), Ctx) != nullptr;
  return false;
}

} // namespace clang::tidy::errorshield
