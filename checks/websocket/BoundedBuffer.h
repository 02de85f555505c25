//===--- BoundedBuffer.h - A read buffer that caps the message --*- C++ -*-===//
//
// A websocket read into a dynamic buffer that cannot grow past a size fails with
// `buffer_overflow` once a message is larger: the buffer is the message limit, even with no
// read_message_max(). errorshield-ws-message-limit does not report such reads.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_BOUNDEDBUFFER_H
#define ERRORSHIELD_WEBSOCKET_BOUNDEDBUFFER_H

#include "clang/AST/Expr.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

/// True when \p Buffer (a read's buffer argument) names a variable or data member that is of one
/// of \p StaticTypes (`flat_static_buffer<2048>`), or of one of \p DynamicTypes constructed with
/// a size limit (`flat_buffer buf(32 * 1024)`, `buf_(64 * 1024)` in a constructor).
bool isBoundedBuffer(const Expr *Buffer, const std::vector<std::string> &StaticTypes,
                     const std::vector<std::string> &DynamicTypes);

/// True when \p Read reads into a buffer sequence of one of \p StaticTypes made for it
/// (`ws.read_some(asio::buffer(chunk))`: at most the chunk each time), once, or in a loop that
/// compares a size to cap what the chunks add up to. A completion handler (found through
/// \p BindFunctions) that starts the same read again is such a loop.
bool isCappedChunkRead(const CallExpr *Read, const Expr *Buffer,
                       const std::vector<std::string> &StaticTypes,
                       const std::vector<std::string> &BindFunctions, ASTContext &Ctx);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_BOUNDEDBUFFER_H
