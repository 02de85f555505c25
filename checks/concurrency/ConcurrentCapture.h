//===--- ConcurrentCapture.h - A local container shared with tasks it starts -*- C++ -*-===//
//
// `std::map<std::string, int> counts; for (...) pool.emplace_back([&counts, k] { counts[k]++; });`
// shares a local with every thread the loop starts: the container is as shared as a global for
// as long as those threads run, and the tally races.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_CONCURRENCY_CONCURRENTCAPTURE_H
#define ERRORSHIELD_CONCURRENCY_CONCURRENTCAPTURE_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// What starts a function on another thread.
struct ConcurrentStartNames {
  std::vector<std::string> ThreadTypes;   ///< constructed (or emplaced) with the function
  std::vector<std::string> TaskFunctions; ///< called with it: std::async
  std::vector<std::string> PostFunctions; ///< called with a PoolTypes object or executor first
  std::vector<std::string> PoolTypes;
};

/// True when \p S starts a thread: constructs one of the \p ThreadTypes with a function, or
/// emplaces one into a container of them (`pool.emplace_back([this] { ioc_.run(); })`).
bool startsThread(const Stmt *S, const std::vector<std::string> &ThreadTypes);

/// For \p Use, a reference to the local \p Container from inside a lambda: the call that starts
/// that lambda on another thread once per iteration of a loop around it (a thread constructed or
/// emplaced, a task, a post to a thread pool; the lambda may be wrapped, as in
/// `asio::use_future(...)`), when the lambda captures \p Container by reference, the container is
/// declared outside the loop, and nothing in the loop waits for the started task (join(), get(),
/// wait()) after starting it. Null otherwise.
const Expr *concurrentStartOf(const DeclRefExpr *Use, const VarDecl *Container,
                              const ConcurrentStartNames &Names, ASTContext &Ctx);

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_CONCURRENCY_CONCURRENTCAPTURE_H
