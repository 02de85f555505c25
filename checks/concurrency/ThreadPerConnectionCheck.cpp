//===--- ThreadPerConnectionCheck.cpp - errorshield-thread-per-connection ---===//

#include "concurrency/ThreadPerConnectionCheck.h"
#include "asio/CompletionHandlers.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "clang/AST/ParentMapContext.h"
#include <algorithm>

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
      ThreadStartFunctions(listOption("ThreadStartFunctions")),
      BindFunctions(listOption("BindFunctions")) {}

void ThreadPerConnectionCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "ThreadTypes", ThreadTypes);
  storeList(Opts, "AcceptFunctions", AcceptFunctions);
  storeList(Opts, "AsyncAcceptMethods", AsyncAcceptMethods);
  storeList(Opts, "ThreadFactories", ThreadFactories);
  storeList(Opts, "ThreadStartFunctions", ThreadStartFunctions);
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

/// True for `std::launch::deferred`, the launch policy that starts no thread.
static bool isDeferredLaunch(const Expr *Policy) {
  const auto *Ref = dyn_cast<DeclRefExpr>(Policy->IgnoreParenImpCasts());
  return Ref && Ref->getDecl()->getName() == "deferred" &&
         isa<EnumConstantDecl>(Ref->getDecl());
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
  // threads.emplace_back(f), workers_->emplace_back(f): the thread is constructed inside the
  // container.
  if (std::optional<ws::StreamCall> Member = ws::asMemberCall(Call);
      Member && Member->Object && StringRef(Member->Method).starts_with("emplace")) {
    QualType Container = Member->Object->getType();
    return Named(firstTemplateArgument(Container->isPointerType() ? Container->getPointeeType()
                                                                  : Container));
  }
  // std::make_unique<std::thread>(f)
  if (const FunctionDecl *F = Call->getDirectCallee();
      F && hasListedQualifiedName(F, ThreadFactories))
    if (const TemplateArgumentList *Args = F->getTemplateSpecializationArgs();
        Args && Args->size() > 0 && Args->get(0).getKind() == TemplateArgument::Type)
      return Named(Args->get(0).getAsType());
  // group.create_thread(f), pthread_create(&id, nullptr, f, arg), std::async(f): functions that
  // start a thread. Named by the thread type they return (boost::thread *), else by themselves.
  if (const FunctionDecl *F = Call->getDirectCallee();
      F && hasListedQualifiedName(F, ThreadStartFunctions)) {
    if (isDeferredLaunch(Call->getArg(0)))
      return {}; // std::async(std::launch::deferred, f) runs f in the caller, later
    const QualType Returned = F->getReturnType();
    std::string Thread = Named(Returned->isPointerType() ? Returned->getPointeeType() : Returned);
    return Thread.empty() ? "a thread (" + F->getQualifiedNameAsString() + ")" : Thread;
  }
  return {};
}

/// True when the thread \p Created is the connection's own: its construction mentions one of
/// \p Connection, or it is stored into one (`conn->exec = std::make_shared<thread_pool>(1)`).
static bool belongsToConnection(const Stmt *Created, llvm::ArrayRef<const VarDecl *> Connection,
                                ASTContext &Ctx) {
  if (refersToAny(Created, Connection))
    return true;
  const Stmt *Child = Created;
  for (DynTypedNodeList Parents = Ctx.getParents(*Created); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    const auto *Parent = Parents[0].get<Expr>();
    if (const auto Assignment = Parent ? assignmentParts(Parent) : std::nullopt)
      return Assignment->second == Child && refersToAny(Assignment->first, Connection);
    if (!isa_and_nonnull<ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
                         ExprWithCleanups, ParenExpr>(Parent))
      return false;
    Child = Parent;
  }
  return false;
}

/// Adds the locals of \p Body that wrap the connection, two steps deep:
/// `auto shared = std::make_shared<tcp::socket>(std::move(socket));`,
/// `auto conn = std::make_shared<upload_conn>(upload_conn{std::move(sock), nullptr});`.
static void addWrappers(llvm::SmallVectorImpl<const VarDecl *> &Connection, const Stmt *Body) {
  for (int Step = 0; Body && !Connection.empty() && Step < 2; ++Step)
    forEachDescendant(Body, [&](const Stmt *S) {
      const auto *Decls = dyn_cast<DeclStmt>(S);
      if (!Decls)
        return;
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D);
            Var && Var->getInit() && !llvm::is_contained(Connection, Var) &&
            refersToAny(Var->getInit(), Connection))
          Connection.push_back(Var);
    });
}

/// \p Vars, a connection handed to \p Body, and the locals of \p Body that wrap it.
static llvm::SmallVector<const VarDecl *, 4> withWrappers(llvm::ArrayRef<const VarDecl *> Vars,
                                                          const Stmt *Body) {
  llvm::SmallVector<const VarDecl *, 4> Connection(Vars);
  addWrappers(Connection, Body);
  return Connection;
}

/// The arguments of the thread-starting \p Created that go to the parameters of the function the
/// thread runs, and that function's definition (`std::thread(&server::serve, this, std::move(s))`
/// runs serve(s)); none for a lambda, which is searched as the thread's own construction.
static std::pair<const FunctionDecl *, llvm::ArrayRef<const Expr *>>
threadFunction(const Stmt *Created) {
  llvm::ArrayRef<const Expr *> Args;
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Created))
    Args = llvm::ArrayRef(Construct->getArgs(), Construct->getNumArgs());
  else if (const auto *Call = dyn_cast<CallExpr>(Created))
    Args = llvm::ArrayRef(Call->getArgs(), Call->getNumArgs());
  for (unsigned I = 0; I < Args.size(); ++I) {
    const Expr *Callable = Args[I]->IgnoreUnlessSpelledInSource()->IgnoreParens();
    if (const auto *AddressOf = dyn_cast<UnaryOperator>(Callable);
        AddressOf && AddressOf->getOpcode() == UO_AddrOf)
      Callable = AddressOf->getSubExpr()->IgnoreParenImpCasts();
    const auto *Ref = dyn_cast<DeclRefExpr>(Callable);
    const auto *Function = Ref ? dyn_cast<FunctionDecl>(Ref->getDecl()) : nullptr;
    const FunctionDecl *Definition = nullptr;
    if (!Function || !Function->hasBody(Definition))
      continue;
    // A member function's object comes first: its parameters start one argument later.
    const auto *Method = dyn_cast<CXXMethodDecl>(Function);
    const unsigned First = I + 1 + (Method && !Method->isStatic());
    return {Definition, Args.drop_front(std::min<size_t>(First, Args.size()))};
  }
  return {nullptr, {}};
}

void ThreadPerConnectionCheck::reportThreadsIn(
    const Stmt *Region, const CallExpr *Accept, bool InHandler,
    std::optional<llvm::ArrayRef<const VarDecl *>> HandedConnection, ASTContext &Ctx,
    unsigned Depth) {
  const SourceManager &SM = Ctx.getSourceManager();
  // Reported threads that run a function of the project given the connection: a thread that
  // function creates with it is a second thread per connection (a heartbeat beside the reader).
  llvm::SmallVector<std::pair<const FunctionDecl *, llvm::SmallVector<const VarDecl *, 2>>, 2> Runs;
  findDescendant(
      Region,
      [&](const Stmt *S) {
        const std::string Thread = createdThread(S);
        if (Thread.empty() ||
            (HandedConnection && !belongsToConnection(S, *HandedConnection, Ctx)))
          return false;
        const SourceLocation Loc =
            SM.getExpansionLoc(isa<CallExpr>(S) ? cast<Expr>(S)->getExprLoc() : S->getBeginLoc());
        if (HandedConnection && Depth > 0)
          if (auto [Function, Args] = threadFunction(S); Function) {
            llvm::SmallVector<const VarDecl *, 2> Params;
            for (unsigned I = 0; I < Args.size() && I < Function->getNumParams(); ++I)
              if (refersToAny(Args[I], *HandedConnection))
                Params.push_back(Function->getParamDecl(I));
            if (!Params.empty())
              Runs.emplace_back(Function, std::move(Params));
          }
        if (!firstReportAt(Loc))
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
  for (const auto &[Function, Params] : Runs)
    reportThreadsIn(Function->getBody(), Accept, InHandler,
                    withWrappers(Params, Function->getBody()), Ctx, Depth - 1);
  if (!HandedConnection || HandedConnection->empty() || Depth == 0)
    return;
  // A function handed the connection (`self->on_accept(ec, std::move(sock))`,
  // `registry.adopt(std::move(sock))`): a thread it creates with that parameter is one per
  // connection too.
  forEachDescendant(Region, [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    // A callback the class stores (`on_link(std::move(sock))` on a std::function member): the
    // lambdas stored in it are handed the connection.
    if (const auto *Invoke = dyn_cast_or_null<CXXOperatorCallExpr>(Call);
        Invoke && Invoke->getOperator() == OO_Call)
      if (const auto *Field = dyn_cast_or_null<FieldDecl>(declNamedBy(Invoke->getArg(0))))
        for (const LambdaExpr *Lambda : lambdasStoredIn(Field))
          for (unsigned I = 1; I < Invoke->getNumArgs(); ++I)
            if (I - 1 < Lambda->getCallOperator()->getNumParams() &&
                refersToAny(Invoke->getArg(I), *HandedConnection))
              reportThreadsIn(Lambda->getBody(), Accept, InHandler,
                              withWrappers(Lambda->getCallOperator()->getParamDecl(I - 1),
                                           Lambda->getBody()),
                              Ctx, Depth - 1);
    const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
    const FunctionDecl *Definition = nullptr;
    if (!Callee || isa<CXXOperatorCallExpr>(Call) || !Callee->hasBody(Definition) ||
        SM.isInSystemHeader(Definition->getLocation()) || !createdThread(Call).empty())
      return; // a thread-starting call is reported itself, not inside
    for (unsigned I = 0; I < Call->getNumArgs() && I < Definition->getNumParams(); ++I) {
      const VarDecl *Param = Definition->getParamDecl(I);
      if (refersToAny(Call->getArg(I), *HandedConnection))
        reportThreadsIn(Definition->getBody(), Accept, InHandler,
                        withWrappers(Param, Definition->getBody()), Ctx, Depth - 1);
    }
  });
}

/// True when \p AsyncAccept returns only once a connection is accepted, like a synchronous accept:
/// it is awaited in place (`co_await acceptor.async_accept(use_awaitable)`) or given a stackful
/// coroutine's yield_context. A loop around it then accepts one connection per iteration.
static bool acceptsInPlace(const CallExpr *AsyncAccept, ASTContext &Ctx) {
  for (const Expr *Arg : AsyncAccept->arguments())
    if (ws::isTypeNamed(Arg->getType(), {"boost::asio::basic_yield_context"}))
      return true;
  return isAwaited(AsyncAccept, Ctx);
}

/// True for Asio's socket classes and classes derived from them.
static bool isSocket(QualType T) {
  if (ws::isTypeNamed(T, {"boost::asio::basic_stream_socket", "boost::asio::basic_socket"}))
    return true;
  const CXXRecordDecl *Record = T.getNonReferenceType()->getAsCXXRecordDecl();
  return Record && Record->hasDefinition() &&
         llvm::any_of(Record->bases(),
                      [](const CXXBaseSpecifier &Base) { return isSocket(Base.getType()); });
}

/// The variables that hold the connection \p Accept accepts: the one its result initializes or is
/// assigned to (`int fd = ::accept(...)`, `s = co_await a.async_accept(...)`) and the socket passed
/// to be filled (`acceptor.accept(socket)`).
static llvm::SmallVector<const VarDecl *, 2> acceptedConnection(const CallExpr *Accept,
                                                                ASTContext &Ctx) {
  llvm::SmallVector<const VarDecl *, 2> Vars;
  for (const Expr *Arg : Accept->arguments())
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Arg->IgnoreParenImpCasts());
        Ref && isSocket(Arg->getType()))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
        Vars.push_back(Var);
  const Expr *Child = Accept;
  for (DynTypedNodeList Parents = Ctx.getParents(*Accept); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    if (const auto *Var = Parents[0].get<VarDecl>()) {
      Vars.push_back(Var);
      break;
    }
    const auto *Parent = Parents[0].get<Expr>();
    if (!Parent)
      break;
    if (const auto Assignment = assignmentParts(Parent);
        Assignment && Assignment->second == Child) {
      if (const VarDecl *Var = rootVariable(Assignment->first))
        Vars.push_back(Var);
      break;
    }
    Child = Parent;
  }
  return Vars;
}

void ThreadPerConnectionCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Accept = Result.Nodes.getNodeAs<CallExpr>("accept");
  if (const auto *AsyncAccept = Result.Nodes.getNodeAs<CallExpr>("async-accept")) {
    if (!acceptsInPlace(AsyncAccept, *Result.Context)) {
      for (const asio::CompletionHandler &H : asio::completionHandlers(AsyncAccept, BindFunctions)) {
        reportThreadsIn(H.Body, AsyncAccept, /*InHandler=*/true, std::nullopt, *Result.Context);
        // The connection is the handler's socket parameter: follow it into the functions it is
        // handed to.
        llvm::SmallVector<const VarDecl *, 2> Sockets;
        for (const ParmVarDecl *Param : H.Function->parameters())
          if (Param->getType()->isRecordType() &&
              !ws::isTypeNamed(Param->getType(), {"boost::system::error_code"}))
            Sockets.push_back(Param);
        if (!Sockets.empty())
          reportThreadsIn(H.Body, AsyncAccept, /*InHandler=*/true, withWrappers(Sockets, H.Body),
                          *Result.Context);
      }
      return;
    }
    Accept = AsyncAccept;
  }
  // A thread per connection is handed the connection the accept produced. Only when that
  // connection is not held in a variable does any thread of the innermost loop count. Outer loops
  // (a listener restarted after errors, a retry around the accept) run once per many connections
  // or per attempt, and count only threads handed the connection.
  llvm::SmallVector<const VarDecl *, 2> Connection = acceptedConnection(Accept, *Result.Context);
  addWrappers(Connection, enclosingFunctionBody(Accept, *Result.Context, /*StopAtLambdas=*/true));
  bool Innermost = true;
  DynTypedNodeList Parents = Result.Context->getParents(*Accept);
  while (!Parents.empty()) {
    const DynTypedNode &P = Parents[0];
    if (P.get<LambdaExpr>() || P.get<FunctionDecl>())
      return;
    if (const Stmt *S = P.get<Stmt>(); S && isLoop(S)) {
      reportThreadsIn(S, Accept, /*InHandler=*/false,
                      Innermost && Connection.empty()
                          ? std::nullopt
                          : std::optional<llvm::ArrayRef<const VarDecl *>>(Connection),
                      *Result.Context);
      Innermost = false;
    }
    Parents = Result.Context->getParents(P);
  }
}

} // namespace clang::tidy::errorshield
