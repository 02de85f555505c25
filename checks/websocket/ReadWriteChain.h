//===--- ReadWriteChain.h - One write at a time by the order of operations -*- C++ -*-===//
//
// The shape of Beast's and Asio's echo servers, and of request/response sessions: read a message;
// in the read's completion handler write the reply; in the write's completion handler start the
// next read. Reads are one at a time, each read leads to one write, and the next read (so the next
// write) waits for that write to complete: writes never overlap, with no queue and no flag.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_READWRITECHAIN_H
#define ERRORSHIELD_WEBSOCKET_READWRITECHAIN_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

struct ReadChainNames {
  std::vector<std::string> ReadFunctions; ///< Bare names: `async_read`, `async_read_some`, ...
  std::vector<std::string> BindFunctions; ///< Binders looked through to find a handler.
};

/// True when \p Write, an asynchronous write of the data member \p Stream, is the reply step of a
/// read -> write -> read chain, judged over the member functions of \p Stream's class:
/// - it is the class's only asynchronous write of \p Stream (\p WritesStream tells them);
/// - it is made in the completion handler of a read of \p Stream, or in a member function that is
///   called only from such handlers;
/// - its own completion handler starts a read of \p Stream (itself or through a member function);
/// - the code that makes it starts no read of \p Stream besides.
bool repliesInReadWriteChain(const CallExpr *Write, const FieldDecl *Stream,
                             llvm::function_ref<bool(const CallExpr *)> WritesStream,
                             const ReadChainNames &Names, ASTContext &Ctx);

/// True when the class's asynchronous writes of \p Stream (\p WritesStream tells them), \p Write
/// among them and at least two, form one sequence: each but the first is started by the completion
/// handler of another (a greeting, then the capabilities once it is sent). The first is not in a
/// loop, does not write a parameter of its function (a `send(msg)` is called once per message),
/// and its function starts no read of \p Stream beside it.
bool writesInCompletionChain(const CallExpr *Write, const FieldDecl *Stream,
                             llvm::function_ref<bool(const CallExpr *)> WritesStream,
                             const ReadChainNames &Names, ASTContext &Ctx);

/// True when \p Write is started by the completion handler of another asynchronous write of
/// \p Stream in its class (the second half of `write(a, [..]{ write(b, ..); })`): the two are one
/// sequence, whose first write is the one judged.
bool continuesEarlierWrite(const CallExpr *Write, const FieldDecl *Stream,
                           llvm::function_ref<bool(const CallExpr *)> WritesStream,
                           const ReadChainNames &Names);
/// True when a completion handler of \p Write starts, itself, another write of \p Stream
/// (\p WritesStream tells them): the write is the first step of a sequence (a snapshot, then a
/// ready notice once it is sent) whose steps cannot overlap one another. Not when it writes a
/// parameter of its function (`send(msg)`, called once per message), nor when its function starts
/// a read beside it. A handler that only starts the next read (a reply) is not enough: another
/// writer of the class can overlap the reply.
bool startsSequence(const CallExpr *Write, const FieldDecl *Stream,
                    llvm::function_ref<bool(const CallExpr *)> WritesStream,
                    const ReadChainNames &Names, ASTContext &Ctx);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_READWRITECHAIN_H
