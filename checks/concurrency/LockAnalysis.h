//===--- LockAnalysis.h - Is a lock held at this expression? ----*- C++ -*-===//
//
// A syntactic, single-function answer to "is some lock held here?", the question
// errorshield-unlocked-shared-map asks at every access to a shared container. It reads the
// statements that run before the access in each enclosing block: RAII lock objects, lock()/unlock()
// calls on mutexes and lock objects, and the enclosing function's contract (thread-safety
// annotations, a *Locked name, constructors and destructors). Lambdas are judged by the function
// around them: a lambda written under a lock (a wait predicate, a for_each body) runs under it.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_CONCURRENCY_LOCKANALYSIS_H
#define ERRORSHIELD_CONCURRENCY_LOCKANALYSIS_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// The names that make up locking, all from the catalog.
struct LockVocabulary {
  std::vector<std::string> MutexTypes;      ///< std::mutex, absl::Mutex, ...
  std::vector<std::string> LockTypes;       ///< RAII exclusive locks: std::lock_guard, ...
  std::vector<std::string> SharedLockTypes; ///< RAII reader locks: std::shared_lock, ...
  std::vector<std::string> DeferLockTags;   ///< std::defer_lock_t: constructed unlocked.
  std::vector<std::string> LockMethods;     ///< m.lock(), lk.lock(), mu.Lock()
  std::vector<std::string> SharedLockMethods; ///< m.lock_shared(), mu.ReaderLock()
  std::vector<std::string> UnlockMethods;   ///< m.unlock(), m.unlock_shared(), mu.Unlock()
  std::vector<std::string> LockedFunctionSuffixes; ///< "Locked", "_locked": caller holds it.
  std::vector<std::string> LockFunctions; ///< std::lock(a, b): locks every argument at once.
};

enum class LockLevel { None, Shared, Exclusive };

class LockAnalysis {
public:
  LockAnalysis(const LockVocabulary &Vocabulary, ASTContext &Ctx) : V(Vocabulary), Ctx(Ctx) {}

  /// The strongest lock held where \p E is evaluated, judged inside its enclosing function.
  LockLevel heldAt(const Expr *E, unsigned CallDepth = 0) const;

  /// The function whose body contains \p E, looking through lambdas to the function around them.
  const FunctionDecl *enclosingFunction(const Expr *E) const;

  /// True when \p F's own body takes or releases any lock (an RAII lock or a lock()/unlock() call).
  bool takesLocks(const FunctionDecl *F) const;

  /// The lock level \p F's contract promises to its body: thread-safety REQUIRES annotations, a
  /// name ending in a locked suffix, a lock object taken by reference, constructors and
  /// destructors.
  LockLevel contractOf(const FunctionDecl *F) const;

  bool isMutexType(QualType T) const;

private:
  /// Replays the statements of \p Block that precede \p Stop, tracking lock objects and mutexes.
  LockLevel replay(const CompoundStmt *Block, const Stmt *Stop) const;
  /// The lock held wherever the function \p Lambda is passed to calls it (`with_lock([&] {...})`
  /// calling `fn()` under its own lock_guard); None when it is not passed or not called.
  LockLevel heldWhenCalleeRuns(const LambdaExpr *Lambda, unsigned CallDepth) const;
  /// True when \p Var is an RAII lock object (exclusive or shared).
  bool isLockObject(const VarDecl *Var) const;
  /// The level an RAII lock declaration holds once constructed, or None when it is not a lock.
  LockLevel levelOfLockDecl(const VarDecl *Var) const;

  const LockVocabulary &V;
  ASTContext &Ctx;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_CONCURRENCY_LOCKANALYSIS_H
