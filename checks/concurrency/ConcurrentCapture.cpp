//===--- ConcurrentCapture.cpp - A local container shared with tasks it starts ---===//

#include "concurrency/ConcurrentCapture.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::errorshield {
namespace {

/// True when \p Record is, or is nested in, one of \p Names (`thread_pool::executor_type`).
bool isOrIsNestedIn(const CXXRecordDecl *Record, const std::vector<std::string> &Names) {
  for (; Record; Record = dyn_cast<CXXRecordDecl>(Record->getDeclContext()))
    if (isNamedRecord(Record, Names))
      return true;
  return false;
}

/// True when \p E starts its function argument on another thread.
bool startsConcurrently(const Expr *E, const ConcurrentStartNames &Names) {
  if (startsThread(E, Names.ThreadTypes))
    return true;
  const auto *Call = dyn_cast<CallExpr>(E);
  if (!Call)
    return false;
  if (isListedCall(Call, Names.TaskFunctions))
    return true;
  const Expr *Target = Call->getNumArgs() >= 2 ? Call->getArg(0)->IgnoreParenImpCasts() : nullptr;
  return Target && isListedCall(Call, Names.PostFunctions) &&
         isOrIsNestedIn(Target->getType().getNonReferenceType()->getAsCXXRecordDecl(),
                        Names.PoolTypes);
}

/// True when \p S waits for a started task: join() on a thread, get() or wait() on a future.
bool waitsForTask(const Stmt *S, const std::vector<std::string> &ThreadTypes) {
  const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
  const CXXMethodDecl *Method = Call ? Call->getMethodDecl() : nullptr;
  if (!Method || !Method->getIdentifier())
    return false;
  const CXXRecordDecl *Object = Method->getParent();
  const StringRef Name = Method->getName();
  return (Name == "join" && isNamedRecord(Object, ThreadTypes)) ||
         ((Name == "get" || Name == "wait") && Object->getIdentifier() &&
          Object->getName().contains("future"));
}

} // namespace

bool startsThread(const Stmt *S, const std::vector<std::string> &ThreadTypes) {
  auto IsThread = [&](QualType T) { return isNamedRecord(T, ThreadTypes); };
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(S))
    return Construct->getNumArgs() > 0 && IsThread(Construct->getType());
  const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
  const auto *Spec = Call ? dyn_cast_or_null<ClassTemplateSpecializationDecl>(
                                Call->getImplicitObjectArgument()->getType()
                                    .getNonReferenceType()->getAsCXXRecordDecl())
                          : nullptr;
  return Spec && Call->getMethodDecl() &&
         Call->getMethodDecl()->getName().starts_with("emplace") &&
         Spec->getTemplateArgs().size() > 0 &&
         Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type &&
         IsThread(Spec->getTemplateArgs()[0].getAsType());
}

const Expr *concurrentStartOf(const DeclRefExpr *Use, const VarDecl *Container,
                              const ConcurrentStartNames &Names, ASTContext &Ctx) {
  // The lambda that captures the container: by reference, or the tasks each have their own.
  const LambdaExpr *Capturing = nullptr;
  for (const LambdaExpr *L = enclosingLambda(Use, Ctx); L && !Capturing; L = enclosingLambda(L, Ctx))
    for (const LambdaCapture &Capture : L->captures())
      if (Capture.capturesVariable() && Capture.getCapturedVar() == Container) {
        if (Capture.getCaptureKind() != LCK_ByRef)
          return nullptr;
        Capturing = L;
      }
  if (!Capturing)
    return nullptr;
  // The call that starts it, through wrappers such as asio::use_future(...).
  const Expr *Start = nullptr;
  const Stmt *Child = Capturing;
  for (int Hops = 0; Hops < 8 && !Start; ++Hops) {
    DynTypedNodeList Parents = Ctx.getParents(*Child);
    const auto *Parent = Parents.empty() ? nullptr : Parents[0].get<Expr>();
    if (!Parent || isa<LambdaExpr>(Parent))
      return nullptr;
    if (startsConcurrently(Parent, Names))
      Start = Parent;
    Child = Parent;
  }
  if (!Start)
    return nullptr;
  // Once per iteration of a loop of the function that declares the container.
  const Stmt *Loop = enclosingLoopStatement(Start, Ctx);
  const SourceManager &SM = Ctx.getSourceManager();
  if (!Loop || spansLocation(Loop, Container->getLocation(), SM))
    return nullptr;
  const bool WaitsInLoop = findDescendant(Loop, [&](const Stmt *S) {
    return SM.isBeforeInTranslationUnit(Start->getEndLoc(), S->getBeginLoc()) &&
           waitsForTask(S, Names.ThreadTypes);
  }, isNestedCode);
  return WaitsInLoop ? nullptr : Start;
}

} // namespace clang::tidy::errorshield
