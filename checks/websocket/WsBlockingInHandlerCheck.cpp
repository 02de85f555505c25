//===--- WsBlockingInHandlerCheck.cpp - errorshield-ws-blocking-in-handler ---===//

#include "websocket/WsBlockingInHandlerCheck.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
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
      CoroutineTypes(listOption("CoroutineTypes")),
      HelperDepth(static_cast<unsigned>(unsignedOption("HelperDepth", 2))) {}

void WsBlockingInHandlerCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "AsyncPrefix", AsyncPrefix);
  storeList(Opts, "BindFunctions", BindFunctions);
  storeList(Opts, "AsioNamespaces", AsioNamespaces);
  storeList(Opts, "SyncOperations", SyncOperations);
  storeList(Opts, "BlockingFunctions", BlockingFunctions);
  storeList(Opts, "CoroutineTypes", CoroutineTypes);
  Options.store(Opts, "HelperDepth", std::to_string(HelperDepth));
}

void WsBlockingInHandlerCheck::registerCheckMatchers(MatchFinder *Finder) {
  Finder->addMatcher(
      callExpr(isInitiatingCall(AsyncPrefix), unless(isExpansionInSystemHeader())).bind("async"),
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
  return listedCallName(C, BlockingFunctions);
}

void WsBlockingInHandlerCheck::check(const MatchFinder::MatchResult &Result) {
  const FunctionDecl *Coroutine = Result.Nodes.getNodeAs<FunctionDecl>("function");
  if (const auto *Lambda = Result.Nodes.getNodeAs<LambdaExpr>("lambda"))
    Coroutine = Lambda->getCallOperator();
  if (Coroutine) {
    if (!isCoroutine(Coroutine))
      return;
    const Stmt *Body = Coroutine->getBody();
    if (const auto *Frame = dyn_cast<CoroutineBodyStmt>(Body))
      Body = Frame->getBody(); // the user's statements, not the promise's machinery
    llvm::SmallPtrSet<const FunctionDecl *, 8> Seen;
    scan({Coroutine, Body, 0, ""},
         {Result.SourceManager->getExpansionLoc(Coroutine->getLocation()), ""}, *Result.Context,
         Seen);
    return;
  }
  const auto *Initiating = Result.Nodes.getNodeAs<CallExpr>("async");
  for (const asio::CompletionHandler &H : asio::completionHandlers(Initiating, BindFunctions)) {
    if (!H.Body)
      continue;
    llvm::SmallPtrSet<const FunctionDecl *, 8> Seen;
    scan({H.Function, H.Body, 0, ""},
         {Result.SourceManager->getExpansionLoc(Initiating->getExprLoc()), calleeName(Initiating)},
         *Result.Context, Seen);
  }
}

/// True for a constant zero duration: `0s`, `std::chrono::seconds(0)`, `milliseconds{}`,
/// `seconds::zero()`: a std::chrono::duration is a class holding one count.
static bool isZeroDuration(const Expr *E, const ASTContext &Ctx) {
  Expr::EvalResult Value;
  if (E->isValueDependent() || !E->EvaluateAsRValue(Value, Ctx) || !Value.Val.isStruct() ||
      Value.Val.getStructNumFields() != 1 || Value.Val.getStructNumBases() != 0)
    return false;
  const APValue &Count = Value.Val.getStructField(0);
  return (Count.isInt() && Count.getInt().isZero()) || (Count.isFloat() && Count.getFloat().isZero());
}

/// `f.wait_for(0s)`: asks whether the future is ready without waiting.
static bool isReadinessPoll(const Stmt *S, const ASTContext &Ctx) {
  const auto *Call = dyn_cast<CallExpr>(S);
  return Call && calleeName(Call) == "wait_for" && Call->getNumArgs() >= 1 &&
         isZeroDuration(Call->getArg(0), Ctx);
}

/// For a condition that compares a readiness poll of the future with `ready`: true when it holds
/// only for a ready future (`f.wait_for(0s) == std::future_status::ready`, also as an operand of
/// `&&`), false when only for one that is not (`!= ready`), none for anything else.
static std::optional<bool> readyWhenTrue(const Expr *Cond, const ASTContext &Ctx,
                                         llvm::function_ref<bool(const Expr *)> SameObject) {
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *And = dyn_cast<BinaryOperator>(Cond); And && And->getOpcode() == BO_LAnd) {
    if (readyWhenTrue(And->getLHS(), Ctx, SameObject) == true ||
        readyWhenTrue(And->getRHS(), Ctx, SameObject) == true)
      return true;
    return std::nullopt;
  }
  const Expr *LHS = nullptr, *RHS = nullptr;
  bool Equal = false;
  if (const auto *Op = dyn_cast<BinaryOperator>(Cond); Op && Op->isEqualityOp()) {
    LHS = Op->getLHS(), RHS = Op->getRHS(), Equal = Op->getOpcode() == BO_EQ;
  } else if (const auto *Call = dyn_cast<CXXOperatorCallExpr>(Cond);
             Call && Call->getNumArgs() == 2 &&
             (Call->getOperator() == OO_EqualEqual || Call->getOperator() == OO_ExclaimEqual)) {
    LHS = Call->getArg(0), RHS = Call->getArg(1), Equal = Call->getOperator() == OO_EqualEqual;
  }
  if (!LHS)
    return std::nullopt;
  auto IsPoll = [&](const Expr *E) {
    const auto *Call = dyn_cast<CallExpr>(stripConversions(E));
    std::optional<ws::StreamCall> Poll = Call ? ws::asMemberCall(Call) : std::nullopt;
    return Call && isReadinessPoll(Call, Ctx) && Poll && Poll->Object && SameObject(Poll->Object);
  };
  auto IsReady = [](const Expr *E) {
    const auto *Ref = dyn_cast<DeclRefExpr>(stripConversions(E));
    return Ref && isa<EnumConstantDecl>(Ref->getDecl()) && Ref->getDecl()->getName() == "ready";
  };
  if ((IsPoll(LHS) && IsReady(RHS)) || (IsPoll(RHS) && IsReady(LHS)))
    return Equal;
  return std::nullopt;
}

/// True when \p S leaves the block it is in: return, continue, break, throw (nested lambdas
/// excluded).
static bool exits(const Stmt *S) {
  return findDescendant(
      S, [](const Stmt *T) { return isa<ReturnStmt, ContinueStmt, BreakStmt, CXXThrowExpr>(T); },
      isNestedCode);
}

/// True when \p C does not wait: a readiness poll, or a get()/wait() on a future known to be ready
/// there: in the branch of an `if` taken only when a poll of the same future says ready
/// (`if (job_.wait_for(0s) == std::future_status::ready) r = job_.get();`), or after an `if` that
/// leaves when it says not ready (`if (job_.wait_for(0s) != ready) return; r = job_.get();`).
static bool pollsWithoutWaiting(const CallExpr *C, ASTContext &Ctx) {
  if (isReadinessPoll(C, Ctx))
    return true;
  std::optional<ws::StreamCall> Member = ws::asMemberCall(C);
  if (!Member || !Member->Object || (Member->Method != "get" && Member->Method != "wait"))
    return false;
  const VarDecl *Root = rootVariable(Member->Object);
  const auto *Field = dyn_cast_or_null<MemberExpr>(stripConversions(Member->Object));
  auto SameObject = [&](const Expr *Other) {
    if (Root)
      return rootVariable(Other) == Root;
    const auto *OtherField = dyn_cast_or_null<MemberExpr>(stripConversions(Other));
    return Field && OtherField && Field->getMemberDecl() == OtherField->getMemberDecl();
  };
  const Stmt *Child = C;
  for (DynTypedNodeList Parents = Ctx.getParents(*C); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    if (Parents[0].get<FunctionDecl>())
      return false;
    const auto *S = Parents[0].get<Stmt>();
    if (!S) // a declaration holding the call (`int r = job_.get();`)
      continue;
    if (isa<LambdaExpr>(S))
      return false;
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      const std::optional<bool> Ready = readyWhenTrue(If->getCond(), Ctx, SameObject);
      if (Ready && ((*Ready && Child == If->getThen()) || (!*Ready && Child == If->getElse())))
        return true;
    }
    if (const auto *Block = dyn_cast<CompoundStmt>(S))
      for (const Stmt *Before : Block->body()) {
        if (Before == Child)
          break;
        const auto *Guard = dyn_cast<IfStmt>(Before);
        if (Guard && !Guard->getElse() && exits(Guard->getThen()) &&
            readyWhenTrue(Guard->getCond(), Ctx, SameObject) == false)
          return true;
      }
    Child = S;
  }
  return false;
}

void WsBlockingInHandlerCheck::scan(const Frame &F, const Origin &O, ASTContext &Ctx,
                                    llvm::SmallPtrSetImpl<const FunctionDecl *> &Seen) {
  const SourceManager &SM = Ctx.getSourceManager();
  const bool InCoroutine = O.Initiating.empty();
  if (F.Function && !Seen.insert(F.Function->getCanonicalDecl()).second)
    return;
  // Lambdas inside the handler are not part of it: they run wherever they are posted (a
  // thread pool) or are handlers of their own initiating calls, matched separately.
  findDescendant(F.Body, [&](const Stmt *S) {
    const auto *C = dyn_cast<CallExpr>(S);
    if (!C)
      return false;
    if (std::string Name = blockingName(C); !Name.empty() && !pollsWithoutWaiting(C, Ctx)) {
      const SourceLocation Loc = SM.getExpansionLoc(C->getExprLoc());
      if (!firstReportAt(Loc))
        return false;
      report(Loc, "'%0' blocks the I/O thread inside %select{a completion handler|a coroutine}1: "
                  "every connection served by this thread waits until it returns")
          << Name << InCoroutine;
      if (!F.Via.empty())
        diag(Loc, "reached from the %select{completion handler|coroutine}1 through a call to '%0'",
             DiagnosticIDs::Note)
            << F.Via << InCoroutine;
      if (InCoroutine)
        diag(O.Loc, "the coroutine runs on its executor's thread; co_await the asynchronous "
                    "operation or post the blocking work to a separate thread pool",
             DiagnosticIDs::Note);
      else
        diag(O.Loc, "the handler runs when '%0' completes; use the asynchronous operation or post "
                    "the blocking work to a separate thread pool",
             DiagnosticIDs::Note)
            << O.Initiating;
      return false;
    }
    // Follow the project's own functions the handler calls directly.
    const FunctionDecl *Callee = C->getDirectCallee();
    const FunctionDecl *Definition = nullptr;
    if (F.Depth >= HelperDepth || !Callee || !Callee->hasBody(Definition) ||
        SM.isInSystemHeader(Definition->getLocation()) ||
        asio::isInitiatingCall(C, AsyncPrefix))
      return false;
    scan({Definition, Definition->getBody(), F.Depth + 1,
          F.Via.empty() ? Definition->getNameAsString() : F.Via},
         O, Ctx, Seen);
    return false;
  }, isNestedCode);
}

} // namespace clang::tidy::errorshield
