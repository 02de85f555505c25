//===--- WsBlockingInHandlerCheck.cpp - errorshield-ws-blocking-in-handler ---===//

#include "websocket/WsBlockingInHandlerCheck.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/BlockingContext.h"
#include "websocket/FuturePolls.h"
#include "websocket/StreamModel.h"
#include "clang/AST/DeclTemplate.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

namespace {
AST_MATCHER_P(CallExpr, isInitiatingCall, std::string, Prefix) {
  return asio::isInitiatingCall(&Node, Prefix);
}
} // namespace

WsBlockingInHandlerCheck::WsBlockingInHandlerCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), AsyncPrefix(stringOption("AsyncPrefix")),
      BindFunctions(listOption("BindFunctions")), AsioNamespaces(listOption("AsioNamespaces")),
      SyncOperations(listOption("SyncOperations")),
      BlockingFunctions(listOption("BlockingFunctions")),
      CoroutineTypes(listOption("CoroutineTypes")), ThreadPoolTypes(listOption("ThreadPoolTypes")),
      PostFunctions(listOption("PostFunctions")),
      FileStreamTypes(listOption("FileStreamTypes")),
      FileStreamMethods(listOption("FileStreamMethods")),
      HelperDepth(static_cast<unsigned>(unsignedOption("HelperDepth", 2))) {}

void WsBlockingInHandlerCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "AsyncPrefix", AsyncPrefix);
  storeList(Opts, "BindFunctions", BindFunctions);
  storeList(Opts, "AsioNamespaces", AsioNamespaces);
  storeList(Opts, "SyncOperations", SyncOperations);
  storeList(Opts, "BlockingFunctions", BlockingFunctions);
  storeList(Opts, "CoroutineTypes", CoroutineTypes);
  storeList(Opts, "ThreadPoolTypes", ThreadPoolTypes);
  storeList(Opts, "PostFunctions", PostFunctions);
  storeList(Opts, "FileStreamTypes", FileStreamTypes);
  storeList(Opts, "FileStreamMethods", FileStreamMethods);
  Options.store(Opts, "HelperDepth", std::to_string(HelperDepth));
}

void WsBlockingInHandlerCheck::registerCheckMatchers(MatchFinder *Finder) {
  Finder->addMatcher(
      callExpr(isInitiatingCall(AsyncPrefix), unless(isExpansionInSystemHeader())).bind("async"),
      this);
  // Work posted to an executor that is not a thread pool runs on an I/O thread like a handler.
  // (Asio's post takes a defaulted constraint argument after the function object.)
  Finder->addMatcher(callExpr(matchers::isListedCall(PostFunctions),
                              hasArgument(1, unless(cxxDefaultArgExpr())),
                              unless(isExpansionInSystemHeader()))
                         .bind("posted"),
                     this);
  Finder->addMatcher(
      functionDecl(isDefinition(), unless(isExpansionInSystemHeader())).bind("function"), this);
  Finder->addMatcher(lambdaExpr(unless(isExpansionInSystemHeader())).bind("lambda"), this);
}

bool WsBlockingInHandlerCheck::isCoroutine(const FunctionDecl *F) const {
  if (!F || !F->getBody())
    return false;
  if (isa<CoroutineBodyStmt>(F->getBody()) && ws::isTypeNamed(F->getReturnType(), CoroutineTypes))
    return true;
  return llvm::any_of(F->parameters(), [&](const ParmVarDecl *P) {
    return ws::isTypeNamed(P->getType(), CoroutineTypes);
  });
}

/// The class (or class template) whose member \p C calls, resolved or not.
static const CXXRecordDecl *calledClass(const CallExpr *C) {
  std::optional<ws::StreamCall> Member = ws::asMemberCall(C);
  if (!Member)
    return nullptr;
  if (Member->MethodClass)
    return Member->MethodClass;
  const NamedDecl *Type = ws::namedTypeDecl(Member->ObjectType);
  if (const auto *Template = dyn_cast_or_null<ClassTemplateDecl>(Type))
    return Template->getTemplatedDecl();
  return dyn_cast_or_null<CXXRecordDecl>(Type);
}

/// True when \p Record (or a base) declares \p Name: the asynchronous twin of a sync operation.
static bool declaresMember(const CXXRecordDecl *Record, StringRef Name, unsigned Depth = 0) {
  if (!Record || Depth > 8)
    return false;
  const DeclarationName Wanted(&Record->getASTContext().Idents.get(Name));
  if (!Record->lookup(Wanted).empty())
    return true;
  if (!Record->hasDefinition())
    return false;
  return llvm::any_of(Record->bases(), [&](const CXXBaseSpecifier &Base) {
    return declaresMember(Base.getType()->getAsCXXRecordDecl(), Name, Depth + 1);
  });
}

std::string WsBlockingInHandlerCheck::syncAsioOperation(const CallExpr *C) const {
  const std::string Name = calleeName(C);
  if (Name.empty() || !llvm::is_contained(SyncOperations, Name))
    return {};
  const std::string Twin = AsyncPrefix + Name;
  // A member operation: the object's class belongs to Asio/Beast and offers the async form
  // (websocket::stream::write has async_write; basic_socket::close has no async_close).
  if (const CXXRecordDecl *Class = calledClass(C))
    return isInListedNamespace(Class, AsioNamespaces) && declaresMember(Class, Twin)
               ? (Class->getName() + "::" + Name).str()
               : std::string();
  // A free operation (net::write, http::read): its namespace declares the async form too.
  for (const FunctionDecl *F : calleeCandidates(C)) {
    const DeclContext *Scope = F->getDeclContext()->getRedeclContext();
    if (!isa<CXXRecordDecl>(Scope) && isInListedNamespace(F, AsioNamespaces) &&
        !Scope->getPrimaryContext()
             ->lookup(DeclarationName(&F->getASTContext().Idents.get(Twin)))
             .empty())
      return F->getQualifiedNameAsString();
  }
  return {};
}

std::string WsBlockingInHandlerCheck::blockingName(const CallExpr *C) const {
  if (std::string Operation = syncAsioOperation(C); !Operation.empty())
    return Operation;
  if (std::string Listed = listedCallName(C, BlockingFunctions); !Listed.empty())
    return Listed;
  return ws::fileStreamOperation(C, FileStreamTypes, FileStreamMethods);
}

void WsBlockingInHandlerCheck::check(const MatchFinder::MatchResult &Result) {
  const FunctionDecl *Coroutine = Result.Nodes.getNodeAs<FunctionDecl>("function");
  if (const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Coroutine);
      Method && Method->getParent()->isLambda())
    return; // judged with its lambda, which knows where it is spawned
  if (const auto *Lambda = Result.Nodes.getNodeAs<LambdaExpr>("lambda")) {
    if (ws::isSpawnedOnThreadPool(Lambda, *Result.Context, ThreadPoolTypes))
      return; // the pool's threads are there to block
    Coroutine = Lambda->getCallOperator();
  }
  if (Coroutine) {
    if (!isCoroutine(Coroutine))
      return;
    const Stmt *Body = writtenBody(Coroutine->getBody());
    llvm::SmallPtrSet<const FunctionDecl *, 8> Seen;
    scan({Coroutine, Body, 0, nullptr, nullptr},
         {Result.SourceManager->getExpansionLoc(Coroutine->getLocation()), "",
          ws::poolStretches(Body, ThreadPoolTypes)},
         *Result.Context, Seen);
    return;
  }
  const auto *Initiating = Result.Nodes.getNodeAs<CallExpr>("async");
  const auto *Post = Result.Nodes.getNodeAs<CallExpr>("posted");
  if (Post && ws::isThreadPool(Post->getArg(0), ThreadPoolTypes))
    return; // the pool's threads are there to block
  const CallExpr *Call = Post ? Post : Initiating;
  for (const asio::CompletionHandler &H : asio::completionHandlers(Call, BindFunctions)) {
    if (!H.Body)
      continue;
    llvm::SmallPtrSet<const FunctionDecl *, 8> Seen;
    scan({H.Function, H.Body, 0, nullptr, nullptr},
         {Result.SourceManager->getExpansionLoc(Call->getExprLoc()), calleeName(Call), {},
          /*Posted=*/Post != nullptr},
         *Result.Context, Seen);
  }
}

/// True when the file stream \p Open makes is read or written by a blocking call in \p Body
/// (`out << line`): that call is the finding, not the opening.
bool WsBlockingInHandlerCheck::usedByBlockingCall(const CXXConstructExpr *Open, const Stmt *Body,
                                                  ASTContext &Ctx) const {
  const auto *Var = parentThroughWrappers(Open, Ctx).get<VarDecl>();
  return Var && findDescendant(Body, [&](const Stmt *S) {
           const auto *C = dyn_cast<CallExpr>(S);
           return C && refersTo(C, Var) && !blockingName(C).empty();
         });
}

/// True when \p Loc is in a stretch of the coroutine that runs on a thread pool.
static bool onPool(const WsBlockingInHandlerCheck::Origin &O, SourceLocation Loc,
                   const SourceManager &SM) {
  return llvm::any_of(O.PoolStretches, [&](SourceRange R) {
    return SM.isBeforeInTranslationUnit(R.getBegin(), Loc) &&
           SM.isBeforeInTranslationUnit(Loc, R.getEnd());
  });
}

void WsBlockingInHandlerCheck::scan(const Frame &F, const Origin &O, ASTContext &Ctx,
                                    llvm::SmallPtrSetImpl<const FunctionDecl *> &Seen) {
  const SourceManager &SM = Ctx.getSourceManager();
  if (F.Function && !Seen.insert(F.Function->getCanonicalDecl()).second)
    return;
  // Lambdas inside the handler are not part of it: they run wherever they are posted (a
  // thread pool) or are handlers of their own initiating calls, matched separately.
  findDescendant(F.Body, [&](const Stmt *S) {
    // Opening a file (`std::ifstream in(path);`) blocks like reading it.
    if (const auto *Open = dyn_cast<CXXConstructExpr>(S);
        Open && Open->getNumArgs() > 0 && !(F.Depth == 0 && onPool(O, Open->getBeginLoc(), SM)))
      if (std::string Name = ws::fileStreamOpening(Open, FileStreamTypes);
          !Name.empty() && !usedByBlockingCall(Open, F.Body, Ctx)) {
        reportBlocking(F, O, Open, Name, Ctx);
        return F.Shared != nullptr;
      }
    const auto *C = dyn_cast<CallExpr>(S);
    if (!C || (F.Depth == 0 && onPool(O, C->getBeginLoc(), SM)))
      return false;
    if (std::string Name = blockingName(C); !Name.empty() && !ws::pollsWithoutWaiting(C, Ctx) &&
                                            !ws::isOnNonBlockingObject(C, F.Body)) {
      reportBlocking(F, O, C, Name, Ctx);
      // A shared helper gets one finding per call, at the call: the rest of its body does not
      // change the verdict. A helper only the handler calls is a piece of it: each blocking call
      // in it is a finding of its own, as in the handler's body.
      return F.Shared != nullptr;
    }
    // Follow the project's own functions the handler calls directly. A coroutine called here is
    // judged on its own, and a helper is examined anew at each of its calls in the handler, where
    // it is reported.
    const FunctionDecl *Callee = C->getDirectCallee();
    const FunctionDecl *Definition = nullptr;
    if (F.Depth >= HelperDepth || !Callee || !Callee->hasBody(Definition) ||
        SM.isInSystemHeader(Definition->getLocation()) ||
        asio::isInitiatingCall(C, AsyncPrefix) || isCoroutine(Definition))
      return false;
    const CallExpr *Shared =
        F.Shared ? F.Shared : (HelperUses.sharedBeyondClass(Callee, Ctx) ? C : nullptr);
    const Frame Helper{Definition, Definition->getBody(), F.Depth + 1, F.Site ? F.Site : C,
                       Shared};
    if (F.Site) {
      scan(Helper, O, Ctx, Seen);
      return false;
    }
    llvm::SmallPtrSet<const FunctionDecl *, 8> SeenFromSite(Seen.begin(), Seen.end());
    scan(Helper, O, Ctx, SeenFromSite);
    return false;
  }, isNestedCode);
}

void WsBlockingInHandlerCheck::reportBlocking(const Frame &F, const Origin &O,
                                              const Expr *Blocking, const std::string &Name,
                                              ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const bool InCoroutine = O.Initiating.empty();
  const SourceLocation BlockingLoc = SM.getExpansionLoc(Blocking->getExprLoc());
  const FunctionDecl *Helper = F.Site ? F.Site->getDirectCallee() : nullptr;
  if (F.Shared) {
    // A helper shared with other callers is reported where the handler's code calls it: it may
    // be fine where else it runs (a command-line tool, a thread pool); the call from the I/O
    // thread is what blocks.
    Helper = F.Shared->getDirectCallee();
    const SourceLocation Loc = SM.getExpansionLoc(F.Shared->getExprLoc());
    if (!firstReportAt(Loc))
      return;
    report(Loc, "call to '%0' blocks the I/O thread inside %select{a completion handler|a "
                "coroutine}1: it calls '%2', and every connection served by this thread waits "
                "until it returns")
        << Helper->getName() << InCoroutine << Name;
    diag(BlockingLoc, "'%0' blocks here, in '%1'", DiagnosticIDs::Note)
        << Name << F.Function->getName();
  } else {
    // The handler's own code, or a helper only it calls: a piece of the handler moved out.
    if (!firstReportAt(BlockingLoc))
      return;
    report(BlockingLoc, "'%0' blocks the I/O thread inside %select{a completion handler|a "
                        "coroutine}1: every connection served by this thread waits until it "
                        "returns")
        << Name << InCoroutine;
    if (Helper)
      diag(BlockingLoc, "reached from the %select{completion handler|coroutine}1 through a call "
                        "to '%0'",
           DiagnosticIDs::Note)
          << Helper->getName() << InCoroutine;
  }
  if (InCoroutine)
    diag(O.Loc, "the coroutine runs on its executor's thread; co_await the asynchronous "
                "operation or post the blocking work to a separate thread pool",
         DiagnosticIDs::Note);
  else if (O.Posted)
    diag(O.Loc, "the work '%0' queues here runs on an I/O thread; post the blocking work to a "
                "separate thread pool",
         DiagnosticIDs::Note)
        << O.Initiating;
  else
    diag(O.Loc, "the handler runs when '%0' completes; use the asynchronous operation or post "
                "the blocking work to a separate thread pool",
         DiagnosticIDs::Note)
        << O.Initiating;
}

} // namespace clang::tidy::errorshield
