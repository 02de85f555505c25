//===--- QueueBypass.h - A write that goes around the stream's drain writer -*- C++ -*-===//
//
// A connection whose writes are made by one writer, a loop that drains a queue
// (`while (open) { msg = c->outq.front(); c->outq.pop_front(); c->ws.async_write(msg, yield); }`),
// is one write at a time only if nothing else writes the stream. A handler that writes directly
// "so the reply is not stuck behind the queue" writes while the writer may be writing, even when
// each write is awaited.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_QUEUEBYPASS_H
#define ERRORSHIELD_WEBSOCKET_QUEUEBYPASS_H

#include "websocket/OverlappingWrites.h"
#include "websocket/WriteQueue.h"
#include <optional>

namespace clang::tidy::errorshield::ws {

/// The writer of a data member stream: a write of it in a loop that takes messages from a queue
/// (a data member of the same class, read with one of the queue Accessors or Pops).
struct DrainWriter {
  const CallExpr *Write;     ///< The writer's write.
  const FunctionDecl *Loop;  ///< The function the loop is in.
  const FieldDecl *Queue;
};

/// The writes of data member \p Stream (that field, or the same member of another instantiation)
/// in the translation unit; none when its class has no field of one of the queue Types.
std::vector<StreamCall> writesOfMember(const FieldDecl *Stream, const WriteRecognizer &AsWrite,
                                       const QueueNames &Names, ASTContext &Ctx);

/// The drain writer \p Write (a write of data member \p Stream, not the writer's own) goes around
/// when it can run while that writer runs: it is not written from the queue, and not made in the
/// function that starts the writer before it does (a logon reply written before the writer exists).
/// None when there is no such writer among \p StreamWrites (writesOfMember), or no call that
/// starts it is seen.
std::optional<DrainWriter> bypassedWriter(const CallExpr *Write, const FieldDecl *Stream,
                                          llvm::ArrayRef<StreamCall> StreamWrites,
                                          const QueueNames &Names, ASTContext &Ctx);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_QUEUEBYPASS_H
