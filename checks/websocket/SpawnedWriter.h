//===--- SpawnedWriter.h - A coroutine spawned to write beside the writer -*- C++ -*-===//
//
// A session with a writer of its own (a coroutine draining a queue, a write chain) that also
// spawns a coroutine to write the same stream "to skip the queue": the spawned coroutine runs
// beside the writer, and its write can start while the writer's is in progress.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_SPAWNEDWRITER_H
#define ERRORSHIELD_WEBSOCKET_SPAWNEDWRITER_H

#include "websocket/OverlappingWrites.h"
#include <optional>

namespace clang::tidy::errorshield::ws {

struct RivalWriter {
  const CallExpr *Spawn; ///< The spawn call that starts the coroutine \p Write is in.
  const CallExpr *Other; ///< Another write of the same data member stream in the class.
};

/// When \p Write (a write of the data member \p Stream) is made by a lambda coroutine started by
/// one of \p SpawnFunctions, another write of that member anywhere else in the class (outside
/// that lambda), or none.
std::optional<RivalWriter> rivalOfSpawnedWrite(const CallExpr *Write, const FieldDecl *Stream,
                                               const WriteRecognizer &AsWrite,
                                               const std::vector<std::string> &SpawnFunctions,
                                               ASTContext &Ctx);

/// A coroutine of the same class run beside the one \p Write is in (both are operands of one
/// awaitable `&&` / `||` in a function of the class: `co_await (reader() || writer());`) that
/// writes \p Stream too, when \p Write's coroutine also reads \p Stream (a reader that replies
/// directly) and the other one does not (the session's writer). The operator call is returned
/// as the Spawn, the rival write as Other.
std::optional<RivalWriter> parallelWriterOf(const CallExpr *Write, const FieldDecl *Stream,
                                            const WriteRecognizer &AsWrite,
                                            llvm::function_ref<bool(const CallExpr *)> IsRead,
                                            ASTContext &Ctx);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_SPAWNEDWRITER_H
