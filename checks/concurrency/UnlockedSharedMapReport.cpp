//===--- UnlockedSharedMapReport.cpp - diagnostics and the lock_guard fix-it ===//
//
// The fix-it inserts `std::lock_guard<M> lock(mu_);` at the start of the block holding the access.
// It is offered only where it cannot change more than intended: the class has exactly one mutex of
// a listed type, the access is in one of that class's member functions (not in a lambda), the
// function takes no lock of its own and calls no member function that does (a second lock on a
// non-recursive mutex would deadlock), is not called anywhere with a lock held, and only once per
// block.
//
//===----------------------------------------------------------------------===//

#include "concurrency/UnlockedSharedMapCheck.h"
#include "core/Matchers.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringSet.h"

namespace clang::tidy::errorshield {

const FieldDecl *UnlockedSharedMapCheck::onlyMutexOf(const ValueDecl *Container) const {
  const auto *Field = dyn_cast<FieldDecl>(Container);
  if (!Field)
    return nullptr;
  const FieldDecl *Found = nullptr;
  for (const FieldDecl *Candidate : Field->getParent()->fields()) {
    if (!isNamedRecord(Candidate->getType().getUnqualifiedType(), Vocabulary.MutexTypes))
      continue;
    if (Found)
      return nullptr;
    Found = Candidate;
  }
  return Found;
}

/// True when \p F calls, directly or through up to \p Depth more calls, a member function of its
/// own class whose body takes a lock: a second lock on a non-recursive mutex would deadlock.
static bool callsLockingMember(const CXXMethodDecl *F, const LockAnalysis &Locks,
                               unsigned Depth = 3) {
  return findDescendant(F->getBody(), [&](const Stmt *S) {
    const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
    const CXXMethodDecl *Callee = Call ? Call->getMethodDecl() : nullptr;
    const auto *Definition =
        Callee ? dyn_cast_or_null<CXXMethodDecl>(Callee->getDefinition()) : nullptr;
    return Definition && Definition != F && Definition->getParent() == F->getParent() &&
           (Locks.takesLocks(Definition) ||
            (Depth > 0 && callsLockingMember(Definition, Locks, Depth - 1)));
  });
}

/// A name for the new lock that nothing in \p F or its class already uses.
static std::optional<std::string> freshLockName(const CXXMethodDecl *F) {
  llvm::StringSet<> Used;
  for (const FieldDecl *Field : F->getParent()->fields())
    Used.insert(Field->getName());
  for (const ParmVarDecl *Param : F->parameters())
    Used.insert(Param->getName());
  forEachDescendant(F->getBody(), [&](const Stmt *S) {
    if (const auto *Decls = dyn_cast<DeclStmt>(S))
      for (const Decl *D : Decls->decls())
        if (const auto *Named = dyn_cast<NamedDecl>(D); Named && Named->getIdentifier())
          Used.insert(Named->getName());
  });
  for (StringRef Candidate : {"lock", "guard", "mutex_lock"})
    if (!Used.contains(Candidate))
      return Candidate.str();
  return std::nullopt;
}

bool UnlockedSharedMapCheck::mayBeCalledUnderLock(const LockAnalysis &Locks,
                                                  const FunctionDecl *F, unsigned Depth) const {
  auto It = References.find(F->getCanonicalDecl());
  if (It == References.end())
    return false;
  for (auto [Ref, IsCall] : It->second) {
    if (!IsCall || Locks.heldAt(Ref) != LockLevel::None)
      return true;
    const FunctionDecl *Caller = Locks.enclosingFunction(Ref);
    if (Caller && Caller != F && Depth > 0 && mayBeCalledUnderLock(Locks, Caller, Depth - 1))
      return true;
  }
  return false;
}

std::optional<FixItHint> UnlockedSharedMapCheck::lockInsertion(const LockAnalysis &Locks,
                                                               const Access &A,
                                                               const FieldDecl *Mutex) {
  const FunctionDecl *F = Locks.enclosingFunction(A.Use);
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(F);
  if (!Mutex || !Method || Method->isStatic() || !F->getBody() ||
      Method->getParent() != cast<FieldDecl>(A.Container)->getParent() ||
      (Method->isConst() && !Mutex->isMutable()) || Locks.takesLocks(F) ||
      callsLockingMember(Method, Locks))
    return std::nullopt;
  if (mayBeCalledUnderLock(Locks, F))
    return std::nullopt; // a second lock_guard on the same mutex would deadlock
  auto MutexName = llvm::find_if(FixItMutexTypes, [&](const std::string &Name) {
    return isNamedRecord(Mutex->getType().getUnqualifiedType(), {Name});
  });
  if (MutexName == FixItMutexTypes.end())
    return std::nullopt;
  // The block that directly holds the statement with the access, with no lambda between the
  // access and the function (a lambda may run elsewhere, or under a lock taken by its caller).
  const CompoundStmt *Block = nullptr;
  DynTypedNodeList Parents = Context->getParents(*A.Use);
  while (!Parents.empty() && !Parents[0].get<FunctionDecl>()) {
    if (Parents[0].get<LambdaExpr>())
      return std::nullopt;
    if (!Block)
      Block = Parents[0].get<CompoundStmt>();
    Parents = Context->getParents(Parents[0]);
  }
  if (Parents.empty() || Parents[0].get<FunctionDecl>() != F)
    return std::nullopt; // reached a lambda's call operator first
  std::optional<std::string> LockName = freshLockName(Method);
  if (!Block || !LockName || Block->body_empty() || !BlocksWithFix.insert(Block).second)
    return std::nullopt;
  const SourceManager &SM = Context->getSourceManager();
  SourceLocation First = Block->body_front()->getBeginLoc();
  if (First.isMacroID())
    return std::nullopt;
  // On its own line, indented like the statement it precedes; inline in a one-line body.
  std::string Separator = " ";
  if (SM.getSpellingLineNumber(First) != SM.getSpellingLineNumber(Block->getLBracLoc()))
    Separator = "\n" + std::string(SM.getSpellingColumnNumber(First) - 1, ' ');
  std::string Text = FixItLockType + "<" + StringRef(*MutexName).ltrim(':').str() + "> " + *LockName + "(" +
                     Mutex->getName().str() + ");" + Separator;
  return FixItHint::CreateInsertion(First, Text);
}

void UnlockedSharedMapCheck::reportAccess(const Access &A, LockLevel Held,
                                          const LockAnalysis &Locks, const Expr *FixAt) {
  if (!firstReportAt(A.Use->getExprLoc()))
    return;
  const FieldDecl *Mutex = onlyMutexOf(A.Container);
  {
    const bool Write = A.Kind == AccessKind::Write;
    auto Diag = report(A.Use->getExprLoc(),
                       Write && Held == LockLevel::Shared
                           ? "shared container '%0' is modified while holding only a shared lock"
                       : Write ? "shared container '%0' is modified without holding a lock"
                               : "shared container '%0' is read without holding a lock while "
                                 "other code modifies it")
                << A.Container->getName();
    Access First = A;
    First.Use = FixAt;
    if (Held == LockLevel::None)
      if (std::optional<FixItHint> Fix = lockInsertion(Locks, First, Mutex))
        Diag << *Fix;
  }
  diag(A.Container->getLocation(), "'%0' is shared between threads: declared here",
       DiagnosticIDs::Note)
      << A.Container->getName();
  if (SourceLocation Start = StartedAt.lookup(A.Container); Start.isValid())
    diag(Start, "a task that captures '%0' by reference is started here, once per iteration of "
                "the loop, to run beside the others",
         DiagnosticIDs::Note)
        << A.Container->getName();
  if (Mutex)
    diag(Mutex->getLocation(), "'%0' is the mutex of %1; hold it while accessing '%2'",
         DiagnosticIDs::Note)
        << Mutex->getName() << Mutex->getParent() << A.Container->getName();
}

} // namespace clang::tidy::errorshield
