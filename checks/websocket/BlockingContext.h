//===--- BlockingContext.h - Blocking work the Asio API does not name -*- C++ -*-===//
//
// Two questions ws-blocking-in-handler asks beyond "is this call listed": does a call read or
// write a file through an iostream (`out << line` on a std::ofstream, `ss << f.rdbuf()`), and
// does a coroutine lambda run on a thread pool rather than on an I/O thread
// (`co_spawn(pool, [&]() -> awaitable<T> { ... }, use_awaitable)` hands blocking work off).
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_BLOCKINGCONTEXT_H
#define ERRORSHIELD_WEBSOCKET_BLOCKINGCONTEXT_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

/// "std::basic_ifstream (opening a file)" when \p Construct makes one of the \p FileStreamTypes
/// from a path (a move or copy does not open anything), else empty.
std::string fileStreamOpening(const CXXConstructExpr *Construct,
                              const std::vector<std::string> &FileStreamTypes);

/// The file operation \p C performs, named for a diagnostic (`basic_ofstream::operator<<`,
/// `basic_ifstream::read`, `std::getline`), or empty. A call performs one when it is
/// - a `<<` or `>>` with an operand of one of the \p FileStreamTypes (a file stream, or the
///   `basic_filebuf *` its `rdbuf()` returns);
/// - one of the \p FileStreamMethods called on such an object (`in.read(buf, n)`);
/// - a function of namespace std given such an object as an argument (`std::getline(in, line)`).
std::string fileStreamOperation(const CallExpr *C, const std::vector<std::string> &FileStreamTypes,
                                const std::vector<std::string> &FileStreamMethods);

/// True when \p Call is a member call on an object that \p Body puts in non-blocking mode
/// (`socket.non_blocking(true, ec); socket.write_some(buf, ec);`): it returns would_block rather
/// than wait.
bool isOnNonBlockingObject(const CallExpr *Call, const Stmt *Body);

/// True when \p Executor is a thread pool of one of the \p Types, or one of its nested executor
/// types (`pool.get_executor()`).
bool isThreadPool(const Expr *Executor, const std::vector<std::string> &Types);

/// True when \p Lambda is the function a `co_spawn` call starts on an executor of one of the
/// \p ThreadPoolTypes (the pool itself, or one of its nested executor types), directly or called
/// in the argument (`co_spawn(pool, [] () -> awaitable<void> { ... }(), detached)`).
bool isSpawnedOnThreadPool(const LambdaExpr *Lambda, ASTContext &Ctx,
                           const std::vector<std::string> &ThreadPoolTypes);

/// The stretches of \p Coroutine's body that run on a thread pool: after a statement that
/// awaits a hop onto one of the \p ThreadPoolTypes (`co_await net::post(pool, use_awaitable);`,
/// also `dispatch`, `defer`), up to the statement that awaits a hop to another executor or the
/// end of the block.
std::vector<SourceRange> poolStretches(const Stmt *Coroutine,
                                       const std::vector<std::string> &ThreadPoolTypes);

/// How many times each function is named in the translation unit's own code (calls, and uses as
/// a value: a member function bound as a handler), counted once per translation unit.
class FunctionUses {
public:
  unsigned of(const FunctionDecl *F, ASTContext &Ctx);
  /// A free function (a utility, however often it is called), or a member function named more
  /// than once and at least once outside the member functions of its own class: a helper the
  /// session shares with other code, such as start-up. A member function only its own class
  /// calls is a piece of the session, however many calls.
  bool sharedBeyondClass(const FunctionDecl *F, ASTContext &Ctx);
  void reset() { Counted = nullptr, Uses.clear(), OutsideUses.clear(); }

private:
  void count(ASTContext &Ctx);
  const ASTContext *Counted = nullptr;
  llvm::DenseMap<const Decl *, unsigned> Uses;
  llvm::DenseMap<const Decl *, unsigned> OutsideUses; ///< Uses outside the function's class.
};

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_BLOCKINGCONTEXT_H
