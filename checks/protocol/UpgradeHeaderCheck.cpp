//===--- UpgradeHeaderCheck.cpp - errorshield-upgrade-header ---------------===//

#include "protocol/UpgradeHeaderCheck.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "protocol/ForwardedHeader.h"
#include "protocol/HeaderCopy.h"
#include "protocol/TlsWrite.h"
#include "protocol/WholeCopy.h"
#include "websocket/StreamModel.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

UpgradeHeaderCheck::UpgradeHeaderCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), MessageTypes(listOption("MessageTypes")),
      SetMethods(listOption("SetMethods")), UpgradeFields(listOption("UpgradeFields")),
      CleartextUpgradeTokens(listOption("CleartextUpgradeTokens")),
      H2cSettingsFields(listOption("H2cSettingsFields")),
      TlsStreamTypes(listOption("TlsStreamTypes")), RequiredSkips(listOption("RequiredSkips")),
      HopByHopHeaders(listOption("HopByHopHeaders")),
      ComparisonFunctions(listOption("ComparisonFunctions")),
      MessageReadFunctions(listOption("MessageReadFunctions")),
      MessageWriteFunctions(listOption("MessageWriteFunctions")) {}

void UpgradeHeaderCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "MessageTypes", MessageTypes);
  storeList(Opts, "SetMethods", SetMethods);
  storeList(Opts, "UpgradeFields", UpgradeFields);
  storeList(Opts, "CleartextUpgradeTokens", CleartextUpgradeTokens);
  storeList(Opts, "H2cSettingsFields", H2cSettingsFields);
  storeList(Opts, "TlsStreamTypes", TlsStreamTypes);
  storeList(Opts, "RequiredSkips", RequiredSkips);
  storeList(Opts, "HopByHopHeaders", HopByHopHeaders);
  storeList(Opts, "ComparisonFunctions", ComparisonFunctions);
  storeList(Opts, "MessageReadFunctions", MessageReadFunctions);
  storeList(Opts, "MessageWriteFunctions", MessageWriteFunctions);
}

void UpgradeHeaderCheck::registerCheckMatchers(MatchFinder *Finder) {
  using ws::matchers::streamMethodCall;
  Finder->addMatcher(callExpr(streamMethodCall(MessageTypes, SetMethods),
                              unless(isExpansionInSystemHeader()))
                         .bind("set"),
                     this);
  // A request written by hand: "...\r\nUpgrade: h2c\r\n..." sent with asio::write.
  Finder->addMatcher(stringLiteral(unless(isExpansionInSystemHeader())).bind("raw-text"), this);
  // for (auto const& f : req) ... and for (auto it = req.begin(); ...) ...
  auto OverMessage = expr(hasType(qualType(hasCanonicalType(hasDeclaration(
      namedDecl(matchers::hasListedQualifiedName(MessageTypes)))))));
  // Request out = in; out = in; out.base() = in.base();
  Finder->addMatcher(stmt(anyOf(declStmt(hasSingleDecl(varDecl(hasInitializer(OverMessage)))),
                                cxxOperatorCallExpr(hasOverloadedOperatorName("="))),
                          unless(isExpansionInSystemHeader()), unless(isInTemplateInstantiation()))
                         .bind("whole-copy"),
                     this);
  // http::async_read(upstream_, buffer_, res_) ... http::async_write(client_, res_, ...); in a
  // class template only its instantiations resolve the calls (reported once per location).
  Finder->addMatcher(
      callExpr(callee(functionDecl(matchers::hasListedQualifiedName(MessageReadFunctions))),
               argumentCountAtLeast(3), hasArgument(2, OverMessage),
               unless(isExpansionInSystemHeader()))
          .bind("relay-read"),
      this);
  Finder->addMatcher(
      callExpr(callee(functionDecl(matchers::hasListedQualifiedName(MessageWriteFunctions))),
               argumentCountAtLeast(2), hasArgument(1, OverMessage),
               unless(isExpansionInSystemHeader()))
          .bind("relay-write"),
      this);
  Finder->addMatcher(cxxForRangeStmt(hasRangeInit(OverMessage.bind("source")),
                                     hasLoopVariable(varDecl().bind("field")),
                                     unless(isExpansionInSystemHeader()))
                         .bind("loop"),
                     this);
  Finder->addMatcher(
      forStmt(hasLoopInit(declStmt(hasSingleDecl(varDecl(hasInitializer(ignoringImplicit(
                  cxxMemberCallExpr(callee(cxxMethodDecl(hasAnyName("begin", "cbegin"))),
                                    on(OverMessage.bind("source"))))))
                                                         .bind("field")))),
              unless(isExpansionInSystemHeader()))
          .bind("loop"),
      this);
}

void UpgradeHeaderCheck::check(const MatchFinder::MatchResult &Result) {
  if (const auto *Copy = Result.Nodes.getNodeAs<Stmt>("whole-copy")) {
    checkWholeCopy(Copy, *Result.Context);
    return;
  }
  for (const char *Kind : {"relay-read", "relay-write"})
    if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>(Kind)) {
      Context = Result.Context;
      const Decl *Stream = http::rootDecl(Call->getArg(0));
      const Decl *Message = http::rootDecl(Call->getArg(StringRef(Kind) == "relay-read" ? 2 : 1));
      if (Stream && Message)
        (StringRef(Kind) == "relay-read" ? Reads : Writes).push_back({Call, Stream, Message});
      return;
    }
  if (const auto *Text = Result.Nodes.getNodeAs<StringLiteral>("raw-text")) {
    checkRawUpgrade(Text, *Result.Context);
    return;
  }
  if (const auto *Set = Result.Nodes.getNodeAs<CallExpr>("set")) {
    checkCleartextUpgrade(Set, *Result.Context);
    checkForwardedHeader(Set, *Result.Context);
    return;
  }
  const auto *Loop = Result.Nodes.getNodeAs<Stmt>("loop");
  const Stmt *Body = isa<ForStmt>(Loop) ? cast<ForStmt>(Loop)->getBody()
                                        : cast<CXXForRangeStmt>(Loop)->getBody();
  checkHeaderCopy(Loop, Result.Nodes.getNodeAs<VarDecl>("field"),
                  Result.Nodes.getNodeAs<Expr>("source"), Body, *Result.Context);
}

bool UpgradeHeaderCheck::isTlsStream(QualType T, unsigned Depth) const {
  if (T.isNull() || Depth > 4)
    return false;
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  if (ws::isTypeNamed(T, TlsStreamTypes))
    return true;
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(T->getAsCXXRecordDecl());
  return Spec && llvm::any_of(Spec->getTemplateArgs().asArray(), [&](const TemplateArgument &A) {
           return A.getKind() == TemplateArgument::Type && isTlsStream(A.getAsType(), Depth + 1);
         });
}

void UpgradeHeaderCheck::checkForwardedHeader(const CallExpr *SetCall, ASTContext &Ctx) {
  std::optional<ws::StreamCall> Set = ws::asStreamCall(SetCall, MessageTypes);
  if (!Set || Set->Args.size() < 2 || !llvm::is_contained(SetMethods, Set->Method))
    return;
  const std::string Header = http::forwardedHopHeader(SetCall, Set->Object, Set->Args[0],
                                                      Set->Args.back(), HopByHopHeaders, Ctx);
  const SourceLocation Loc = Ctx.getSourceManager().getExpansionLoc(Set->Loc);
  if (Header.empty() || !firstReportAt(Loc))
    return;
  // Shown as the option spells it ("Keep-Alive"), not normalized.
  const auto Spelled = llvm::find_if(HopByHopHeaders, [&](const std::string &H) {
    return http::normalizedHeader(H) == Header;
  });
  const bool Negotiates = llvm::any_of(RequiredSkips, [&](const std::string &H) {
    return http::normalizedHeader(H) == Header;
  });
  report(Loc, "'%0' copied from another message: the next hop acts on a hop-by-hop header that "
              "was never meant for it%select{|, and a client's 'Upgrade: h2c' reaches the backend}1")
      << (Spelled != HopByHopHeaders.end() ? *Spelled : Header) << Negotiates;
}

void UpgradeHeaderCheck::checkCleartextUpgrade(const CallExpr *SetCall, ASTContext &Ctx) {
  std::optional<ws::StreamCall> Set = ws::asStreamCall(SetCall, MessageTypes);
  if (!Set || Set->Args.size() < 2)
    return;
  auto FieldIn = [&](const std::vector<std::string> &Fields) {
    return ws::isEnumeratorNamed(Set->Args[0], Fields) || ws::isStringNamed(Set->Args[0], Fields);
  };
  const bool Cleartext = FieldIn(UpgradeFields) &&
                         http::spellsToken(Set->Args.back(), CleartextUpgradeTokens, Ctx);
  // HTTP2-Settings is only ever sent with an h2c upgrade, whatever its value.
  const bool Settings = !Cleartext && FieldIn(H2cSettingsFields);
  const Decl *Message = http::rootDecl(Set->Object);
  const Stmt *Body = enclosingFunctionBody(SetCall, Ctx, /*StopAtLambdas=*/false);
  if (!(Cleartext || Settings) || !Message || !Body)
    return;
  const StringRef Header = Cleartext ? "Upgrade: h2c" : "HTTP2-Settings";
  auto IsTls = [&](QualType T) { return isTlsStream(T); };
  const SourceManager &SM = Ctx.getSourceManager();
  const SourceLocation Loc = SM.getExpansionLoc(Set->Loc);
  auto WrittenHere = [&](const CallExpr *Write) {
    diag(SM.getExpansionLoc(Write->getExprLoc()), "the message is written to a TLS stream here",
         DiagnosticIDs::Note);
  };
  // The same function hands the message and a TLS stream to one call: http::write(tls, req).
  const auto *F = dyn_cast_or_null<FunctionDecl>(Message->getDeclContext());
  if (const CallExpr *Write = http::tlsWriteOf(Message, Body, SetCall, IsTls)) {
    // In a function template the stream type decides: the calls that instantiate it with a TLS
    // stream are the mistake (`send_with_upgrade(secure, host)`), its cleartext uses are fine.
    // A template only ever instantiated with TLS streams is itself the mistake, at the set.
    std::vector<const CallExpr *> Instantiating;
    auto TlsArgument = [&](const TemplateArgument &Arg) {
      return Arg.getKind() == TemplateArgument::Type && isTlsStream(Arg.getAsType());
    };
    // `void ack(ssl::stream<Next> &s, ...)`: TLS whatever Next is.
    auto TlsParameter = [&](const FunctionTemplateDecl *Template) {
      return llvm::any_of(Template->getTemplatedDecl()->parameters(),
                          [&](const ParmVarDecl *P) { return isTlsStream(P->getType()); });
    };
    auto OnlyTls = [&](const FunctionTemplateDecl *Template) {
      return TlsParameter(Template) ||
             llvm::all_of(Template->specializations(), [&](const FunctionDecl *Spec) {
               const TemplateArgumentList *Args = Spec->getTemplateSpecializationArgs();
               return Args && llvm::any_of(Args->asArray(), TlsArgument);
             });
    };
    if (F && F->getPrimaryTemplate() && !OnlyTls(F->getPrimaryTemplate()))
      Instantiating = callsOf(F, Ctx);
    for (const CallExpr *Call : Instantiating)
      if (firstReportAt(SM.getExpansionLoc(Call->getBeginLoc()))) {
        const std::string Helper = nameAtCall(F, Call);
        reportCleartextUpgrade(SM.getExpansionLoc(Call->getBeginLoc()), Header, Helper);
        diag(Loc, "'%0' sets it here", DiagnosticIDs::Note) << Helper;
        WrittenHere(Write);
      }
    if (Instantiating.empty() && firstReportAt(Loc)) {
      reportCleartextUpgrade(Loc, Header, "");
      WrittenHere(Write);
    }
    return;
  }
  // A function it is handed to writes it (`co_await custody_call(std::move(up), cfg);`); a data
  // member, any member function of its class (a handler reached through bind_front_handler).
  const CallExpr *Later = nullptr;
  if (std::optional<http::CalleeWrite> Callee =
          http::calleeTlsWrite(Message, Body, SetCall, SM, IsTls))
    Later = Callee->Write;
  else if (const auto *Field = dyn_cast<FieldDecl>(Message))
    Later = http::memberTlsWrite(Field, IsTls);
  if (Later) {
    if (firstReportAt(Loc)) {
      reportCleartextUpgrade(Loc, Header, "");
      WrittenHere(Later);
    }
    return;
  }
  // A caller writes it: a helper's reference parameter, or the message a builder returns.
  if (!F)
    return;
  const std::vector<const CallExpr *> Calls = callsOf(F, Ctx);
  const std::vector<http::CallerWrite> Callers =
      http::callerTlsWrites(Message, F, Calls, Ctx, IsTls);
  // A free function or lambda, or a member of a class that holds a TLS stream (the TLS uplink's
  // decorate() override), every call of which writes to TLS is itself the mistake, at the set.
  const auto *Method = dyn_cast<CXXMethodDecl>(F);
  auto HoldsTls = [this](const FieldDecl *Field) { return isTlsStream(Field->getType()); };
  const bool TlsHelper = !Callers.empty() && Callers.size() == Calls.size() &&
                         (!Method || Method->getParent()->isLambda() ||
                          llvm::any_of(Method->getParent()->fields(), HoldsTls));
  for (const http::CallerWrite &Caller : Callers) {
    // Through a parameter the helper is fine on its own (its other callers may use cleartext
    // TCP): each call that hands it a message bound for TLS is the mistake.
    const bool AtCall = Caller.ThroughParameter && !TlsHelper;
    const SourceLocation At = AtCall ? SM.getExpansionLoc(Caller.Call->getBeginLoc()) : Loc;
    if (!firstReportAt(At))
      continue;
    const std::string Helper = AtCall ? nameAtCall(F, Caller.Call) : "";
    reportCleartextUpgrade(At, Header, Helper);
    if (AtCall)
      diag(Loc, "'%0' sets it here", DiagnosticIDs::Note) << Helper;
    WrittenHere(Caller.Write);
  }
}

void UpgradeHeaderCheck::checkRawUpgrade(const StringLiteral *Text, ASTContext &Ctx) {
  const size_t At = Text->isOrdinary()
                        ? http::upgradeOffset(Text->getString(), CleartextUpgradeTokens)
                        : StringRef::npos;
  if (At == StringRef::npos)
    return;
  auto IsTls = [&](QualType T) { return isTlsStream(T); };
  const CallExpr *Write = http::rawTlsWrite(Text, Ctx, IsTls);
  const SourceManager &SM = Ctx.getSourceManager();
  // At the line of the header in a literal spread over several (`"Host: ...\r\n" "Upgrade: h2c"`).
  const SourceLocation Loc =
      Text->getBeginLoc().isMacroID()
          ? SM.getExpansionLoc(Text->getBeginLoc())
          : Text->getLocationOfByte(At, SM, Ctx.getLangOpts(), Ctx.getTargetInfo());
  if (!Write || !firstReportAt(Loc))
    return;
  reportCleartextUpgrade(Loc, "Upgrade: h2c", "");
  diag(SM.getExpansionLoc(Write->getExprLoc()), "the message is written to a TLS stream here",
       DiagnosticIDs::Note);
}

void UpgradeHeaderCheck::reportCleartextUpgrade(SourceLocation Loc, StringRef Header,
                                                StringRef Setter) {
  report(Loc, "'%0'%select{| set by '%2'}1 on a message written to a TLS stream: h2c "
              "is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN "
              "(RFC 9113, section 3)")
      << Header << !Setter.empty() << Setter;
}

void UpgradeHeaderCheck::checkWholeCopy(const Stmt *S, ASTContext &Ctx) {
  std::optional<http::WholeCopy> Copy = http::wholeCopyAt(S, MessageTypes);
  const Stmt *Body = Copy ? enclosingFunctionBody(S, Ctx, /*StopAtLambdas=*/false) : nullptr;
  if (!Body || !http::copyLeaves(*Copy, Body))
    return;
  const std::vector<std::string> Left = http::headersLeftIn(*Copy, Body, RequiredSkips, Ctx);
  const SourceLocation Loc = Ctx.getSourceManager().getExpansionLoc(S->getBeginLoc());
  if (Left.empty() || !firstReportAt(Loc))
    return;
  std::string Names;
  for (size_t I = 0; I < Left.size(); ++I)
    Names += (I == 0 ? "'" : I + 1 == Left.size() ? " and '" : ", '") + Left[I] + "'";
  report(Loc, "'%0' is copied whole from '%1', with its hop-by-hop header%s2 %3: the next hop "
              "acts on connection headers that were never meant for it")
      << Copy->Target->getName() << cast<NamedDecl>(Copy->Source)->getName()
      << static_cast<unsigned>(Left.size()) << Names;
}

void UpgradeHeaderCheck::checkHeaderCopy(const Stmt *Loop, const VarDecl *Field,
                                         const Expr *Source, const Stmt *Body, ASTContext &Ctx) {
  const Decl *From = http::rootDecl(Source);
  const llvm::SmallVector<const VarDecl *, 4> FieldVars = http::fieldVariables(Body, Field);
  // The copying call: set/insert on another message, fed from the loop's field (or locals taken
  // from it: `std::string name(f.name_string()); out.set(name, value);`).
  const CallExpr *Copy = nullptr;
  findDescendant(
      Body,
      [&](const Stmt *S) {
        const auto *Call = dyn_cast<CallExpr>(S);
        std::optional<ws::StreamCall> Set = Call ? ws::asStreamCall(Call, MessageTypes) : std::nullopt;
        if (Set && llvm::is_contained(SetMethods, Set->Method) &&
            http::rootDecl(Set->Object) != From &&
            llvm::any_of(Set->Args, [&](const Expr *A) { return refersToAny(A, FieldVars); }))
          Copy = Call;
        return Copy != nullptr;
      },
      [](const Stmt *S) { return isa<LambdaExpr>(S); });
  if (!Copy)
    return;
  const http::SkipConditions Skips = http::skipConditions(Body, Field, ComparisonFunctions);
  // An allow-list copies only the names it compares with: hop-by-hop ones only if listed.
  const std::optional<std::set<std::string>> Allowed =
      http::allowListedNames(Body, Copy, FieldVars, ComparisonFunctions);
  std::vector<std::string> Unskipped;
  for (const std::string &Required : RequiredSkips)
    if (Allowed ? Allowed->count(http::normalizedHeader(Required)) != 0
                : !Skips.Names.count(http::normalizedHeader(Required)))
      Unskipped.push_back(Required);
  // Erased (or set) on a local copy after the loop: `fwd.erase(http::field::upgrade);`.
  const std::optional<ws::StreamCall> Set = ws::asMemberCall(Copy);
  const auto *Target = dyn_cast_or_null<VarDecl>(http::rootDecl(Set->Object));
  if (const Stmt *Function = enclosingFunctionBody(Loop, Ctx, /*StopAtLambdas=*/true);
      Function && Target && Target->isLocalVarDecl())
    Unskipped = http::headersLeftIn({Loop, Target, From}, Function, Unskipped, Ctx);
  const SourceLocation Loc = Set->Loc;
  if (Skips.AsksHelper || Unskipped.empty() || !firstReportAt(Loc))
    return;
  std::string Missing, All;
  for (size_t I = 0; I < Unskipped.size(); ++I)
    Missing += (I == 0 ? "'" : I + 1 == Unskipped.size() ? " and '" : ", '") + Unskipped[I] + "'";
  for (const std::string &Name : HopByHopHeaders)
    All += (All.empty() ? "" : ", ") + Name;
  report(Loc, "header copy loop forwards the hop-by-hop header%s1 %0: the next hop acts on "
              "connection headers that were never meant for it")
      << Missing << static_cast<unsigned>(Unskipped.size());
  diag(Loop->getBeginLoc(), "skip the hop-by-hop headers (%0, and any named in Connection), "
                            "e.g. with a helper such as is_hop_by_hop(field)",
       DiagnosticIDs::Note)
      << All;
}

void UpgradeHeaderCheck::onEndOfTranslationUnit() {
  reportRelays();
  Reads.clear();
  Writes.clear();
  Context = nullptr;
}

void UpgradeHeaderCheck::reportRelays() {
  for (const Transfer &W : Writes) {
    // Read from another stream into the very message written here: a relay.
    auto Read = llvm::find_if(Reads, [&](const Transfer &R) {
      return R.Message == W.Message && R.Stream != W.Stream;
    });
    if (Read == Reads.end() || !Context)
      continue;
    // Whatever may clean it: the class's member functions for a member, else the function.
    std::vector<const Stmt *> Bodies;
    if (const auto *Field = dyn_cast<FieldDecl>(W.Message)) {
      for (const FunctionDecl *Method : definedMethods(cast<CXXRecordDecl>(Field->getParent())))
        Bodies.push_back(Method->getBody());
    } else if (const Stmt *Body = enclosingFunctionBody(W.Call, *Context, /*StopAtLambdas=*/false)) {
      Bodies.push_back(Body);
    }
    // The relay's own reads and writes move the message; they are not helpers that clean it.
    std::vector<const CallExpr *> Transfers;
    for (const std::vector<Transfer> *List : {&Reads, &Writes})
      for (const Transfer &T : *List)
        if (T.Message == W.Message)
          Transfers.push_back(T.Call);
    const std::vector<std::string> Left =
        http::headersLeftOnRelay(W.Message, Bodies, Transfers, RequiredSkips, *Context);
    const SourceLocation Loc = Context->getSourceManager().getExpansionLoc(W.Call->getBeginLoc());
    if (Bodies.empty() || Left.empty() || !firstReportAt(Loc))
      continue;
    std::string Names;
    for (size_t I = 0; I < Left.size(); ++I)
      Names += (I == 0 ? "'" : I + 1 == Left.size() ? " and '" : ", '") + Left[I] + "'";
    report(Loc, "'%0', read from '%1', is written to '%2' with its hop-by-hop header%s3 %4: the "
                "next hop acts on connection headers that were never meant for it")
        << cast<NamedDecl>(W.Message)->getName() << cast<NamedDecl>(Read->Stream)->getName()
        << cast<NamedDecl>(W.Stream)->getName() << static_cast<unsigned>(Left.size()) << Names;
    diag(Read->Call->getBeginLoc(), "read here", DiagnosticIDs::Note);
  }
}

} // namespace clang::tidy::errorshield
