//===--- FuturePolls.h - Future calls that do not wait ---------------*- C++ -*-===//
//
// `f.get()` blocks until the future is ready, unless the code has just asked: a readiness poll
// (`f.wait_for(0s)`) that the call is guarded by. Handlers that poll a job they handed to a pool
// and pick up its result when it is done do not block.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_FUTUREPOLLS_H
#define ERRORSHIELD_WEBSOCKET_FUTUREPOLLS_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"

namespace clang::tidy::errorshield::ws {

/// True when \p C does not wait: a readiness poll, or a get()/wait() on a future known to be ready
/// there: in the branch of an `if` taken only when a poll of the same future says ready
/// (`if (job_.wait_for(0s) == std::future_status::ready) r = job_.get();`), or after an `if` that
/// leaves when it says not ready (`if (job_.wait_for(0s) != ready) return; r = job_.get();`).
bool pollsWithoutWaiting(const CallExpr *C, ASTContext &Ctx);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_FUTUREPOLLS_H
