//===--- OverlappingWrites.h - Two writes of one stream in one function -*- C++ -*-===//
//
// Whoever owns the stream, one function that starts a write and then, on the same path, starts
// another before the first completed has two writes in flight: `ws.async_write(head, h1);
// ws.async_write(body, h2);`, or `co_await (ws.async_write(a, use_awaitable) &&
// ws.async_write(b, use_awaitable))`, whose operands run in parallel. This needs no knowledge of
// who else writes, so it holds for streams reached through parameters and locals too.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_OVERLAPPINGWRITES_H
#define ERRORSHIELD_WEBSOCKET_OVERLAPPINGWRITES_H

#include "websocket/StreamModel.h"
#include "clang/AST/ASTContext.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

/// The write that \p Write overlaps, and how.
struct OverlappedWrite {
  const CallExpr *Earlier = nullptr;
  /// The two are operands of one awaitable `&&` / `||` group rather than consecutive statements.
  bool InParallelGroup = false;
  /// Earlier is a spawn call whose coroutine writes the stream: its name as shown
  /// ("'heartbeat'", "a lambda"); empty for a write.
  std::string SpawnedWriter;
};

using WriteRecognizer = llvm::function_ref<std::optional<StreamCall>(const CallExpr *)>;

/// Another write of \p Write's stream, in the same function (lambda bodies are other functions),
/// that can still be in progress when \p Write starts:
/// - an operand of the same awaitable operator `&&` or `||` that \p Write is an operand of, spelled
///   before it; or
/// - a write spelled before \p Write that \p IsPending says is not awaited, from which control can
///   reach \p Write (clang's CFG of the function decides: other branches and paths that return
///   first do not count).
/// - a call of one of \p SpawnFunctions spelled before \p Write, from which control can reach it,
///   whose coroutine (a lambda, or a call of a function of the project) writes the same stream,
///   itself or through a function it hands the stream to: it runs beside this function.
/// \p AsWrite recognises writes (and their stream object); two writes are of the same stream when
/// their objects name the same variable (`*ws` and `ws->` name `ws`), or are spelled alike
/// (`this->` aside).
std::optional<OverlappedWrite>
overlappedWrite(const StreamCall &Write, const WriteRecognizer &AsWrite,
                llvm::function_ref<bool(const StreamCall &)> IsPending,
                const std::vector<std::string> &SpawnFunctions, ASTContext &Ctx);

/// \p Call as a write when it makes the coroutine a spawn call starts (`co_spawn(ex,
/// send_ranking(ws, r), detached)`, \p Call being `send_ranking(ws, r)`) and that coroutine writes
/// the stream it is given: the StreamCall's Object is that argument, its Method the callee's name.
/// A second such spawn is then a write that can run beside the first.
std::optional<StreamCall> asSpawnedWrite(const CallExpr *Call, const WriteRecognizer &AsWrite,
                                         const std::vector<std::string> &SpawnFunctions,
                                         ASTContext &Ctx);

/// True when the function that spells \p Write (lambdas belong to the function around them)
/// makes a call that \p WritesSame says writes the same stream after it, outside the other
/// branch of an `if`, in its own code or in a lambda it hands on
/// (`ws_.async_write(a, h); net::post(ex, [this] { ws_.async_write(b, h2); });`): of such a
/// pair, the later write is the one that may start while the other is in progress.
bool writtenAgainLater(const CallExpr *Write,
                       llvm::function_ref<bool(const CallExpr *)> WritesSame, ASTContext &Ctx);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_OVERLAPPINGWRITES_H
