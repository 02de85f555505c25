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

#include "websocket/StreamModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

/// The check's options a decision is judged with.
struct OriginNames {
  const std::vector<std::string> &AcceptMethods; // a branch that accepts lets the handshake go
  const std::vector<std::string> &RequestTypes;  // `req.find(origin) == req.end()` tests presence
};

/// Where the value \p Read (an access to the Origin header) first decides whether the handshake
/// is accepted, or none when it cannot: when every use of it, followed through the local variables
/// it initializes, is
/// - streamed into an output stream (`log << origin`);
/// - a presence test (`origin.empty()`, `size()`, `length()`);
/// - in the condition of an `if` neither of whose branches leaves (return, co_return, throw, break,
///   continue) or calls one of the accept methods on every path through it.
/// Any other use (a validator's argument, a `return`, an assignment, a loop condition) can, where
/// it is made: a copy's later use (`if (!allowed(origin))` after the accept) decides there, a
/// reference parameter assigned (`seen_origin = req[origin]`) when the function has returned.
std::optional<SourceLocation> decidesOnOrigin(const Expr *Read, ASTContext &Ctx,
                                              const OriginNames &Names);

/// True when \p Function returns text (a string, string view or character pointer).
bool returnsText(const FunctionDecl *Function);

/// True for a function that hands out the Origin header rather than checking it: it returns text
/// and cannot throw. Its callers decide on what it returns (`this->origin()`).
bool isOriginAccessor(const FunctionDecl *Function);

/// True when the value of \p Read reaches a `return` of its function, directly or through a
/// local it initializes: what an accessor hands out (`return it->value();`).
bool flowsToReturn(const Expr *Read, ASTContext &Ctx);

/// True when \p Call, made in \p Caller, returns a verdict record with a field named for Origin
/// (`v.origin_ok`) that \p Caller never reads: the check was made and its answer dropped.
bool dropsOriginVerdict(const CallExpr *Call, const FunctionDecl *Caller);

/// True when an Origin check at \p Check can run before the handshake accepted by \p Accept: it
/// comes first, and not in the other branch of an `if` the accept is in.
bool checkMayPrecede(SourceLocation Check, const Stmt *Accept, ASTContext &Ctx);

/// True when \p Check is made in a lambda that holds another of \p Accepts but not \p Accept:
/// another route's handler (`routes["/a"] = [..] { check; accept; };`), which runs on its own.
bool checkInOtherHandler(SourceLocation Check, const Stmt *Accept,
                         llvm::ArrayRef<const Stmt *> Accepts, ASTContext &Ctx);

/// The stream's class, when \p F is one of its members: a check made by another member (or by the
/// code that starts the object) is trusted to run first. Code outside the class that accepts
/// `feed->ws()` is where its own check belongs.
const CXXRecordDecl *memberOwner(const ObjectKey &Stream, const FunctionDecl *F);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_ORIGINDECISION_H
