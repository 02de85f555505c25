//===--- WsConcurrentWriteCheck.h - errorshield-ws-concurrent-write -*- C++ -*-===//

#ifndef ERRORSHIELD_WEBSOCKET_WSCONCURRENTWRITECHECK_H
#define ERRORSHIELD_WEBSOCKET_WSCONCURRENTWRITECHECK_H

#include "core/ErrorShieldCheck.h"
#include <map>
#include "websocket/SpawnedWriter.h"
#include "websocket/ReadWriteChain.h"
#include "websocket/StreamModel.h"
#include "websocket/WriteQueue.h"
#include "websocket/WritingHelper.h"

namespace clang::tidy::errorshield {

/// Finds WebSocket writes that can overlap another write on the same stream: a write on a stream
/// data member whose buffer is not the front of a write queue, a write in a loop, a write of the
/// front right after a push with no write-in-progress guard, and the front popped while the write
/// that uses it is still running.
///
/// For the user-facing documentation see: docs/checks/errorshield-ws-concurrent-write.md
class WsConcurrentWriteCheck : public ErrorShieldCheck {
public:
  WsConcurrentWriteCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override {
    MemberWrites.clear();
    Helpers.clear();
  }
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  /// \p Call as a write: a WriteMethods member call on a stream, or a WriteFunctions or
  /// MessageWriteFunctions call whose first argument is the stream.
  std::optional<ws::StreamCall> asWrite(const CallExpr *Call) const;
  /// \p Call as a write that can still be running when the next statement starts: not awaited
  /// (see completesBeforeNextStatement), with a buffer argument.
  std::optional<ws::StreamCall> asPendingWrite(const CallExpr *Call, ASTContext &Ctx) const;
  /// \p Call as a write made by a function of the project on the stream it is given
  /// (see WritingHelper.h): judged for overlap with the writes around it only.
  std::optional<ws::StreamCall> asHelperWrite(const CallExpr *Call, ASTContext &Ctx);
  /// True for HTTP message writes: one response per request is the protocol's own sequencing, so
  /// only loops and released queue fronts are judged.
  bool isMessageWrite(const ws::StreamCall &Write) const;
  bool completesBeforeNextStatement(const ws::StreamCall &Write, ASTContext &Ctx) const;
  /// Finding 1: an earlier write of the same stream in the same function may still be running
  /// (see ws::overlappedWrite). Returns whether there is one (reported once per location).
  bool reportOverlap(const ws::StreamCall &Write, ASTContext &Ctx);
  /// Finding 2: the write's buffer is not a queue's front and nothing else orders the writes.
  void reportUnqueued(const ws::StreamCall &Write, SourceLocation Loc, StringRef StreamName,
                      ASTContext &Ctx);
  /// The earlier write of the same stream that \p Write can overlap, if any.
  std::optional<ws::OverlappedWrite> overlapOf(const ws::StreamCall &Write, ASTContext &Ctx);
  /// True when a later write in \p Write's function can start while \p Write is in progress.
  bool overlappedLater(const ws::StreamCall &Write, ASTContext &Ctx);
  /// A write made by a coroutine spawned beside the class's own writer of the stream.
  bool reportSpawnedRival(const ws::StreamCall &Write, ASTContext &Ctx);
  /// Reports a write that goes around the stream's drain writer (see QueueBypass.h).
  bool reportQueueBypass(const ws::StreamCall &Write, ASTContext &Ctx);
  /// The writes of each data member stream, by class and name (QueueBypass's writesOfMember).
  std::map<std::pair<const RecordDecl *, std::string>, std::vector<ws::StreamCall>> MemberWrites;
  /// A reader coroutine writing beside the session's writer coroutine (`reader() || writer()`).
  bool reportParallelWriter(const ws::StreamCall &Write, const FieldDecl *Stream,
                            const ws::RivalWriter &Beside, ASTContext &Ctx);
  void judgeQueuedWrite(const ws::StreamCall &Write, const ws::QueueFront &Front,
                        const Stmt *Body, const SourceManager &SM);

  const std::vector<std::string> StreamTypes;
  const std::vector<std::string> WriteMethods;
  const std::vector<std::string> WriteFunctions;
  const std::vector<std::string> MessageWriteFunctions;
  const std::vector<std::string> YieldMacros;
  const ws::QueueNames Queue;
  const std::vector<std::string> AwaitingHandlerTypes;
  const std::vector<std::string> PostFunctions;
  const std::vector<std::string> SpawnFunctions;
  const ws::ReadChainNames Chain;
  ws::WritingHelpers Helpers;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_WEBSOCKET_WSCONCURRENTWRITECHECK_H
