//===--- StreamOrigin.h - Where a stream is made -----------------*- C++ -*-===//
//
// A finding about a stream as a whole (it never gets an option) belongs where the stream is made,
// the line a reviewer points at, rather than at one of its uses; the uses become notes.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_STREAMORIGIN_H
#define ERRORSHIELD_WEBSOCKET_STREAMORIGIN_H

#include "clang/AST/Expr.h"
#include "llvm/ADT/ArrayRef.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

/// The local variable or data member \p Object designates (`ws`, `ws_`, `self->ws_`, `*ws`), or
/// null: a reference, a parameter, a global, a member reached by name only (in a template).
const ValueDecl *ownedStreamDeclaration(const Expr *Object);

/// Where the stream declared by \p Declared is made: its declaration when that is a stream of
/// \p StreamTypes, or a local initialised by its maker (`auto ws = std::make_shared<...>(...)`);
/// for one held by a pointer or optional and filled in later, the only place in \p Creations.
/// \p Use's location when there is no single such place, or when it lies in another file than
/// \p Use (a header, whose findings the usual header filter hides).
SourceLocation streamMadeAt(const ValueDecl *Declared, llvm::ArrayRef<SourceLocation> Creations,
                            SourceLocation Use, const std::vector<std::string> &StreamTypes,
                            const SourceManager &SM);

/// The local that a function of the project returns, when \p Declared is a local initialised by
/// a call of it (`auto link = make_board_link(std::move(sock));`, the factory ending in
/// `return link;`): the stream was made, and configured or not, in that function. Null when
/// \p Declared is anything else, the callee is not defined here (or in a system header), or its
/// returns do not all name one local.
const VarDecl *factoryResult(const ValueDecl *Declared);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_STREAMORIGIN_H
