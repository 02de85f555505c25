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
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

struct ReadChainNames {
  std::vector<std::string> ReadFunctions; ///< Bare names: `async_read`, `async_read_some`, ...
  std::vector<std::string> BindFunctions; ///< Binders looked through to find a handler.
};

class ClassCode;

/// The member functions of a data member stream's class and the class's asynchronous writes of
/// it (\p WritesStream tells them), gathered once to judge a write by the order of operations.
class WriteOrder {
public:
  WriteOrder(const FieldDecl *Stream, llvm::function_ref<bool(const CallExpr *)> WritesStream,
             const ReadChainNames &Names);
  ~WriteOrder();

  /// True when \p Write is the reply step of a read -> write -> read chain:
  /// - it is the class's only asynchronous write of the stream;
  /// - it is made in the completion handler of a read of the stream, or in a member function
  ///   that is called only from such handlers;
  /// - its own completion handler starts a read of the stream (itself or through a member
  ///   function);
  /// - the code that makes it starts no read of the stream besides.
  bool repliesInReadWriteChain(const CallExpr *Write, ASTContext &Ctx) const;

  /// True when the class's writes, \p Write among them and at least two, form one sequence:
  /// each but the first is started by the completion handler of another (a greeting, then the
  /// capabilities once it is sent). The first is not in a loop, does not write a parameter of
  /// its function (a `send(msg)` is called once per message), and its function starts no read of
  /// the stream beside it.
  bool writesInCompletionChain(const CallExpr *Write, ASTContext &Ctx) const;

  /// True when \p Write is started by the completion handler of another write of the stream
  /// (the second half of `write(a, [..]{ write(b, ..); })`): the two are one sequence, whose
  /// first write is the one judged.
  bool continuesEarlierWrite(const CallExpr *Write) const;

  /// True when a completion handler of \p Write starts, itself, another write of the stream: the
  /// write is the first step of a sequence (a snapshot, then a ready notice once it is sent)
  /// whose steps cannot overlap one another. Not when it writes a parameter of its function
  /// (`send(msg)`, called once per message), nor when its function starts a read beside it. A
  /// handler that only starts the next read (a reply) is not enough: another writer of the class
  /// can overlap the reply.
  bool startsSequence(const CallExpr *Write, ASTContext &Ctx) const;

private:
  std::unique_ptr<ClassCode> Code;
  llvm::function_ref<bool(const CallExpr *)> WritesStream; ///< Outlived by its caller's lambda.
  std::vector<const CallExpr *> Writes;
  const ReadChainNames &Names;
};

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_READWRITECHAIN_H
