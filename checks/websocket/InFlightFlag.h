//===--- InFlightFlag.h - A write-in-progress flag in place of a queue -*- C++ -*-===//
//
// The other shape of one outstanding write per stream: a bool member says a write is running.
// The writing code returns when it is set, sets it, then writes (often a member buffer that it
// swapped with the one new output gathers in); the completion handler clears it.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_INFLIGHTFLAG_H
#define ERRORSHIELD_WEBSOCKET_INFLIGHTFLAG_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"

namespace clang::tidy::errorshield::ws {

/// True when \p Write is guarded by a write-in-progress flag: a bool data member of \p Stream's
/// class set to `true` by a statement of the block that makes the write, before it, and either
/// - an earlier statement of that block returns when the flag is set
///   (`if (sending_ || pending_.empty()) return;`), with nothing before that guard touching the
///   data member \p Buffer names (a buffer changed before the guard may be one being written), or
/// - the block is the body of `if (!sending_)` (or `if (!sending_ && ...)`), or
/// - another member function of the class calls the writer only once the flag is clear
///   (`if (sending_) return; ... pump();`, `if (!sending_) pump();`).
bool guardedByInFlightFlag(const CallExpr *Write, const FieldDecl *Stream, const Expr *Buffer,
                           ASTContext &Ctx);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_INFLIGHTFLAG_H
