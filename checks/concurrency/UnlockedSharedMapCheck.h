//===--- UnlockedSharedMapCheck.h - errorshield-unlocked-shared-map *- C++ -*-===//

#ifndef ERRORSHIELD_CONCURRENCY_UNLOCKEDSHAREDMAPCHECK_H
#define ERRORSHIELD_CONCURRENCY_UNLOCKEDSHAREDMAPCHECK_H

#include "concurrency/ConcurrentCapture.h"
#include "concurrency/LockAnalysis.h"
#include "concurrency/SerializedContext.h"
#include "core/ErrorShieldCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::errorshield {

/// Finds accesses to shared associative containers (globals, statics, and members of classes that
/// own a mutex) made while no lock is held. Whether a read matters depends on whether the container
/// is written anywhere in the translation unit, so accesses are collected while matching and
/// judged at the end of the translation unit.
///
/// For the user-facing documentation see: docs/checks/errorshield-unlocked-shared-map.md
class UnlockedSharedMapCheck : public ErrorShieldCheck {
public:
  UnlockedSharedMapCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }

  enum class AccessKind { Read, Write };
  struct Access {
    const Expr *Use;         ///< The expression naming the container.
    const ValueDecl *Container;
    AccessKind Kind;
  };

private:
  /// The lock level at \p A, including what callers of a private helper hold when they call it.
  LockLevel levelAt(const LockAnalysis &Locks, const Expr *E) const;
  /// True when \p Use is in \p F's own body (not a lambda) and \p F starts threads after it
  /// (constructs one of the ThreadTypes, or emplaces into a container of them): start-up code
  /// that runs before anything is shared.
  bool beforeThreadsStart(const Expr *Use, const FunctionDecl *F) const;
  /// True when \p Use is in the body of \p F after F joined the threads it had started (the last
  /// join of a ThreadTypes object comes after F's last thread start): the tear-down.
  bool afterThreadsJoined(const Expr *Use, const FunctionDecl *F) const;
  bool startsThread(const Stmt *S) const;
  /// True when every call of \p F in the translation unit is set-up: made by a constructor, by
  /// start-up code before threads start, or by another such function (up to three deep). A loader
  /// the constructor runs (`if (!ctx_.load(path)) throw ...;`) fills its tables before sharing.
  bool calledOnlyDuringSetup(const LockAnalysis &Locks, const FunctionDecl *F,
                             unsigned Depth = 0) const;
  bool calledOnlyUnderLock(const LockAnalysis &Locks, const FunctionDecl *F, LockLevel Needed,
                           llvm::SmallPtrSetImpl<const FunctionDecl *> &Visited) const;
  /// True when \p F is called, directly or through up to \p Depth callers, with a lock held, or
  /// escapes as a pointer.
  bool mayBeCalledUnderLock(const LockAnalysis &Locks, const FunctionDecl *F,
                            unsigned Depth = 3) const;
  /// The `std::lock_guard<...> lock(mu_);` insertion for \p A, if one is safe.
  std::optional<FixItHint> lockInsertion(const LockAnalysis &Locks, const Access &A,
                                         const FieldDecl *Mutex);
  const FieldDecl *onlyMutexOf(const ValueDecl *Container) const;
  /// Reports \p A; a lock the fix-it adds goes before \p FixAt (the first unguarded access of
  /// the same container in the same function).
  void reportAccess(const Access &A, LockLevel Held, const LockAnalysis &Locks,
                    const Expr *FixAt);

  const std::vector<std::string> ContainerTypes;
  const std::vector<std::string> WriteMethods;
  const std::vector<std::string> FixItMutexTypes;
  const std::string FixItLockType;
  /// Treat a private helper whose every caller holds a lock as locked (off by default: the
  /// documented contract for such helpers is a REQUIRES annotation or a *Locked name).
  const bool InferLockFromCallers;
  /// What starts code on other threads (ThreadTypes, TaskFunctions, PoolPostFunctions, PoolTypes).
  const ConcurrentStartNames Starts;
  const LockVocabulary Vocabulary;
  /// Strands and once-functions: accesses they serialize need no lock.
  const SerializingVocabulary Serializing;

  ASTContext *Context = nullptr;
  std::vector<Access> Accesses;
  /// References to private or internal functions and to methods of classes that own a mutex:
  /// (expression, whether it is the callee of a call).
  llvm::DenseMap<const FunctionDecl *, std::vector<std::pair<const Expr *, bool>>> References;
  llvm::SmallPtrSet<const Stmt *, 8> BlocksWithFix;
  /// Locals shared with the tasks a loop starts: where the first such task is started.
  llvm::DenseMap<const ValueDecl *, SourceLocation> StartedAt;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_CONCURRENCY_UNLOCKEDSHAREDMAPCHECK_H
