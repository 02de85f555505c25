//===--- ThreadPerConnectionCheck.cpp - errorshield-thread-per-connection ---===//

#include "concurrency/ThreadPerConnectionCheck.h"
#include "asio/CompletionHandlers.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "clang/AST/ParentMapContext.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

namespace {
AST_MATCHER_P(CallExpr, calleeNamedIn, std::vector<std::string>, Names) {
  return llvm::is_contained(Names, calleeName(&Node));
}
} // namespace

ThreadPerConnectionCheck::ThreadPerConnectionCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), ThreadTypes(listOption("ThreadTypes")),
      AcceptFunctions(listOption("AcceptFunctions")),
      AsyncAcceptMethods(listOption("AsyncAcceptMethods")),
      ThreadFactories(listOption("ThreadFactories")),
      BindFunctions(listOption("BindFunctions")) {}

void ThreadPerConnectionCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "ThreadTypes", ThreadTypes);
  storeList(Opts, "AcceptFunctions", AcceptFunctions);
  storeList(Opts, "AsyncAcceptMethods", AsyncAcceptMethods);
  storeList(Opts, "ThreadFactories", ThreadFactories);
  storeList(Opts, "BindFunctions", BindFunctions);
}

void ThreadPerConnectionCheck::registerCheckMatchers(MatchFinder *Finder) {
  Finder->addMatcher(
      callExpr(matchers::isListedCall(AcceptFunctions), unless(isExpansionInSystemHeader())).bind("accept"),
      this);
  Finder->addMatcher(callExpr(calleeNamedIn(AsyncAcceptMethods), unless(isExpansionInSystemHeader()))
                         .bind("async-accept"),
                     this);
}

/// The first template argument of \p T's class (`std::vector<std::thread>` -> std::thread).
static QualType firstTemplateArgument(QualType T) {
  const auto *Spec =
      dyn_cast_or_null<ClassTemplateSpecializationDecl>(T.getNonReferenceType()->getAsCXXRecordDecl());
  if (!Spec || Spec->getTemplateArgs().size() == 0 ||
      Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return {};
  return Spec->getTemplateArgs()[0].getAsType();
}

std::string ThreadPerConnectionCheck::createdThread(const Stmt *S) const {
  auto Named = [&](QualType T) -> std::string {
    for (const std::string &Name : ThreadTypes)
      if (!T.isNull() && ws::isTypeNamed(T, {Name}))
        return Name;
    return {};
  };
  // std::thread t(f); std::thread(f).detach(); new std::thread(f); threads.push_back(std::thread(f))
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(S)) {
    const CXXConstructorDecl *Ctor = Construct->getConstructor();
    if (Construct->getNumArgs() == 0 || Ctor->isCopyOrMoveConstructor())
      return {};
    return Named(Construct->getType());
  }
  const auto *Call = dyn_cast<CallExpr>(S);
  if (!Call || Call->getNumArgs() == 0)
    return {};
  // threads.emplace_back(f): the thread is constructed inside the container.
  if (std::optional<ws::StreamCall> Member = ws::asMemberCall(Call);
      Member && Member->Object && StringRef(Member->Method).starts_with("emplace"))
    return Named(firstTemplateArgument(Member->Object->getType()));
  // std::make_unique<std::thread>(f)
  if (const FunctionDecl *F = Call->getDirectCallee();
      F && hasListedQualifiedName(F, ThreadFactories))
    if (const TemplateArgumentList *Args = F->getTemplateSpecializationArgs();
        Args && Args->size() > 0 && Args->get(0).getKind() == TemplateArgument::Type)
      return Named(Args->get(0).getAsType());
  return {};
}

void ThreadPerConnectionCheck::reportThreadsIn(const Stmt *Region, const CallExpr *Accept,
                                               bool InHandler, const SourceManager &SM) {
  findDescendant(
      Region,
      [&](const Stmt *S) {
        const std::string Thread = createdThread(S);
        const SourceLocation Loc =
            SM.getExpansionLoc(isa<CallExpr>(S) ? cast<Expr>(S)->getExprLoc() : S->getBeginLoc());
        if (Thread.empty() || !firstReportAt(Loc))
          return false;
        report(Loc, "%0 created for every accepted connection: one OS thread per client exhausts "
                    "memory and the scheduler as clients grow")
            << Thread;
        diag(SM.getExpansionLoc(Accept->getExprLoc()),
             InHandler ? "created in the completion handler of this '%0'"
                       : "connections are accepted by this '%0' in the same loop",
             DiagnosticIDs::Note)
            << calleeName(Accept);
        diag(Loc, "serve connections asynchronously on a fixed pool of threads that run one "
                  "io_context",
             DiagnosticIDs::Note);
        return false;
      },
      isNestedCode);
}

void ThreadPerConnectionCheck::check(const MatchFinder::MatchResult &Result) {
  const SourceManager &SM = *Result.SourceManager;
  if (const auto *AsyncAccept = Result.Nodes.getNodeAs<CallExpr>("async-accept")) {
    for (const asio::CompletionHandler &H : asio::completionHandlers(AsyncAccept, BindFunctions))
      reportThreadsIn(H.Body, AsyncAccept, /*InHandler=*/true, SM);
    return;
  }
  // Every loop around the accept, up to the function or lambda that contains it.
  const auto *Accept = Result.Nodes.getNodeAs<CallExpr>("accept");
  DynTypedNodeList Parents = Result.Context->getParents(*Accept);
  while (!Parents.empty()) {
    const DynTypedNode &P = Parents[0];
    if (P.get<LambdaExpr>() || P.get<FunctionDecl>())
      return;
    if (const Stmt *S = P.get<Stmt>();
        S && isLoop(S))
      reportThreadsIn(S, Accept, /*InHandler=*/false, SM);
    Parents = Result.Context->getParents(P);
  }
}

} // namespace clang::tidy::errorshield
