//===--- FrameTypeGuard.h - What a got_text() check covers ------*- C++ -*-===//
//
// A session that checks got_text() somewhere is not safe everywhere: a parse placed before the
// check (a legacy greeting parsed first), or inside the `if (ws.got_binary())` branch, still hands
// a binary message to the text parser. Within one function, this tells what the frame-type queries
// of that function say about the frame where a parse runs.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_FRAMETYPEGUARD_H
#define ERRORSHIELD_WEBSOCKET_FRAMETYPEGUARD_H

#include "clang/AST/ASTContext.h"
#include "llvm/ADT/ArrayRef.h"

namespace clang::tidy::errorshield::ws {

enum class FrameAtParse {
  Text,      ///< Inside `if (got_text())`, or after `if (!got_text()) return;`.
  Binary,    ///< Inside `if (got_binary())` or the else of `if (got_text())`.
  Unguarded, ///< The function asks, but not so that the answer covers the parse.
  NotJudged, ///< The function does not ask, or keeps the answer in a variable.
};

/// What \p Queries (the got_text()/got_binary() calls on the parsed message's stream made in the
/// same function body as \p Parse) say about the frame where \p Parse runs. A query whose method
/// name contains "text" asks whether the frame is text; any other, whether it is binary.
FrameAtParse frameAtParse(const CallExpr *Parse, llvm::ArrayRef<const CallExpr *> Queries,
                          ASTContext &Ctx);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_FRAMETYPEGUARD_H
