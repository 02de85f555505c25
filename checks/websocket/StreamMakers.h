//===--- StreamMakers.h - Who made a stream a function receives by value -*- C++ -*-===//
//
// A session coroutine that takes its stream by value (`awaitable<void> session(ws_t ws)`) may
// receive one its caller has configured, or one made on the spot from a socket
// (`co_spawn(ex, session(ws_t{std::move(socket)}), detached)`): then nobody set anything on it
// before, and the session is as responsible for it as for a local.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_STREAMMAKERS_H
#define ERRORSHIELD_WEBSOCKET_STREAMMAKERS_H

#include "clang/AST/Decl.h"

namespace clang::tidy::errorshield::ws {

/// True when \p Function is called in its translation unit, and every call passes for parameter
/// \p Param an object constructed in the call's argument from something of another type (a
/// socket, a socket and a TLS context), not a copy or move of an existing stream.
bool alwaysPassedFresh(const FunctionDecl *Function, const ParmVarDecl *Param);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_STREAMMAKERS_H
