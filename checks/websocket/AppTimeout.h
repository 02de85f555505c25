//===--- AppTimeout.h - A timeout of the application's own -*- C++ -*-===//
//
// Instead of Beast's timeout option, a session can bound its peer's silence itself: a timer whose
// handler closes the stream or pings it (a heartbeat that closes when no pong came back), or, in a
// coroutine, a read raced against a timer (`co_await (ws.async_read(...) || timer.async_wait(...))`),
// or a deadline on the TCP layer set before every read of a read loop.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_APPTIMEOUT_H
#define ERRORSHIELD_WEBSOCKET_APPTIMEOUT_H

#include "clang/AST/ExprCXX.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

struct AppTimeoutNames {
  std::vector<std::string> StreamTypes;
  std::vector<std::string> TimerWaitMethods;      ///< Bare names: async_wait.
  std::vector<std::string> WatchdogMethods;       ///< Bare names: close, async_close, async_ping.
  std::vector<std::string> LowestLayerFunctions;  ///< boost::beast::get_lowest_layer.
  std::vector<std::string> BindFunctions;
  std::vector<std::string> DeadlineMethods;       ///< Bare names: expires_after, expires_at.
  std::vector<std::string> ReadMethods;           ///< Bare names: async_read, read_some.
};

/// The stream expressions that the completion handlers of \p Wait (a TimerWaitMethods call)
/// close or ping: `ws_.async_close(...)`, `self->ws_.async_ping(...)`,
/// `beast::get_lowest_layer(ws_).close()`.
std::vector<const Expr *> streamsWatchedByTimer(const CallExpr *Wait, const AppTimeoutNames &Names);

/// The stream whose read \p Race (an `a || b` of awaitable operations) races against a timer's
/// wait, or null.
const Expr *streamReadRacedAgainstTimer(const CXXOperatorCallExpr *Race,
                                        const AppTimeoutNames &Names);

/// The stream whose lowest layer \p Expiry (`get_lowest_layer(ws).expires_after(d)`) gives a
/// deadline inside a loop that also reads that stream: a deadline for every read. Null otherwise.
const Expr *streamWithDeadlinePerRead(const CallExpr *Expiry, const AppTimeoutNames &Names,
                                      ASTContext &Ctx);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_APPTIMEOUT_H
