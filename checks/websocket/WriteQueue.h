//===--- WriteQueue.h - How a session's write relates to its write queue -*- C++ -*-===//
//
// The shape Beast's examples use for one outstanding write per stream: outgoing messages wait in a
// member container, and the write always takes its buffer from the container's front. These
// helpers find the queue a write's buffer comes from, and what the writing function does to it.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_WRITEQUEUE_H
#define ERRORSHIELD_WEBSOCKET_WRITEQUEUE_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

struct QueueNames {
  std::vector<std::string> Types;     ///< Container types that can be a write queue.
  std::vector<std::string> Accessors; ///< front, begin, operator[].
  std::vector<std::string> Pushes;
  std::vector<std::string> Pops;
};

/// Where a write's buffer comes from a queue's front.
struct QueueFront {
  const FieldDecl *Queue = nullptr;
  SourceLocation TakenAt;            ///< The front() call (or the alias's initialization).
  const VarDecl *Alias = nullptr;    ///< A local bound to the front (`auto& m = q_.front()`).
};

/// The data member a (possibly dependent) expression names, `x_` or `self->x_`.
const FieldDecl *namedField(const Expr *E);

/// True when \p A and \p B are members of one class (or of a class and its base, or of a class
/// template and its specialization).
bool sameClass(const FieldDecl *A, const FieldDecl *B);

/// The queue of \p Stream's class whose front feeds \p Buffer (directly, or through a local
/// variable initialized from it), or none.
std::optional<QueueFront> queueFrontOf(const Expr *Buffer, const FieldDecl *Stream,
                                       const QueueNames &Names);

/// The innermost loop around \p E inside its function or lambda, or null. Loops that a macro
/// generates (a stackless coroutine's `yield`) are not loops of the user's code. A lambda passed
/// to one of \p PostFunctions is looked through: each iteration queues another run of it.
const Stmt *enclosingLoop(const Expr *E, ASTContext &Ctx,
                          const std::vector<std::string> &PostFunctions = {});

/// For a write \p Write made by a lambda kept in a local and called in a loop of the function that
/// keeps it (`auto push = [&](const Cue &c) { ws.async_write(...); }; for (...) push(c);`), that
/// loop: each call starts a write. Null when the write's stream is the lambda's parameter (a
/// helper handed another stream each call) or the lambda is not called in a loop.
const Stmt *loopCallingLambdaOf(const CallExpr *Write, const Expr *Stream, ASTContext &Ctx,
                                const std::vector<std::string> &PostFunctions);

/// True when \p E is the statement of a stackless coroutine's yield (asio::coroutine's `yield`,
/// which expands to one of \p YieldMacros): the coroutine resumes after the operation completes.
bool isStacklessYield(const Expr *E, ASTContext &Ctx, const std::vector<std::string> &YieldMacros);

/// The calls in \p Body (nested lambdas excluded) of one of \p Methods on \p Queue.
std::vector<const CallExpr *> queueCalls(const Stmt *Body, const FieldDecl *Queue,
                                         const std::vector<std::string> &Methods);

/// True when a condition in \p Body (if/loop/?:) reads \p Queue or a bool data member of the
/// queue's class: the write-in-progress guard (`if (queue_.size() > 1) return;`, `if (writing_)`).
/// A test that one of the \p Pushes before it always makes true (`if (queue_.size() >= 1)`)
/// guards nothing.
bool hasWriteGuard(const Stmt *Body, const FieldDecl *Queue,
                   llvm::ArrayRef<const CallExpr *> Pushes = {});
/// The calls of \p Writer (a function that writes \p Queue's front) made right after a push onto
/// \p Queue under a test the push always makes true (`q.push_back(m); if (!q.empty()) flush();`),
/// with that test: each starts a write while one may be in progress.
std::vector<std::pair<const CallExpr *, const Expr *>>
writerCallsAfterVacuousCheck(const FunctionDecl *Writer, const FieldDecl *Queue,
                             const QueueNames &Names, ASTContext &Ctx);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_WRITEQUEUE_H
