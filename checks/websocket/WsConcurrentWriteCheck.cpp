//===--- WsConcurrentWriteCheck.cpp - errorshield-ws-concurrent-write ------===//

#include "websocket/WsConcurrentWriteCheck.h"
#include "websocket/QueueBypass.h"
#include "websocket/SpawnedWriter.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/InFlightFlag.h"
#include "websocket/OverlappingWrites.h"
#include "websocket/ReadWriteChain.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

WsConcurrentWriteCheck::WsConcurrentWriteCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), StreamTypes(listOption("StreamTypes")),
      WriteMethods(listOption("WriteMethods")), WriteFunctions(listOption("WriteFunctions")),
      MessageWriteFunctions(listOption("MessageWriteFunctions")),
      YieldMacros(listOption("YieldMacros")),
      Queue{listOption("QueueTypes"), listOption("QueueAccessors"),
            listOption("QueuePushMethods"), listOption("QueuePopMethods")},
      AwaitingHandlerTypes(listOption("AwaitingHandlerTypes")),
      PostFunctions(listOption("PostFunctions")), SpawnFunctions(listOption("SpawnFunctions")),
      Chain{listOption("ReadFunctions"), listOption("BindFunctions")} {}

void WsConcurrentWriteCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "StreamTypes", StreamTypes);
  storeList(Opts, "WriteMethods", WriteMethods);
  storeList(Opts, "WriteFunctions", WriteFunctions);
  storeList(Opts, "MessageWriteFunctions", MessageWriteFunctions);
  storeList(Opts, "YieldMacros", YieldMacros);
  storeList(Opts, "QueueTypes", Queue.Types);
  storeList(Opts, "QueueAccessors", Queue.Accessors);
  storeList(Opts, "QueuePushMethods", Queue.Pushes);
  storeList(Opts, "QueuePopMethods", Queue.Pops);
  storeList(Opts, "AwaitingHandlerTypes", AwaitingHandlerTypes);
  storeList(Opts, "PostFunctions", PostFunctions);
  storeList(Opts, "SpawnFunctions", SpawnFunctions);
  storeList(Opts, "ReadFunctions", Chain.ReadFunctions);
  storeList(Opts, "BindFunctions", Chain.BindFunctions);
}

void WsConcurrentWriteCheck::registerCheckMatchers(MatchFinder *Finder) {
  Finder->addMatcher(callExpr(anyOf(ws::matchers::streamMethodCall(StreamTypes, WriteMethods),
                                    matchers::isListedCall(WriteFunctions),
                                    matchers::isListedCall(MessageWriteFunctions)),
                              unless(isExpansionInSystemHeader()))
                         .bind("write"),
                     this);
  // Calls of the project's own functions: some start a write on the stream they are given.
  Finder->addMatcher(callExpr(unless(isExpansionInSystemHeader()), unless(argumentCountIs(0)),
                              callee(functionDecl(unless(isExpansionInSystemHeader()))))
                         .bind("helper-call"),
                     this);
}

std::optional<ws::StreamCall> WsConcurrentWriteCheck::asWrite(const CallExpr *Call) const {
  if (std::optional<ws::StreamCall> Member = ws::asStreamCall(Call, StreamTypes))
    return llvm::is_contained(WriteMethods, Member->Method) ? Member : std::nullopt;
  if (Call->getNumArgs() < 2 ||
      !(isListedCall(Call, WriteFunctions) || isListedCall(Call, MessageWriteFunctions)))
    return std::nullopt;
  // net::async_write(stream_, buffers, handler)
  ws::StreamCall Free;
  Free.Call = Call;
  Free.Object = Call->getArg(0);
  Free.Method = calleeName(Call);
  Free.Loc = Call->getCallee()->IgnoreParenImpCasts()->getExprLoc();
  Free.Args = llvm::ArrayRef(Call->getArgs() + 1, Call->getNumArgs() - 1);
  return Free;
}

/// A write that is awaited (co_await, a yield_context or use_future handler) finishes before the
/// code after it runs, so it cannot overlap the next write of the same code path.
bool WsConcurrentWriteCheck::completesBeforeNextStatement(const ws::StreamCall &Write,
                                                          ASTContext &Ctx) const {
  if (isAwaited(Write.Call, Ctx) || ws::isStacklessYield(Write.Call, Ctx, YieldMacros))
    return true;
  return !Write.Args.empty() && ws::isTypeNamed(Write.Args.back()->getType(), AwaitingHandlerTypes);
}

std::optional<ws::StreamCall> WsConcurrentWriteCheck::asPendingWrite(const CallExpr *Call,
                                                                    ASTContext &Ctx) const {
  std::optional<ws::StreamCall> Write = Call ? asWrite(Call) : std::nullopt;
  if (!Write || Write->Args.empty() || completesBeforeNextStatement(*Write, Ctx))
    return std::nullopt;
  return Write;
}

std::optional<ws::StreamCall> WsConcurrentWriteCheck::asHelperWrite(const CallExpr *Call,
                                                                    ASTContext &Ctx) {
  return Helpers.asHelperWrite(Call,
                               [&](const CallExpr *C) { return asPendingWrite(C, Ctx); });
}

bool WsConcurrentWriteCheck::isMessageWrite(const ws::StreamCall &Write) const {
  return isListedCall(Write.Call, MessageWriteFunctions);
}

/// True when \p Object names a variable declared in \p Loop (the range-for variable, the counter,
/// a local of the body): `s->ws_` in `for (auto &s : sessions)` is another stream each iteration.
static bool variesPerIteration(const Expr *Object, const Stmt *Loop, const SourceManager &SM) {
  const SourceRange Range(SM.getExpansionLoc(Loop->getBeginLoc()),
                          SM.getExpansionLoc(Loop->getEndLoc()));
  return findDescendant(Object, [&](const Stmt *S) {
    const auto *Ref = dyn_cast<DeclRefExpr>(S);
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    return Var && Var->isLocalVarDeclOrParm() && !isa<ParmVarDecl>(Var) &&
           SM.isPointWithin(SM.getExpansionLoc(Var->getLocation()), Range.getBegin(),
                            Range.getEnd());
  });
}

/// True when the loop is left right after \p Write starts: the write is returned, or the next
/// statement of its block returns or breaks (`ws_.async_write(...); return;`). One write per call.
static bool leavesLoopAfter(const CallExpr *Write, ASTContext &Ctx) {
  const Stmt *Child = Write;
  for (DynTypedNodeList Parents = Ctx.getParents(*Write); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    if (Parents[0].get<ReturnStmt>() || Parents[0].get<CoreturnStmt>())
      return true;
    if (const auto *Block = Parents[0].get<CompoundStmt>()) {
      const auto *It = llvm::find(Block->body(), Child);
      return It != Block->body_end() && std::next(It) != Block->body_end() &&
             isa<ReturnStmt, BreakStmt, CoreturnStmt>(*std::next(It));
    }
    Child = Parents[0].get<Stmt>();
    if (!Child)
      return false;
  }
  return false;
}

void WsConcurrentWriteCheck::check(const MatchFinder::MatchResult &Result) {
  ASTContext &Ctx = *Result.Context;
  const SourceManager &SM = *Result.SourceManager;
  if (const auto *Helper = Result.Nodes.getNodeAs<CallExpr>("helper-call")) {
    auto AnyWrite = [&](const CallExpr *C) {
      std::optional<ws::StreamCall> Direct = asWrite(C);
      return Direct ? Direct : asHelperWrite(C, Ctx);
    };
    if (std::optional<ws::StreamCall> Write = asHelperWrite(Helper, Ctx))
      reportOverlap(*Write, Ctx);
    else if (std::optional<ws::StreamCall> Spawned =
                 ws::asSpawnedWrite(Helper, AnyWrite, SpawnFunctions, Ctx))
      reportOverlap(*Spawned, Ctx);
    return;
  }
  const auto *Call = Result.Nodes.getNodeAs<CallExpr>("write");
  std::optional<ws::StreamCall> AnyWrite = asWrite(Call);
  if (!AnyWrite || AnyWrite->Args.empty() || reportOverlap(*AnyWrite, Ctx) ||
      reportSpawnedRival(*AnyWrite, Ctx) || reportQueueBypass(*AnyWrite, Ctx))
    return;
  std::optional<ws::StreamCall> Write = asPendingWrite(Call, Ctx);
  if (!Write)
    return;
  const SourceLocation Loc = SM.getExpansionLoc(Write->Loc);
  const Stmt *Loop = ws::enclosingLoop(Write->Call, Ctx, PostFunctions);
  if (!Loop)
    Loop = ws::loopCallingLambdaOf(Write->Call, Write->Object, Ctx, PostFunctions);
  // A loop over sessions writes another stream each iteration: judged like a write outside a
  // loop, except that a stream that is not a data member (a vector of streams) is judged too.
  const bool PerStream = Loop && variesPerIteration(Write->Object, Loop, SM);
  if (Loop && !PerStream && !leavesLoopAfter(Write->Call, Ctx)) {
    if (firstReportAt(Loc))
      report(Loc, "%0 inside a loop: each iteration starts a write before the previous one "
                  "completes, and Beast allows one outstanding write per stream")
          << Write->Method;
    return;
  }
  const FieldDecl *Stream = ws::namedField(Write->Object);
  if (!Stream && PerStream && !isMessageWrite(*Write))
    return reportUnqueued(*Write, Loc, spelledText(Write->Object, Ctx), Ctx);
  if (!Stream)
    return; // a local or parameter stream: who else writes to it is not visible here
  std::optional<ws::QueueFront> Front = ws::queueFrontOf(Write->Args[0], Stream, Queue);
  if (!Front) {
    if (isMessageWrite(*Write))
      return;
    if (ws::guardedByInFlightFlag(Write->Call, Stream, Write->Args[0], Ctx))
      return; // One write at a time by a flag: the buffer need not be a queue's front.
    auto WritesStream = [&](const CallExpr *Call) {
      std::optional<ws::StreamCall> Other = asPendingWrite(Call, Ctx);
      if (!Other)
        return false;
      const FieldDecl *Field = ws::namedField(Other->Object);
      return Field && Field->getName() == Stream->getName() && ws::sameClass(Field, Stream);
    };
    const ws::WriteOrder Order(Stream, WritesStream, Chain);
    if (Order.repliesInReadWriteChain(Write->Call, Ctx))
      return; // One write at a time by the order of operations: read, reply, then read again.
    if (Order.writesInCompletionChain(Write->Call, Ctx))
      return; // One write at a time: each is started by the previous one's completion.
    if (Order.continuesEarlierWrite(Write->Call) || Order.startsSequence(Write->Call, Ctx))
      return; // A step of a sequence that each completion takes on (a snapshot, then the feed).
    if (ws::writtenAgainLater(Write->Call, WritesStream, Ctx))
      return; // The function writes the member again (in a handler it posts): that write's finding.
    return reportUnqueued(*Write, Loc, Stream->getName(), Ctx);
  }
  if (const Stmt *Body = enclosingFunctionBody(Write->Call, Ctx, /*StopAtLambdas=*/true))
    judgeQueuedWrite(*Write, *Front, Body, SM);
  // Its callers: `q.push_back(m); if (!q.empty()) flush();` tests nothing.
  // A write in a lambda: its function is not the writer called by name.
  const FunctionDecl *Writer = enclosingFunctionDecl(Write->Call, Ctx, /*StopAtLambdas=*/true);
  if (!Writer)
    return;
  for (const auto &[Call, Test] : ws::writerCallsAfterVacuousCheck(Writer, Front->Queue, Queue, Ctx)) {
    const SourceLocation CallLoc = SM.getExpansionLoc(Call->getBeginLoc());
    if (!firstReportAt(CallLoc))
      continue;
    report(CallLoc, "'%0' starts a write of '%1' right after a push, under a test the push always "
                    "makes true (%2): a second write can start before the first completes")
        << Writer->getName() << Front->Queue->getName() << spelledText(Test, Ctx);
    diag(Loc, "the write of the queue's front starts here; test the queue before "
                               "the push (bool idle = q.empty();) or its size after it (size() == 1)",
         DiagnosticIDs::Note);
  }
}

std::optional<ws::OverlappedWrite>
WsConcurrentWriteCheck::overlapOf(const ws::StreamCall &Write, ASTContext &Ctx) {
  return ws::overlappedWrite(
      Write,
      [&](const CallExpr *Other) {
        std::optional<ws::StreamCall> Direct = asWrite(Other);
        return Direct ? Direct : asHelperWrite(Other, Ctx);
      },
      [&](const ws::StreamCall &Other) { return !completesBeforeNextStatement(Other, Ctx); },
      SpawnFunctions, Ctx);
}

bool WsConcurrentWriteCheck::reportOverlap(const ws::StreamCall &Write, ASTContext &Ctx) {
  std::optional<ws::OverlappedWrite> Overlap = overlapOf(Write, Ctx);
  const SourceManager &SM = Ctx.getSourceManager();
  const SourceLocation Loc = SM.getExpansionLoc(Write.Loc);
  if (!Overlap)
    return false;
  const SourceLocation EarlierLoc = SM.getExpansionLoc(Overlap->Earlier->getExprLoc());
  // A group whose first write is already a finding (it races the session's writer) is that one.
  if ((Overlap->InParallelGroup && reportedAt(EarlierLoc)) || !firstReportAt(Loc))
    return true;
  if (!Overlap->SpawnedWriter.empty()) {
    report(Loc, "%0 can run while a coroutine spawned before it (%1) writes the same stream: "
                "Beast allows one outstanding write per stream")
        << Write.Method << Overlap->SpawnedWriter;
    diag(EarlierLoc, "the other writer is spawned here; give the stream a single writer (a queue "
                     "or a channel that one coroutine drains)",
         DiagnosticIDs::Note);
    return true;
  }
  report(Loc, "%0 %select{starts while the write before it on the same stream may still be in "
              "progress|runs in parallel with another write of the same stream in this awaitable "
              "group}1: Beast allows one outstanding write per stream")
      << Write.Method << Overlap->InParallelGroup;
  diag(EarlierLoc,
       "%select{the earlier write starts here; start the next one from its completion handler, "
       "or await it|the other write of the group; await the writes one after the other}0",
       DiagnosticIDs::Note)
      << Overlap->InParallelGroup;
  return true;
}

bool WsConcurrentWriteCheck::reportSpawnedRival(const ws::StreamCall &Write, ASTContext &Ctx) {
  const FieldDecl *Stream = ws::namedField(Write.Object);
  std::optional<ws::RivalWriter> Rival =
      Stream ? ws::rivalOfSpawnedWrite(Write.Call, Stream,
                                       [&](const CallExpr *Other) { return asWrite(Other); },
                                       SpawnFunctions, Ctx)
             : std::nullopt;
  if (!Rival && Stream)
    if (std::optional<ws::RivalWriter> Beside = ws::parallelWriterOf(
            Write.Call, Stream, [&](const CallExpr *Other) { return asWrite(Other); },
            [&](const CallExpr *Call) {
              std::optional<ws::StreamCall> Member = ws::asMemberCall(Call);
              return Member && llvm::is_contained(Chain.ReadFunctions, Member->Method);
            },
            Ctx))
      return reportParallelWriter(Write, Stream, *Beside, Ctx);
  const SourceManager &SM = Ctx.getSourceManager();
  const SourceLocation Loc = SM.getExpansionLoc(Write.Loc);
  if (!Rival || !firstReportAt(Loc))
    return Rival.has_value();
  report(Loc, "%0 in a coroutine spawned to write '%1' can run while another writer of '%1' is "
              "writing: Beast allows one outstanding write per stream")
      << Write.Method << Stream->getName();
  diag(SM.getExpansionLoc(Rival->Other->getExprLoc()),
       "the other writer writes here; hand the message to it (its queue) instead of spawning",
       DiagnosticIDs::Note);
  return true;
}

void WsConcurrentWriteCheck::judgeQueuedWrite(const ws::StreamCall &Write,
                                              const ws::QueueFront &Front, const Stmt *Body,
                                              const SourceManager &SM) {
  const SourceLocation WriteLoc = SM.getExpansionLoc(Write.Loc);
  auto Before = [&](SourceLocation A, SourceLocation B) {
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(A), SM.getExpansionLoc(B));
  };
  // The front released while the write still reads it: after the write in the same code path, or
  // between binding a reference to the front and writing it.
  const bool AliasRefers =
      Front.Alias && (Front.Alias->getType()->isReferenceType() ||
                      Front.Alias->getType()->isPointerType());
  for (const CallExpr *Pop : ws::queueCalls(Body, Front.Queue, Queue.Pops)) {
    const SourceLocation PopLoc = SM.getExpansionLoc(Pop->getExprLoc());
    const bool AfterWrite = Before(Write.Call->getEndLoc(), Pop->getBeginLoc());
    const bool BetweenAliasAndWrite = AliasRefers && Before(Front.TakenAt, Pop->getBeginLoc()) &&
                                      Before(Pop->getEndLoc(), Write.Call->getBeginLoc());
    if ((!AfterWrite && !BetweenAliasAndWrite) || !firstReportAt(PopLoc))
      continue;
    report(PopLoc, "'%0' is popped %select{while the %1 that uses its front is still in progress|"
                   "before the %1 that uses its front}2: the write reads a released buffer")
        << Front.Queue->getName() << Write.Method << (AfterWrite ? 0 : 1);
    diag(WriteLoc, "the write of the queue's front starts here; pop it in the completion handler",
         DiagnosticIDs::Note);
  }
  // push; write front() with no check that a write is already running.
  std::vector<const CallExpr *> PushesBefore;
  for (const CallExpr *Push : ws::queueCalls(Body, Front.Queue, Queue.Pushes))
    if (Before(Push->getBeginLoc(), Write.Call->getBeginLoc()))
      PushesBefore.push_back(Push);
  if (PushesBefore.empty() || ws::hasWriteGuard(Body, Front.Queue, PushesBefore) ||
      !firstReportAt(WriteLoc))
    return;
  report(WriteLoc, "%0 of the front of '%1' right after a push, without checking that a write is "
                   "already in progress: a second write can start before the first completes")
      << Write.Method << Front.Queue->getName();
  diag(WriteLoc, "return after the push when a write is in progress, e.g. if (%0.size() > 1) return;",
       DiagnosticIDs::Note)
      << Front.Queue->getName();
}

bool WsConcurrentWriteCheck::reportQueueBypass(const ws::StreamCall &Write, ASTContext &Ctx) {
  const FieldDecl *Stream = ws::namedField(Write.Object);
  if (!Stream)
    return false;
  const std::pair<const RecordDecl *, std::string> Key(Stream->getParent(),
                                                       Stream->getName().str());
  auto Cached = MemberWrites.find(Key);
  if (Cached == MemberWrites.end())
    Cached = MemberWrites
                 .emplace(Key, ws::writesOfMember(
                                   Stream, [&](const CallExpr *C) { return asWrite(C); }, Queue, Ctx))
                 .first;
  std::optional<ws::DrainWriter> Writer =
      ws::bypassedWriter(Write.Call, Stream, Cached->second, Queue, Ctx);
  if (!Writer)
    return false;
  const SourceManager &SM = Ctx.getSourceManager();
  const SourceLocation Loc = SM.getExpansionLoc(Write.Loc);
  if (!firstReportAt(Loc))
    return true;
  report(Loc, "%0 on '%1' goes around %2, the writer that drains '%3': both can write at once, "
              "and Beast allows one outstanding write per stream")
      << Write.Method << Stream->getName() << Writer->Loop << Writer->Queue->getName();
  diag(SM.getExpansionLoc(Writer->Write->getExprLoc()),
       "the writer's write; push the message onto '%0' instead", DiagnosticIDs::Note)
      << Writer->Queue->getName();
  return true;
}

bool WsConcurrentWriteCheck::reportParallelWriter(const ws::StreamCall &Write,
                                                  const FieldDecl *Stream,
                                                  const ws::RivalWriter &Beside, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const SourceLocation Loc = SM.getExpansionLoc(Write.Loc);
  if (!firstReportAt(Loc))
    return true;
  report(Loc, "%0 on '%1' in a coroutine that runs beside the writer of '%1': Beast allows one "
              "outstanding write per stream")
      << Write.Method << Stream->getName();
  diag(SM.getExpansionLoc(Beside.Spawn->getExprLoc()),
       "both run here; hand the message to the writer (its queue) instead of writing it",
       DiagnosticIDs::Note);
  diag(SM.getExpansionLoc(Beside.Other->getExprLoc()), "the writer's write", DiagnosticIDs::Note);
  return true;
}

} // namespace clang::tidy::errorshield
