//===--- OriginDecision.h - Whether a handshake depends on its Origin -*- C++ -*-===//
//
// Reading the Origin header is not checking it. A server that only logs it
// (`std::clog << req[http::field::origin]`), only tests that it is present
// (`if (req[http::field::origin].empty()) return;`), or compares it and carries on whatever the
// answer (`if (!allowed(origin)) log("unexpected origin");` and then accepts) accepts a
// cross-site handshake all the same.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_ORIGINDECISION_H
#define ERRORSHIELD_WEBSOCKET_ORIGINDECISION_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

/// True when the value \p Read (an access to the Origin header) can decide whether the handshake
/// is accepted. It cannot when every use of it, followed through the local variables it
/// initializes, is
/// - streamed into an output stream (`log << origin`);
/// - a presence test (`origin.empty()`, `size()`, `length()`);
/// - in the condition of an `if` neither of whose branches leaves (return, co_return, throw, break,
///   continue) or calls one of the \p AcceptMethods.
/// Any other use (a validator's argument, a `return`, an assignment, a loop condition) can.
bool decidesOnOrigin(const Expr *Read, ASTContext &Ctx,
                     const std::vector<std::string> &AcceptMethods);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_ORIGINDECISION_H
