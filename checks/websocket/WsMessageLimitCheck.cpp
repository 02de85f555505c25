//===--- WsMessageLimitCheck.cpp - errorshield-ws-message-limit -----------===//

#include "websocket/WsMessageLimitCheck.h"
#include "websocket/BoundedBuffer.h"
#include "core/Matchers.h"
#include "llvm/ADT/MapVector.h"
#include <set>

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

WsMessageLimitCheck::WsMessageLimitCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), StreamTypes(listOption("StreamTypes")),
      ReadMethods(listOption("ReadMethods")), LimitMethods(listOption("LimitMethods")),
      MaxMessageBytes(unsignedOption("MaxMessageBytes", 64ULL << 20)),
      SuggestedMessageBytes(unsignedOption("SuggestedMessageBytes", 1ULL << 20)),
      StaticBufferTypes(listOption("StaticBufferTypes")),
      LimitedBufferTypes(listOption("LimitedBufferTypes")),
      BindFunctions(listOption("BindFunctions")) {}

void WsMessageLimitCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "StreamTypes", StreamTypes);
  storeList(Opts, "ReadMethods", ReadMethods);
  storeList(Opts, "LimitMethods", LimitMethods);
  Options.store(Opts, "MaxMessageBytes", std::to_string(MaxMessageBytes));
  Options.store(Opts, "SuggestedMessageBytes", std::to_string(SuggestedMessageBytes));
  storeList(Opts, "StaticBufferTypes", StaticBufferTypes);
  storeList(Opts, "LimitedBufferTypes", LimitedBufferTypes);
  storeList(Opts, "BindFunctions", BindFunctions);
}

void WsMessageLimitCheck::registerCheckMatchers(MatchFinder *Finder) {
  using ws::matchers::streamMethodCall;
  auto InFunction = forCallable(decl().bind("fn"));
  Finder->addMatcher(callExpr(streamMethodCall(StreamTypes, ReadMethods), InFunction).bind("read"),
                     this);
  Finder->addMatcher(callExpr(streamMethodCall(StreamTypes, LimitMethods), argumentCountIs(1),
                              InFunction)
                         .bind("limit"),
                     this);
  Finder->addMatcher(callExpr(ws::matchers::hasArgumentOfType(StreamTypes)).bind("pass"), this);
}

void WsMessageLimitCheck::check(const MatchFinder::MatchResult &Result) {
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("pass")) {
    Limited.addPasses(Call, StreamTypes);
    Handovers.push_back(Call);
    return;
  }
  Context = Result.Context;
  const FunctionDecl *Function =
      ws::outerFunction(dyn_cast_or_null<FunctionDecl>(Result.Nodes.getNodeAs<Decl>("fn")));
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("limit")) {
    std::optional<ws::StreamCall> Limit = ws::asStreamCall(Call, StreamTypes);
    Limited.addFor(Limit->Object, "limit");
    if (std::optional<ws::ObjectKey> Stream = ws::ownedObject(Limit->Object); Stream && Function)
      LimitSites.push_back({*Stream, {Function, Call}});
    judgeLimit(*Limit, *Result.Context);
    return;
  }
  SM = Result.SourceManager;
  std::optional<ws::StreamCall> Call =
      ws::asStreamCall(Result.Nodes.getNodeAs<CallExpr>("read"), StreamTypes);
  // A buffer that cannot grow past a size is the limit: the read fails with buffer_overflow.
  if (!Call->Args.empty() &&
      (ws::isBoundedBuffer(Call->Args[0], StaticBufferTypes, LimitedBufferTypes) ||
       ws::isCappedChunkRead(Call->Call, Call->Args[0], StaticBufferTypes, BindFunctions,
                             *Result.Context)))
    return;
  if (std::optional<ws::ObjectKey> Stream = ws::ownedObject(Call->Object)) {
    Reads.push_back({Call->Loc, Call->Method, *Stream, Call->Call, Function});
    return;
  }
  Limited.addFor(Call->Object, "reads"); // a helper reading the stream it is lent
  const ValueDecl *Parameter = declNamedBy(Call->Object);
  if (!Function || !Parameter)
    return;
  const SourceLocation Loc = SM->getExpansionLoc(Call->Loc);
  // Function is the outer function as written: one entry for a template's instantiations.
  auto [It, New] = LentReads.try_emplace(Function,
                                         LentRead{Loc, Call->Method, Parameter->getNameAsString()});
  if (!New && SM->isBeforeInTranslationUnit(Loc, It->second.Loc))
    It->second = {Loc, Call->Method, Parameter->getNameAsString()};
}

void WsMessageLimitCheck::judgeLimit(const ws::StreamCall &Limit, const ASTContext &Context) {
  // The limit's value is known from the call alone, so it is judged whoever owns the stream.
  const Expr *Arg = Limit.Args[0];
  Expr::EvalResult Value;
  if (Arg->isValueDependent() || !Arg->EvaluateAsInt(Value, Context) ||
      Value.Val.getInt().isNegative())
    return;
  const uint64_t Bytes = Value.Val.getInt().getZExtValue();
  if ((Bytes != 0 && Bytes <= MaxMessageBytes) || !firstReportAt(Limit.Loc))
    return;
  if (Bytes == 0)
    report(Limit.Loc, "%0(0) removes the message size limit: one peer can make the server buffer a "
                      "message of any size")
        << Limit.Method;
  else
    report(Limit.Loc, "%0(%1) allows messages above the %2-byte ceiling: a few peers can exhaust "
                      "the server's memory")
        << Limit.Method << std::to_string(Bytes) << std::to_string(MaxMessageBytes);
  diag(Limit.Loc, "limit messages to what the protocol needs, e.g. %0(%1)", DiagnosticIDs::Note)
      << Limit.Method << std::to_string(SuggestedMessageBytes);
}

void WsMessageLimitCheck::onEndOfTranslationUnit() {
  const std::string Setter = LimitMethods.empty() ? "read_message_max" : LimitMethods.front();
  // A helper that reads the stream it is lent (`read_next_message(ws_, buffer_, ...)`) reads the
  // owner's stream where it is called. When every call of the helper lends a stream with no
  // limit, the read in the helper is the one to point at; otherwise each such call.
  llvm::MapVector<const FunctionDecl *, std::vector<std::pair<const CallExpr *, ws::ObjectKey>>>
      Lent;
  for (const CallExpr *Handover : Handovers)
    for (const ws::ObjectKey &Stream : Limited.passedWithFact(Handover, StreamTypes, "reads"))
      Lent[ws::functionAsWritten(Handover->getDirectCallee())].push_back({Handover, Stream});
  Handovers.clear();
  for (auto &[Helper, Calls] : Lent) {
    auto Unlimited = [&](const auto &Call) {
      return !Limited.has(Call.second, "limit") && !mayBeConfiguredElsewhere(Call.second);
    };
    auto In = LentReads.find(Helper);
    if (In != LentReads.end() && SM && llvm::all_of(Calls, Unlimited)) {
      Reads.push_back({In->second.Loc, In->second.Method, Calls.front().second, nullptr, nullptr,
                       Calls});
      Reads.back().Stream.Name = In->second.Parameter;
      continue;
    }
    for (const auto &[Handover, Stream] : Calls)
      Reads.push_back({SM ? SM->getExpansionLoc(Handover->getBeginLoc()) : Handover->getBeginLoc(),
                       Handover->getDirectCallee()->getNameAsString(), Stream, Handover, nullptr});
  }
  LentReads.clear();
  // One finding per stream, at its first read in the file: the fix is one limit, set once.
  std::set<ws::ObjectKey> Reported;
  llvm::sort(Reads, [&](const Read &A, const Read &B) {
    return SM && SM->isBeforeInTranslationUnit(A.Loc, B.Loc);
  });
  for (const Read &R : Reads) {
    if (Limited.has(R.Stream, "limit") && !mayBeConfiguredElsewhere(R.Stream)) {
      // Set somewhere, but maybe not on the way to this read.
      std::vector<ws::SettingSite> Sites;
      for (const auto &[Stream, Site] : LimitSites)
        if (Stream == R.Stream)
          Sites.push_back(Site);
      const FunctionDecl *Entry =
          R.Function && Context && !Sites.empty() && !Reported.count(R.Stream)
              ? ws::entryReachingUnset(R.Function, R.Call, Sites, *Context)
              : nullptr;
      if (Entry && Reported.insert(R.Stream).second && firstReportAt(R.Loc))
        report(R.Loc, "%0 on '%1' can run before %2() is called: '%3' reaches it without "
                      "setting a limit, and the size of each message is up to the peer")
            << R.Method << R.Stream.Name << Setter << Entry->getName();
      continue;
    }
    if (!R.LentBy.empty()) {
      if (Reported.insert(R.Stream).second && firstReportAt(R.Loc))
        reportRead(R, Setter);
      continue;
    }
    if (Limited.has(R.Stream, "limit") || mayBeConfiguredElsewhere(R.Stream) ||
        !Reported.insert(R.Stream).second || !firstReportAt(R.Loc))
      continue;
    reportRead(R, Setter);
  }
  Reads.clear();
  LimitSites.clear();
  Limited.clear();
  Context = nullptr;
}

void WsMessageLimitCheck::reportRead(const Read &R, llvm::StringRef Setter) {
  if (R.LentBy.empty()) {
    report(R.Loc, "%0 on '%1', whose owner never calls %2(): the size of each message is up to "
                  "the peer")
        << R.Method << R.Stream.Name << Setter;
    diag(R.Loc, "set a limit before the first read, e.g. %0.%1(%2)", DiagnosticIDs::Note)
        << R.Stream.Name << Setter << std::to_string(SuggestedMessageBytes);
    return;
  }
  report(R.Loc, "%0 on '%1', a stream whose owner never calls %2(): the size of each message is "
                "up to the peer")
      << R.Method << R.Stream.Name << Setter;
  for (const auto &[Handover, Stream] : R.LentBy)
    diag(SM->getExpansionLoc(Handover->getBeginLoc()),
         "'%0' is lent here without a limit; set one first, e.g. %0.%1(%2)", DiagnosticIDs::Note)
        << Stream.Name << Setter << std::to_string(SuggestedMessageBytes);
}

} // namespace clang::tidy::errorshield
