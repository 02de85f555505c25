//===--- WsHandshakeOriginCheck.cpp - errorshield-ws-handshake-origin -----===//

#include "websocket/WsHandshakeOriginCheck.h"
#include "core/Matchers.h"
#include "websocket/HeaderAccess.h"
#include "websocket/OriginDecision.h"
#include "clang/Basic/SourceManager.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ParentMapContext.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

static constexpr llvm::StringLiteral Origin = "origin", Subprotocol = "subprotocol";

WsHandshakeOriginCheck::WsHandshakeOriginCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), StreamTypes(listOption("StreamTypes")),
      AcceptMethods(listOption("AcceptMethods")), RequestTypes(listOption("RequestTypes")),
      HeaderWriteMethods(listOption("HeaderWriteMethods")), OriginFields(listOption("OriginFields")),
      OriginHeaderNames(listOption("OriginHeaderNames")),
      SubprotocolFields(listOption("SubprotocolFields")),
      SubprotocolHeaderNames(listOption("SubprotocolHeaderNames")),
      ObjectFactories(listOption("ObjectFactories")) {}

void WsHandshakeOriginCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "StreamTypes", StreamTypes);
  storeList(Opts, "AcceptMethods", AcceptMethods);
  storeList(Opts, "RequestTypes", RequestTypes);
  storeList(Opts, "HeaderWriteMethods", HeaderWriteMethods);
  storeList(Opts, "OriginFields", OriginFields);
  storeList(Opts, "OriginHeaderNames", OriginHeaderNames);
  storeList(Opts, "SubprotocolFields", SubprotocolFields);
  storeList(Opts, "SubprotocolHeaderNames", SubprotocolHeaderNames);
  storeList(Opts, "ObjectFactories", ObjectFactories);
}

namespace {
AST_MATCHER_P(StringLiteral, equalsAnyIgnoringCase, std::vector<std::string>, Names) {
  return Node.isOrdinary() && llvm::any_of(Names, [&](const std::string &N) {
           return Node.getString().equals_insensitive(N);
         });
}
} // namespace

namespace {
/// A call whose result is a request, or a template over one (`awaitable<request_t>`,
/// `std::optional<request_t>`).
AST_MATCHER_P(CallExpr, yieldsRequest, std::vector<std::string>, RequestTypes) {
  QualType T = Node.getType();
  if (T.isNull() || T->isDependentType())
    return false;
  if (ws::isTypeNamed(T, RequestTypes))
    return true;
  const auto *Spec =
      dyn_cast_or_null<ClassTemplateSpecializationDecl>(T->getAsCXXRecordDecl());
  return Spec && Spec->getTemplateArgs().size() > 0 &&
         Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type &&
         ws::isTypeNamed(Spec->getTemplateArgs()[0].getAsType(), RequestTypes);
}
} // namespace

void WsHandshakeOriginCheck::registerCheckMatchers(MatchFinder *Finder) {
  auto InFunction = forCallable(decl().bind("fn"));
  std::vector<std::string> Fields = OriginFields, Names = OriginHeaderNames;
  Fields.insert(Fields.end(), SubprotocolFields.begin(), SubprotocolFields.end());
  Names.insert(Names.end(), SubprotocolHeaderNames.begin(), SubprotocolHeaderNames.end());
  Finder->addMatcher(
      callExpr(ws::matchers::streamMethodCall(StreamTypes, AcceptMethods), InFunction).bind("accept"),
      this);
  Finder->addMatcher(
      declRefExpr(to(enumConstantDecl(matchers::hasAnyListedName(Fields))), InFunction)
          .bind("header"),
      this);
  Finder->addMatcher(stringLiteral(equalsAnyIgnoringCase(Names), InFunction).bind("header"), this);
  Finder->addMatcher(callExpr(ws::matchers::hasArgumentOfType(RequestTypes), InFunction).bind("pass"), this);
  Finder->addMatcher(callExpr(callee(functionDecl(unless(isExpansionInSystemHeader()))),
                              unless(isExpansionInSystemHeader()), InFunction)
                         .bind("user-call"),
                     this);
  // A function that produces the request (`auto req = co_await read_checked_upgrade(...)`): what it
  // reads of the request counts like what a function handed the request reads.
  Finder->addMatcher(callExpr(yieldsRequest(RequestTypes), InFunction).bind("pass"), this);
  Finder->addMatcher(
      cxxConstructExpr(ws::matchers::hasArgumentOfType(RequestTypes), InFunction).bind("construct"),
      this);
}

void WsHandshakeOriginCheck::check(const MatchFinder::MatchResult &Result) {
  const FunctionDecl *Function = ws::outerFunction(
      dyn_cast_or_null<FunctionDecl>(Result.Nodes.getNodeAs<Decl>("fn")));
  if (!Function)
    return;
  Ctx = Result.Context;
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("user-call")) {
    if (const FunctionDecl *Callee = Call->getDirectCallee())
      UserCalls.push_back({Function, ws::outerFunction(Callee), Call});
    return;
  }
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("accept"))
    collectAccept(Call, Function, *Result.SourceManager);
  if (const auto *Header = Result.Nodes.getNodeAs<Expr>("header")) {
    const bool IsOrigin = ws::isEnumeratorNamed(Header, OriginFields) ||
                          ws::isStringNamed(Header, OriginHeaderNames);
    collectHeaderUse(Header, IsOrigin ? Origin : Subprotocol, *Result.Context, Function);
  }
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("pass"))
    collectRequestPass(Call, Function, *Result.Context);
  if (const auto *Construct = Result.Nodes.getNodeAs<CXXConstructExpr>("construct"))
    Flow.addPass(Function, ws::outerFunction(Construct->getConstructor()));
}

void WsHandshakeOriginCheck::collectAccept(const CallExpr *Call, const FunctionDecl *Function,
                                           const SourceManager &SM) {
  std::optional<ws::StreamCall> Accept = ws::asStreamCall(Call, StreamTypes);
  Flow.addAcceptor(Function);
  const Expr *Request = nullptr;
  for (const Expr *Arg : Accept->Args)
    if (ws::isTypeNamed(Arg->getType(), RequestTypes))
      Request = Arg;
  bool Borrowed = false;
  std::optional<ws::ObjectKey> Stream = ws::ownedOrBorrowedObject(Accept->Object, &Borrowed);
  if (!Stream)
    return;
  const auto *Ref = Request ? dyn_cast<DeclRefExpr>(stripConversions(Request)) : nullptr;
  const bool FromCaller = Ref && isa<ParmVarDecl>(Ref->getDecl()) &&
                          (Borrowed || !SM.isInMainFile(SM.getExpansionLoc(Accept->Loc)));
  Accepts.push_back(
      {Call, Accept->Loc, Accept->Method, *Stream, Function, Request != nullptr, FromCaller});
}

/// True when \p Access (a call or subscript) is made on an object of one of the request types.
bool WsHandshakeOriginCheck::accessesRequest(const Expr *Access) const {
  const Expr *Object = nullptr;
  if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(Access))
    Object = Subscript->getBase();
  else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Access); Op && Op->getNumArgs() > 0)
    Object = Op->getArg(0);
  else if (std::optional<ws::StreamCall> Member = ws::asMemberCall(cast<CallExpr>(Access)))
    Object = Member->Object;
  return Object && (ws::isTypeNamed(Object->IgnoreParenImpCasts()->getType(), RequestTypes) ||
                    Object->getType()->isDependentType());
}

void WsHandshakeOriginCheck::collectHeaderUse(const Expr *Header, StringRef Which,
                                              ASTContext &Context, const FunctionDecl *Function) {
  const Expr *Access = ws::enclosingCall(Header, Context);
  const std::string Name = Access ? ws::accessName(Access) : "";
  // "Origin" as a string counts only where a request's headers are accessed (req["Origin"],
  // req.find("Origin")), not as a log label or an unrelated key.
  if (isa<StringLiteral>(stripConversions(Header)) && !(Access && accessesRequest(Access)))
    return;
  if (!llvm::is_contained(HeaderWriteMethods, Name)) {
    // Any use that does not write the header (operator[], find, at, a helper, a comparison) counts
    // as a read, so an Origin check is never missed; unless nothing can depend on the value.
    // Where a copy of the value decides (after the accept, maybe) stands for the read.
    const std::optional<SourceLocation> DecidesAt =
        Which == Origin ? ws::decidesOnOrigin(Access ? Access : Header, Context, Names)
                        : std::nullopt;
    if (Which == Origin && !DecidesAt)
      return;
    if (Which == Origin && ws::isOriginAccessor(Function) &&
        ws::flowsToReturn(Access ? Access : Header, Context)) {
      OriginAccessors.insert(Function); // `return it->value();`: its callers decide
      return;
    }
    Flow.addRead(Function, Which);
    if (Which == Origin)
      OriginReadsAt.push_back({Function, *DecidesAt});
    return;
  }
  const auto *Call = cast<CallExpr>(Access);
  std::optional<ws::StreamCall> Set = ws::asMemberCall(Call);
  // Only a response answers; a client's request decorator offers subprotocols.
  if (Which != Subprotocol || !Set || !Set->Object ||
      ws::isRequest(Set->Object->IgnoreParenImpCasts()->getType()))
    return;
  // A decorator installed on a stream the code does not own is not judged, like its accept.
  if (std::optional<ws::StreamCall> Installer = ws::enclosingStreamCall(Call, Context, StreamTypes);
      Installer && !ws::ownedObject(Installer->Object))
    return;
  for (unsigned I = 0; I + 1 < Call->getNumArgs(); ++I)
    if (stripConversions(Call->getArg(I)) == stripConversions(Header))
      if (const StringLiteral *Value = ws::fixedString(Call->getArg(I + 1)))
        Answers.push_back({Set->Loc, Value->getString().str(), Function});
}

void WsHandshakeOriginCheck::collectRequestPass(const CallExpr *Call, const FunctionDecl *Function,
                                                ASTContext &Ctx) {
  // A validator whose verdict nothing acts on (`const bool ok = allowed(req); if (!ok) log();`)
  // does not count; one whose verdict is acted on counts where it is (maybe after the accept).
  SourceLocation DecidesAt = Ctx.getSourceManager().getExpansionLoc(Call->getBeginLoc());
  if (!Call->getType().isNull() && Call->getType()->isBooleanType()) {
    std::optional<SourceLocation> At = ws::decidesOnOrigin(Call, Ctx, Names);
    if (!At)
      return;
    DecidesAt = *At;
  }
  // A verdict record whose Origin field the caller never reads (`if (v.user.empty()) ...`).
  if (ws::dropsOriginVerdict(Call, Function))
    return;
  std::vector<const FunctionDecl *> Callees;
  if (const FunctionDecl *Callee = Call->getDirectCallee())
    Callees.push_back(Callee);
  else if (const auto *Overloads =
               dyn_cast_or_null<OverloadExpr>(Call->getCallee()->IgnoreParenImpCasts()))
    for (const NamedDecl *D : Overloads->decls())
      if (const FunctionDecl *F = D->getAsFunction())
        Callees.push_back(F);
  for (const FunctionDecl *Callee : Callees) {
    Flow.addPass(Function, ws::outerFunction(Callee));
    PassesAt.push_back({Function, ws::outerFunction(Callee), DecidesAt});
    // std::make_shared<Session>(socket, std::move(req)): the request goes to Session's constructor.
    const TemplateArgumentList *Args = Callee->getTemplateSpecializationArgs();
    if (!Args || Args->size() == 0 || Args->get(0).getKind() != TemplateArgument::Type ||
        !hasListedQualifiedName(Callee, ObjectFactories))
      continue;
    if (const CXXRecordDecl *Made = Args->get(0).getAsType()->getAsCXXRecordDecl())
      for (const CXXConstructorDecl *Constructor : Made->ctors())
        Flow.addPass(Function, ws::outerFunction(Constructor));
  }
}

bool WsHandshakeOriginCheck::ownerReads(const ws::ObjectKey &Stream, const FunctionDecl *Function,
                                        StringRef Header) const {
  if (Flow.readsDown(Function, Header) || Flow.readByCaller(Function, Header))
    return true;
  if (const CXXRecordDecl *Record = ws::memberOwner(Stream, Function))
    return Flow.readInClass(Record, Header) || Flow.readByCallerOfClass(Record, Header);
  return false;
}

bool WsHandshakeOriginCheck::checkedOnlyAfter(const Accept &A) const {
  // A caller may check before this function runs.
  if (!Ctx || Flow.readByCaller(A.Function, Origin))
    return false;
  // A check of its own: not one in the accept's completion handler (which runs after it), and a
  // request handed to a function whose body is seen to read Origin, not one given the benefit of
  // the doubt.
  auto InAccept = [&](SourceLocation Loc) {
    return spansLocation(A.Call, Loc, Ctx->getSourceManager());
  };
  const bool ChecksHere =
      llvm::any_of(OriginReadsAt,
                   [&](const auto &R) { return R.first == A.Function && !InAccept(R.second); }) ||
      llvm::any_of(PassesAt, [&](const PassAt &P) {
        return P.Caller == A.Function && P.Callee != A.Function && !InAccept(P.Loc) &&
               Flow.readsDown(P.Callee, Origin);
      });
  // So may another member of the stream's class, unless this function is where the check is made.
  if (const CXXRecordDecl *Record = ws::memberOwner(A.Stream, A.Function);
      !ChecksHere && Record &&
      (Flow.readInClass(Record, Origin) || Flow.readByCallerOfClass(Record, Origin)))
    return false;
  std::vector<const Stmt *> Siblings;
  for (const Accept &B : Accepts)
    if (B.Function == A.Function)
      Siblings.push_back(B.Call);
  for (const auto &[Function, Loc] : OriginReadsAt)
    if (Function == A.Function && ws::checkMayPrecede(Loc, A.Call, *Ctx) &&
        !ws::checkInOtherHandler(Loc, A.Call, Siblings, *Ctx))
      return false;
  for (const PassAt &P : PassesAt)
    if (P.Caller == A.Function && P.Callee != A.Function &&
        ws::checkMayPrecede(P.Loc, A.Call, *Ctx) &&
        !ws::checkInOtherHandler(P.Loc, A.Call, Siblings, *Ctx) &&
        Flow.passChecks(P.Callee, Origin))
      return false;
  return true;
}

void WsHandshakeOriginCheck::addCalledReads() {
  if (!Ctx)
    return;
  // An accessor that only forwards another's answer is an accessor too (a few levels).
  for (int Round = 0; Round < 3; ++Round)
    for (const UserCall &C : UserCalls)
      if (OriginAccessors.count(C.Callee) && ws::isOriginAccessor(C.Caller) &&
          ws::flowsToReturn(C.Call, *Ctx))
        OriginAccessors.insert(C.Caller);
  for (const UserCall &C : UserCalls)
    if (OriginAccessors.count(C.Callee) && !OriginAccessors.count(C.Caller))
      if (std::optional<SourceLocation> At = ws::decidesOnOrigin(C.Call, *Ctx, Names)) {
        Flow.addRead(C.Caller, Origin);
        OriginReadsAt.push_back({C.Caller, *At});
      }
  // `if (!origin_ok()) return reject();`: a member that checks the stored request, called here.
  // Positions only: whether the caller counts as reading is still the request's flow.
  for (const UserCall &C : UserCalls)
    if (C.Callee != C.Caller && !OriginAccessors.count(C.Callee) &&
        Flow.readsDown(C.Callee, Origin, /*Depth=*/4, /*SkipAcceptors=*/true))
      if (std::optional<SourceLocation> At = ws::decidesOnOrigin(C.Call, *Ctx, Names))
        OriginReadsAt.push_back({C.Caller, *At});
}

void WsHandshakeOriginCheck::onEndOfTranslationUnit() {
  addCalledReads();
  for (const Accept &A : Accepts) {
    if (!A.HasRequest) {
      if (firstReportAt(A.Loc))
        report(A.Loc, "%0 without a request: the library reads the handshake itself, so its "
                      "Origin header can never be checked (cross-site WebSocket hijacking)")
            << A.Method;
      continue;
    }
    // An accept of a request its caller hands over is judged where the caller is seen.
    if (A.NeedsCaller && !Flow.hasCaller(A.Function))
      continue;
    if ((!ownerReads(A.Stream, A.Function, Origin) || checkedOnlyAfter(A)) &&
        firstReportAt(A.Loc))
      report(A.Loc, "%0 accepts a handshake whose Origin header is never checked: any web page can "
                    "open this connection with the user's cookies (cross-site WebSocket hijacking)")
          << A.Method;
  }
  for (const FixedSubprotocol &S : Answers) {
    const CXXRecordDecl *Record = ws::ownerClass(S.Function);
    const bool Negotiated = Flow.readsDown(S.Function, Subprotocol) ||
                            Flow.readByCaller(S.Function, Subprotocol) ||
                            (Record && Flow.readInClass(Record, Subprotocol));
    if (!Negotiated && firstReportAt(S.Loc))
      report(S.Loc, "the handshake answers with the fixed subprotocol '%0' without reading the "
                    "client's Sec-WebSocket-Protocol: a client that did not offer it is told it "
                    "was chosen")
          << S.Value;
  }
  Accepts.clear();
  OriginReadsAt.clear();
  PassesAt.clear();
  OriginAccessors.clear();
  UserCalls.clear();
  Ctx = nullptr;
  Answers.clear();
  Flow.clear();
}

} // namespace clang::tidy::errorshield
