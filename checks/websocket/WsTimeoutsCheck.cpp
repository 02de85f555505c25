//===--- WsTimeoutsCheck.cpp - errorshield-ws-timeouts --------------------===//

#include "websocket/WsTimeoutsCheck.h"
#include "websocket/StreamOrigin.h"
#include "websocket/WriteQueue.h"
#include "core/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

/// 2 -> "2", 0.5 -> "0.5".
static std::string formatSeconds(double Seconds) {
  if (Seconds == double(static_cast<long long>(Seconds)))
    return std::to_string(static_cast<long long>(Seconds));
  return llvm::formatv("{0:F3}", Seconds).str();
}

static double parseSeconds(StringRef Text, double Default) {
  double Value = 0;
  return Text.trim().getAsDouble(Value) ? Default : Value;
}

WsTimeoutsCheck::WsTimeoutsCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), StreamTypes(listOption("StreamTypes")),
      ServerHandshakeMethods(listOption("ServerHandshakeMethods")),
      ClientHandshakeMethods(listOption("ClientHandshakeMethods")),
      SetOptionMethods(listOption("SetOptionMethods")), ReadMethods(listOption("ReadMethods")),
      TimeoutOptionTypes(listOption("TimeoutOptionTypes")),
      Vocabulary{listOption("SuggestedFunctions"), listOption("NoTimeoutFunctions"),
                 listOption("ClientRoles"), stringOption("HandshakeTimeoutField"),
                 stringOption("IdleTimeoutField"), stringOption("KeepAlivePingsField")},
      MinIdleTimeoutSeconds(parseSeconds(stringOption("MinIdleTimeoutSeconds"), 5)),
      MaxIdleTimeoutSeconds(parseSeconds(stringOption("MaxIdleTimeoutSeconds"), 3600)),
      ReadClientsNeedIdleTimeout(
          StringRef(stringOption("ReadClientsNeedIdleTimeout")).equals_insensitive("true")),
      AppTimeout{StreamTypes, listOption("TimerWaitMethods"), listOption("WatchdogMethods"),
                 listOption("LowestLayerFunctions"), listOption("BindFunctions"),
                 listOption("DeadlineMethods"), ReadMethods} {}

void WsTimeoutsCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "StreamTypes", StreamTypes);
  storeList(Opts, "ServerHandshakeMethods", ServerHandshakeMethods);
  storeList(Opts, "ClientHandshakeMethods", ClientHandshakeMethods);
  storeList(Opts, "SetOptionMethods", SetOptionMethods);
  storeList(Opts, "ReadMethods", ReadMethods);
  storeList(Opts, "TimeoutOptionTypes", TimeoutOptionTypes);
  storeList(Opts, "SuggestedFunctions", Vocabulary.SuggestedFunctions);
  storeList(Opts, "NoTimeoutFunctions", Vocabulary.NoTimeoutFunctions);
  storeList(Opts, "ClientRoles", Vocabulary.ClientRoles);
  Options.store(Opts, "HandshakeTimeoutField", Vocabulary.HandshakeField);
  Options.store(Opts, "IdleTimeoutField", Vocabulary.IdleField);
  Options.store(Opts, "KeepAlivePingsField", Vocabulary.KeepAliveField);
  Options.store(Opts, "MinIdleTimeoutSeconds", formatSeconds(MinIdleTimeoutSeconds));
  Options.store(Opts, "MaxIdleTimeoutSeconds", formatSeconds(MaxIdleTimeoutSeconds));
  Options.store(Opts, "ReadClientsNeedIdleTimeout", ReadClientsNeedIdleTimeout ? "true" : "false");
  storeList(Opts, "TimerWaitMethods", AppTimeout.TimerWaitMethods);
  storeList(Opts, "WatchdogMethods", AppTimeout.WatchdogMethods);
  storeList(Opts, "LowestLayerFunctions", AppTimeout.LowestLayerFunctions);
  storeList(Opts, "BindFunctions", AppTimeout.BindFunctions);
  storeList(Opts, "DeadlineMethods", AppTimeout.DeadlineMethods);
}

void WsTimeoutsCheck::registerCheckMatchers(MatchFinder *Finder) {
  using ws::matchers::streamMethodCall;
  std::vector<std::string> HandshakeMethods = ServerHandshakeMethods;
  HandshakeMethods.insert(HandshakeMethods.end(), ClientHandshakeMethods.begin(),
                          ClientHandshakeMethods.end());
  Finder->addMatcher(callExpr(streamMethodCall(StreamTypes, HandshakeMethods)).bind("handshake"),
                     this);
  Finder->addMatcher(
      callExpr(streamMethodCall(StreamTypes, SetOptionMethods), argumentCountIs(1)).bind("set"),
      this);
  Finder->addMatcher(callExpr(ws::matchers::hasArgumentOfType(StreamTypes)).bind("pass"), this);
  Finder->addMatcher(cxxMemberCallExpr(callee(cxxMethodDecl(matchers::hasAnyListedName(
                                           AppTimeout.TimerWaitMethods))),
                                       unless(isExpansionInSystemHeader()))
                         .bind("timer-wait"),
                     this);
  Finder->addMatcher(cxxMemberCallExpr(callee(cxxMethodDecl(matchers::hasAnyListedName(
                                           AppTimeout.DeadlineMethods))),
                                       unless(isExpansionInSystemHeader()))
                         .bind("deadline"),
                     this);
  // Reads: a client stream left with the client role's values waits on them forever.
  Finder->addMatcher(callExpr(streamMethodCall(StreamTypes, ReadMethods)).bind("read"), this);
  // A stream re-created in place: std::optional's emplace, a smart pointer's reset.
  Finder->addMatcher(cxxMemberCallExpr(callee(cxxMethodDecl(hasAnyName("emplace", "reset"))),
                                       unless(isExpansionInSystemHeader()),
                                       on(hasType(ws::matchers::holdsStream(StreamTypes))))
                         .bind("recreate"),
                     this);
  Finder->addMatcher(cxxOperatorCallExpr(hasOverloadedOperatorName("="),
                                         unless(isExpansionInSystemHeader()),
                                         hasArgument(0, expr(hasType(ws::matchers::holdsStream(
                                                            StreamTypes)))))
                         .bind("assign"),
                     this);
  Finder->addMatcher(cxxOperatorCallExpr(hasOverloadedOperatorName("||"),
                                         unless(isExpansionInSystemHeader()))
                         .bind("race"),
                     this);
}

void WsTimeoutsCheck::check(const MatchFinder::MatchResult &Result) {
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("pass")) {
    Facts.addPasses(Call, StreamTypes);
    // A library function (get_lowest_layer, std::move) sets no option on the stream it is given.
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (Callee && Result.SourceManager->isInSystemHeader(Callee->getLocation()))
      return;
    for (const Expr *Arg : Call->arguments())
      if (std::optional<ws::ObjectKey> Stream = ws::ownedObject(Arg))
        Handovers.push_back({*Stream, Call->getBeginLoc()});
    return;
  }
  // A timeout of the application's own counts like the option: a timer that closes or pings
  // the stream, or a read raced against a timer.
  if (const auto *Wait = Result.Nodes.getNodeAs<CallExpr>("timer-wait")) {
    for (const Expr *Stream : ws::streamsWatchedByTimer(Wait, AppTimeout))
      addAppTimeout(Stream);
    return;
  }
  if (const auto *Expiry = Result.Nodes.getNodeAs<CallExpr>("deadline")) {
    if (const Expr *Stream = ws::streamWithDeadlinePerRead(Expiry, AppTimeout, *Result.Context))
      addAppTimeout(Stream);
    return;
  }
  if (const auto *Race = Result.Nodes.getNodeAs<CXXOperatorCallExpr>("race")) {
    if (const Expr *Stream = ws::streamReadRacedAgainstTimer(Race, AppTimeout))
      addAppTimeout(Stream);
    return;
  }
  if (const auto *Read = Result.Nodes.getNodeAs<CallExpr>("read")) {
    if (std::optional<ws::StreamCall> Call = ws::asStreamCall(Read, StreamTypes))
      Facts.addFor(Call->Object, "reads");
    return;
  }
  if (const auto *Reset = Result.Nodes.getNodeAs<CXXMemberCallExpr>("recreate")) {
    if (Reset->getNumArgs() == 0 && Reset->getMethodDecl()->getName() == "reset")
      return; // destroyed, not re-created
    if (std::optional<ws::ObjectKey> Stream = ws::ownedObject(Reset->getImplicitObjectArgument()))
      Recreations.push_back({*Stream, Reset->getExprLoc()});
    return;
  }
  if (const auto *Assign = Result.Nodes.getNodeAs<CXXOperatorCallExpr>("assign")) {
    if (std::optional<ws::ObjectKey> Stream = ws::ownedObject(Assign->getArg(0)))
      Assignments.push_back({*Stream, Assign->getArg(0)->getBeginLoc()});
    return;
  }
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("set")) {
    std::optional<ws::StreamCall> Set = ws::asStreamCall(Call, StreamTypes);
    const Expr *Option = Set->Args[0];
    if (!ws::isTypeNamed(Option->getType(), TimeoutOptionTypes))
      return;
    std::optional<ws::ObjectKey> Stream = ws::ownedObject(Set->Object);
    Facts.addFor(Set->Object, "timeout");
    if (Stream)
      OptionSets.push_back({*Stream, Set->Loc});
    if (!Call->isValueDependent())
      TimeoutSets.push_back(
          {Set->Loc, Stream, ws::evaluateTimeout(Option, Call, Vocabulary, *Result.Context)});
    SM = Result.SourceManager;
    return;
  }
  std::optional<ws::StreamCall> Call =
      ws::asStreamCall(Result.Nodes.getNodeAs<CallExpr>("handshake"), StreamTypes);
  std::optional<ws::ObjectKey> Stream = ws::ownedObject(Call->Object);
  if (!Stream)
    return;
  const bool Server = llvm::is_contained(ServerHandshakeMethods, Call->Method);
  Facts.add(*Stream, Server ? "server" : "client");
  const auto *HandshakeCall = Result.Nodes.getNodeAs<CallExpr>("handshake");
  Handshakes.push_back(
      {Call->Loc, Call->Method, *Stream, Server,
       enclosingFunctionBody(HandshakeCall, *Result.Context, /*StopAtLambdas=*/false),
       ws::enclosingLoop(HandshakeCall, *Result.Context) != nullptr,
       ws::ownedStreamDeclaration(Call->Object)});
  SM = Result.SourceManager;
}

std::string WsTimeoutsCheck::problemWith(const ws::TimeoutValue &T, bool ServerStream,
                                         bool ReadClientStream, SourceLocation &At) const {
  using ws::DurationField;
  // Shown where the offending field is written, when the user wrote it.
  At = T.Handshake.State == DurationField::Disabled ? T.Handshake.WrittenAt : T.Idle.WrittenAt;
  if (T.Handshake.State == DurationField::Disabled)
    return "disables the handshake timeout: a peer that never completes the handshake holds its "
           "connection forever";
  if (T.Idle.State == DurationField::Disabled && (ServerStream || T.SuggestedForServer))
    return "disables the idle timeout of a server stream: a client that vanishes without closing "
           "is never detected";
  if (T.Idle.State == DurationField::Disabled && T.Idle.Explicit && T.KeepAliveExplicit &&
      T.KeepAlivePings == false)
    return "disables both the idle timeout and keep-alive pings: a dead connection is never "
           "detected";
  // Beast pings only when half the idle timeout has passed: with none, it never does.
  if (T.Idle.State == DurationField::Disabled && T.Idle.Explicit && T.KeepAliveExplicit &&
      T.KeepAlivePings == true)
    return "asks for keep-alive pings but disables the idle timeout: pings are sent only when "
           "half the idle timeout has passed, so none ever is, and a dead connection is never "
           "detected";
  if (T.Idle.State == DurationField::Disabled && !T.Idle.Explicit && ReadClientStream)
    return "leaves this client stream without an idle timeout (the client role's suggested "
           "values have none), and it is read: a server that goes silent leaves the read "
           "waiting forever";
  if (T.Idle.State == DurationField::Constant && T.Idle.Explicit &&
      (T.Idle.Seconds < MinIdleTimeoutSeconds || T.Idle.Seconds > MaxIdleTimeoutSeconds))
    return "sets an idle timeout of " + formatSeconds(T.Idle.Seconds) + " s, outside " +
           formatSeconds(MinIdleTimeoutSeconds) + "-" + formatSeconds(MaxIdleTimeoutSeconds) +
           " s: " +
           (T.Idle.Seconds < MinIdleTimeoutSeconds ? "healthy but quiet peers are dropped"
                                                   : "dead peers hold their session for too long");
  return "";
}

bool WsTimeoutsCheck::readWithoutIdleTimeout(const ws::ObjectKey &Stream) const {
  // Off by default: Beast suggests no idle timeout for clients, and reviewers accept it.
  if (!ReadClientsNeedIdleTimeout || !Facts.has(Stream, "client") || Facts.has(Stream, "server") ||
      !Facts.hasOwnOnly(Stream, "reads") || Facts.has(Stream, "app-timeout"))
    return false;
  // No other option of the owner gives it an idle timeout, or may: one not evaluated (in a
  // template) is not among the TimeoutSets.
  auto OfStream = [&](const auto &Set) { return Set.Stream == Stream; };
  return llvm::count_if(OptionSets, OfStream) == llvm::count_if(TimeoutSets, OfStream) &&
         llvm::none_of(TimeoutSets, [&](const TimeoutSet &Other) {
           return OfStream(Other) && Other.Value.Idle.State != ws::DurationField::Disabled;
         });
}

void WsTimeoutsCheck::addAppTimeout(const Expr *Stream) {
  Facts.addFor(Stream, "timeout");
  Facts.addFor(Stream, "app-timeout");
}

bool WsTimeoutsCheck::inHandshakeFunction(const StreamEvent &E, const Handshake &H) const {
  return E.Stream == H.Stream && spansLocation(H.FunctionBody, E.Loc, *SM);
}

const WsTimeoutsCheck::StreamEvent *WsTimeoutsCheck::optionSetOnlyAfter(const Handshake &H) const {
  // Only when every option of the stream is set by its owner's own calls, seen here.
  if (H.InLoop || !Facts.hasOwnOnly(H.Stream, "timeout"))
    return nullptr;
  const StreamEvent *First = nullptr;
  for (const StreamEvent &Set : OptionSets) {
    if (!(Set.Stream == H.Stream))
      continue;
    if (!inHandshakeFunction(Set, H) || !SM->isBeforeInTranslationUnit(H.Loc, Set.Loc))
      return nullptr;
    if (!First || SM->isBeforeInTranslationUnit(Set.Loc, First->Loc))
      First = &Set;
  }
  return First;
}

const WsTimeoutsCheck::StreamEvent *
WsTimeoutsCheck::recreatedWithoutOption(const Handshake &H) const {
  auto Between = [&](SourceLocation From) {
    return [&, From](const StreamEvent &E) {
      return inHandshakeFunction(E, H) && SM->isBeforeInTranslationUnit(From, E.Loc) &&
             SM->isBeforeInTranslationUnit(E.Loc, H.Loc);
    };
  };
  // Neither an option set on the new stream nor the stream handed to a helper before the
  // handshake.
  for (const StreamEvent &Made : Recreations)
    if (inHandshakeFunction(Made, H) && SM->isBeforeInTranslationUnit(Made.Loc, H.Loc) &&
        llvm::none_of(OptionSets, Between(Made.Loc)) && llvm::none_of(Handovers, Between(Made.Loc)))
      return &Made;
  return nullptr;
}

void WsTimeoutsCheck::reportUnconfiguredPath(const Handshake &H) {
  if (!H.FunctionBody || !SM || Facts.has(H.Stream, "app-timeout"))
    return;
  if (const StreamEvent *Later = optionSetOnlyAfter(H)) {
    if (!firstReportAt(H.Loc))
      return;
    report(H.Loc, "%0 on '%1' runs before the stream's timeout option is set: a peer that "
                  "vanishes during or after this handshake is never detected")
        << H.Method << H.Stream.Name;
    diag(Later->Loc, "the option is set only here, later", DiagnosticIDs::Note);
  } else if (const StreamEvent *Made = recreatedWithoutOption(H)) {
    if (!firstReportAt(H.Loc))
      return;
    report(H.Loc, "%0 on '%1', re-created in this function without a websocket timeout option: "
                  "the option set on the previous stream does not carry over")
        << H.Method << H.Stream.Name;
    diag(Made->Loc, "the stream is re-created here", DiagnosticIDs::Note);
  }
}

void WsTimeoutsCheck::reportNeverConfigured(const Handshake &H) {
  std::vector<SourceLocation> Made;
  for (const std::vector<StreamEvent> *Events : {&Recreations, &Assignments})
    for (const StreamEvent &E : *Events)
      if (E.Stream == H.Stream)
        Made.push_back(E.Loc);
  // A stream that is a local of the function making the handshake is reported at the handshake,
  // where the option belongs; a member, or one made by make_shared, where it is made.
  const auto *Local = dyn_cast_or_null<VarDecl>(H.Declared);
  const bool AtHandshake = Local && Local->hasLocalStorage() && Made.empty() &&
                           ws::isTypeNamed(Local->getType(), StreamTypes) && H.FunctionBody &&
                           SM && spansLocation(H.FunctionBody, Local->getLocation(), *SM);
  const SourceLocation At =
      SM && !AtHandshake ? ws::streamMadeAt(H.Declared, Made, H.Loc, StreamTypes, *SM) : H.Loc;
  if (!firstReportAt(At))
    return;
  if (At == H.Loc) {
    report(H.Loc, "%0 on '%1', whose owner never sets a websocket timeout option: a peer that "
                  "vanishes without closing is never detected")
        << H.Method << H.Stream.Name;
  } else {
    report(At, "websocket stream '%0' never gets a timeout option from its owner: a peer that "
               "vanishes without closing is never detected")
        << H.Stream.Name;
    diag(H.Loc, "%0 runs here without one", DiagnosticIDs::Note) << H.Method;
  }
  if (StringRef(H.Method).starts_with("async_"))
    diag(H.Loc, "set one first, e.g. %0.set_option(websocket::stream_base::timeout::suggested("
                "beast::role_type::%1))",
         DiagnosticIDs::Note)
        << H.Stream.Name << (H.Server ? "server" : "client");
  else
    diag(H.Loc, "the timeout option applies to asynchronous operations only: use the async "
                "API with timeout::suggested(beast::role_type::%0), or bound this synchronous "
                "session with socket timeouts",
         DiagnosticIDs::Note)
        << (H.Server ? "server" : "client");
}

void WsTimeoutsCheck::onEndOfTranslationUnit() {
  for (const TimeoutSet &Set : TimeoutSets) {
    const bool Server = Set.Stream && Facts.has(*Set.Stream, "server");
    SourceLocation Written;
    const std::string Problem =
        problemWith(Set.Value, Server, Set.Stream && readWithoutIdleTimeout(*Set.Stream), Written);
    const SourceLocation At = Written.isValid() && SM ? SM->getExpansionLoc(Written) : Set.Loc;
    if (!Problem.empty() && firstReportAt(At)) {
      report(At, "this timeout option %0") << Problem;
      if (At != Set.Loc)
        diag(Set.Loc, "the option is applied here", DiagnosticIDs::Note);
    }
  }
  for (const Handshake &H : Handshakes) {
    if (mayBeConfiguredElsewhere(H.Stream))
      continue;
    if (Facts.has(H.Stream, "timeout")) {
      reportUnconfiguredPath(H);
      continue;
    }
    // A stream a factory of the project made (`auto ws = make_link(std::move(sock));`) is judged
    // by what the factory did to it, and reported where the factory makes it.
    if (const VarDecl *Made = ws::factoryResult(H.Declared)) {
      std::optional<ws::ObjectKey> InFactory = ws::localKey(Made);
      if (!InFactory || mayBeConfiguredElsewhere(*InFactory) || Facts.has(*InFactory, "timeout"))
        continue;
      Handshake AtFactory = H;
      AtFactory.Declared = Made;
      reportNeverConfigured(AtFactory);
      continue;
    }
    reportNeverConfigured(H);
  }
  Handshakes.clear();
  TimeoutSets.clear();
  OptionSets.clear();
  Recreations.clear();
  Assignments.clear();
  Handovers.clear();
  Facts.clear();
}

} // namespace clang::tidy::errorshield
