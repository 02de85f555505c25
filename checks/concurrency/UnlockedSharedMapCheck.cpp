//===--- UnlockedSharedMapCheck.cpp - errorshield-unlocked-shared-map -----===//
//
// Matching collects every use of a shared container and every reference to a private or
// internal-linkage function; onEndOfTranslationUnit() then decides, because two facts span the
// whole TU: whether a container is written anywhere (reads of a never-written table are fine), and
// whether every caller of a private helper holds the lock when it calls it.
//
//===----------------------------------------------------------------------===//

#include "concurrency/UnlockedSharedMapCheck.h"
#include "concurrency/ConcurrentCapture.h"
#include "concurrency/ContainerAccess.h"
#include "core/Matchers.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseMap.h"
#include <map>
#include <set>

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {
namespace {

using AccessKind = UnlockedSharedMapCheck::AccessKind;

bool isPrivateOrInternal(const FunctionDecl *F) {
  if (const auto *Method = dyn_cast<CXXMethodDecl>(F))
    return Method->getAccess() == AS_private && !Method->isVirtual();
  return !F->isExternallyVisible();
}

AST_MATCHER(FunctionDecl, isPrivateOrInternalFunction) { return isPrivateOrInternal(&Node); }

/// \p Use is in a lambda handed to another call to run later (asio::post, a timer's async_wait,
/// a thread), not in one a standard algorithm runs on the spot: it runs whenever the handler is
/// called, so the set-up of the function that spells it says nothing about it.
bool inHandedOffLambda(const Expr *Use, ASTContext &Ctx) {
  for (const LambdaExpr *Lambda = enclosingLambda(Use, Ctx); Lambda;
       Lambda = enclosingLambda(Lambda, Ctx)) {
    const auto *Call = parentThroughWrappers(Lambda, Ctx).get<CallExpr>();
    const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
    const bool OnTheSpot = Callee && !isa<CXXMemberCallExpr>(Call) &&
                           (Callee->isInStdNamespace() ? Callee->getName() != "async"
                                                       : Callee == Lambda->getCallOperator());
    if (!OnTheSpot)
      return true;
  }
  return false;
}

} // namespace

UnlockedSharedMapCheck::UnlockedSharedMapCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), ContainerTypes(listOption("ContainerTypes")),
      WriteMethods(listOption("WriteMethods")), FixItMutexTypes(listOption("FixItMutexTypes")),
      FixItLockType(stringOption("FixItLockType")),
      InferLockFromCallers(StringRef(stringOption("InferLockFromCallers")).equals_insensitive("true")),
      Starts{listOption("ThreadTypes"), listOption("TaskFunctions"), listOption("PoolPostFunctions"),
             listOption("PoolTypes")},
      Vocabulary{listOption("MutexTypes"),        listOption("LockTypes"),
                 listOption("SharedLockTypes"),   listOption("DeferLockTags"),
                 listOption("LockMethods"),       listOption("SharedLockMethods"),
                 listOption("UnlockMethods"),     listOption("LockedFunctionSuffixes"),
                 listOption("LockFunctions")},
      Serializing{listOption("StrandTypes"), listOption("StrandCalls"),
                  listOption("OnceFunctions")} {}

void UnlockedSharedMapCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "ContainerTypes", ContainerTypes);
  storeList(Opts, "WriteMethods", WriteMethods);
  storeList(Opts, "MutexTypes", Vocabulary.MutexTypes);
  storeList(Opts, "LockTypes", Vocabulary.LockTypes);
  storeList(Opts, "SharedLockTypes", Vocabulary.SharedLockTypes);
  storeList(Opts, "DeferLockTags", Vocabulary.DeferLockTags);
  storeList(Opts, "LockMethods", Vocabulary.LockMethods);
  storeList(Opts, "SharedLockMethods", Vocabulary.SharedLockMethods);
  storeList(Opts, "UnlockMethods", Vocabulary.UnlockMethods);
  storeList(Opts, "LockedFunctionSuffixes", Vocabulary.LockedFunctionSuffixes);
  storeList(Opts, "LockFunctions", Vocabulary.LockFunctions);
  storeList(Opts, "FixItMutexTypes", FixItMutexTypes);
  storeList(Opts, "ThreadTypes", Starts.ThreadTypes);
  storeList(Opts, "TaskFunctions", Starts.TaskFunctions);
  storeList(Opts, "PoolPostFunctions", Starts.PostFunctions);
  storeList(Opts, "PoolTypes", Starts.PoolTypes);
  storeList(Opts, "StrandTypes", Serializing.StrandTypes);
  storeList(Opts, "StrandCalls", Serializing.StrandCalls);
  storeList(Opts, "OnceFunctions", Serializing.OnceFunctions);
  Options.store(Opts, "FixItLockType", FixItLockType);
  Options.store(Opts, "InferLockFromCallers", InferLockFromCallers ? "true" : "false");
}

void UnlockedSharedMapCheck::registerCheckMatchers(MatchFinder *Finder) {
  using namespace matchers;
  auto OfRecordType = [](const std::vector<std::string> &Names) {
    return hasType(hasUnqualifiedDesugaredType(
        recordType(hasDeclaration(cxxRecordDecl(hasAnyListedName(Names))))));
  };
  const auto Mutable = unless(hasType(isConstQualified()));
  // Shared: globals and statics (not thread_local), and members of a class that owns a mutex or
  // a strand (code it runs off the strand races with the code it runs on it).
  const auto SharedVariable =
      varDecl(OfRecordType(ContainerTypes), hasGlobalStorage(), Mutable, unless(isConstexpr()),
              unless(hasThreadStorageDuration()));
  const auto SharedField = fieldDecl(
      OfRecordType(ContainerTypes), Mutable,
      hasParent(cxxRecordDecl(anyOf(has(fieldDecl(OfRecordType(Vocabulary.MutexTypes))),
                                    has(fieldDecl(OfRecordType(Serializing.StrandTypes)))))));
  // Class templates are examined through their instantiations, where the container types are
  // known; reportAccess() reports each source location once.
  Finder->addMatcher(
      expr(anyOf(declRefExpr(to(SharedVariable.bind("container"))),
                 memberExpr(member(SharedField.bind("container")))),
           unless(isExpansionInSystemHeader()))
          .bind("use"),
      this);
  // A local captured by reference by tasks a loop starts on other threads: shared while they run.
  // So is the caller's container a non-const reference parameter names.
  const auto ContainerRecord = qualType(hasUnqualifiedDesugaredType(
      recordType(hasDeclaration(cxxRecordDecl(hasAnyListedName(ContainerTypes))))));
  const auto LocalContainer =
      varDecl(hasLocalStorage(),
              anyOf(allOf(hasType(ContainerRecord), Mutable),
                    hasType(references(qualType(ContainerRecord, unless(isConstQualified()))))));
  Finder->addMatcher(
      declRefExpr(to(LocalContainer.bind("container")),
                  unless(isExpansionInSystemHeader()))
          .bind("local-use"),
      this);

  // Who calls private helpers, and whether any escapes as a pointer (then its callers are unknown).
  // Calls into the lockable classes' methods are kept too: a fix-it must not add a lock to a
  // function that is called with the lock already held.
  const auto Helper =
      functionDecl(anyOf(isPrivateOrInternalFunction(),
                         cxxMethodDecl(ofClass(has(fieldDecl(OfRecordType(Vocabulary.MutexTypes)))))))
          .bind("helper");
  Finder->addMatcher(callExpr(callee(Helper), unless(isExpansionInSystemHeader())).bind("call"),
                     this);
  Finder->addMatcher(
      expr(anyOf(unaryOperator(hasOperatorName("&"), hasUnaryOperand(declRefExpr(to(Helper)))),
                 implicitCastExpr(hasCastKind(CK_FunctionToPointerDecay),
                                  hasSourceExpression(declRefExpr(to(Helper))),
                                  unless(hasParent(callExpr())))))
          .bind("escape"),
      this);
}

void UnlockedSharedMapCheck::check(const MatchFinder::MatchResult &Result) {
  Context = Result.Context;
  if (const auto *Use = Result.Nodes.getNodeAs<Expr>("use")) {
    const auto *Container = Result.Nodes.getNodeAs<ValueDecl>("container");
    const auto *Canonical = cast<ValueDecl>(Container->getCanonicalDecl());
    if (auto Kind = classifyAccess(Use, *Result.Context, WriteMethods))
      Accesses.push_back({Use, Canonical, *Kind});
    for (const DeclRefExpr *Through : aliasUses(Use, *Result.Context))
      if (auto Kind = classifyAccess(Through, *Result.Context, WriteMethods))
        Accesses.push_back({Through, Canonical, *Kind});
    return;
  }
  if (const auto *Use = Result.Nodes.getNodeAs<DeclRefExpr>("local-use")) {
    const auto *Container = Result.Nodes.getNodeAs<VarDecl>("container");
    const Expr *Start = Use->refersToEnclosingVariableOrCapture()
                            ? concurrentStartOf(Use, Container, Starts, *Result.Context)
                            : nullptr;
    if (!Start)
      return;
    if (auto Kind = classifyAccess(Use, *Result.Context, WriteMethods))
      Accesses.push_back({Use, Container, *Kind});
    StartedAt.try_emplace(Container, Start->getBeginLoc());
    return;
  }
  const auto *Helper = Result.Nodes.getNodeAs<FunctionDecl>("helper")->getCanonicalDecl();
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("call"))
    References[Helper].emplace_back(Call, true);
  else if (const auto *Escape = Result.Nodes.getNodeAs<Expr>("escape"))
    References[Helper].emplace_back(Escape, false);
}

bool UnlockedSharedMapCheck::calledOnlyUnderLock(
    const LockAnalysis &Locks, const FunctionDecl *F, LockLevel Needed,
    llvm::SmallPtrSetImpl<const FunctionDecl *> &Visited) const {
  if (!F || !isPrivateOrInternal(F) || !Visited.insert(F->getCanonicalDecl()).second)
    return false;
  auto It = References.find(F->getCanonicalDecl());
  if (It == References.end())
    return false;
  for (auto [Ref, IsCall] : It->second) {
    if (!IsCall)
      return false;
    if (Locks.heldAt(Ref) >= Needed)
      continue;
    if (!calledOnlyUnderLock(Locks, Locks.enclosingFunction(Ref), Needed, Visited))
      return false;
  }
  return true;
}

LockLevel UnlockedSharedMapCheck::levelAt(const LockAnalysis &Locks, const Expr *E) const {
  LockLevel Held = Locks.heldAt(E);
  if (!InferLockFromCallers)
    return Held;
  for (LockLevel Needed : {LockLevel::Exclusive, LockLevel::Shared}) {
    if (Held >= Needed)
      break;
    llvm::SmallPtrSet<const FunctionDecl *, 8> Visited;
    if (calledOnlyUnderLock(Locks, Locks.enclosingFunction(E), Needed, Visited))
      return Needed;
  }
  return Held;
}

bool UnlockedSharedMapCheck::startsThread(const Stmt *S) const {
  return errorshield::startsThread(S, Starts.ThreadTypes);
}

bool UnlockedSharedMapCheck::beforeThreadsStart(const Expr *Use, const FunctionDecl *F) const {
  const Stmt *Body = F ? F->getBody() : nullptr;
  if (!Body || enclosingFunctionBody(Use, *Context, /*StopAtLambdas=*/true) != Body)
    return false;
  const SourceManager &SM = Context->getSourceManager();
  return findDescendant(Body, [&](const Stmt *S) {
    return SM.isBeforeInTranslationUnit(Use->getEndLoc(), S->getBeginLoc()) && startsThread(S);
  });
}

bool UnlockedSharedMapCheck::afterThreadsJoined(const Expr *Use, const FunctionDecl *F) const {
  const Stmt *Body = F ? F->getBody() : nullptr;
  if (!Body || enclosingFunctionBody(Use, *Context, /*StopAtLambdas=*/true) != Body)
    return false;
  const SourceManager &SM = Context->getSourceManager();
  auto Before = [&](const Stmt *A, SourceLocation B) {
    return SM.isBeforeInTranslationUnit(A->getEndLoc(), B);
  };
  // The function's own statements before the use, lambdas (the threads' bodies) aside.
  const Stmt *LastJoin = nullptr, *FirstStart = nullptr, *LastStart = nullptr;
  findDescendant(Body, [&](const Stmt *S) {
    if (!Before(S, Use->getBeginLoc()))
      return false;
    if (startsThread(S)) {
      FirstStart = FirstStart ? FirstStart : S;
      LastStart = S;
    }
    const auto *Join = dyn_cast<CXXMemberCallExpr>(S);
    if (Join && Join->getMethodDecl() && Join->getMethodDecl()->getName() == "join" &&
        isNamedRecord(Join->getImplicitObjectArgument()->getType(), Starts.ThreadTypes) &&
        (!LastJoin || Before(LastJoin, S->getBeginLoc())))
      LastJoin = S;
    return false;
  }, isNestedCode);
  // Threads this function started, then joined, and none started since.
  return LastJoin && FirstStart && Before(FirstStart, LastJoin->getBeginLoc()) &&
         Before(LastStart, LastJoin->getBeginLoc());
}

bool UnlockedSharedMapCheck::calledOnlyDuringSetup(const LockAnalysis &Locks,
                                                   const FunctionDecl *F, unsigned Depth) const {
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(F);
  if (!F || Depth > 2 || (Method && Method->isVirtual()))
    return false;
  auto It = References.find(F->getCanonicalDecl());
  if (It == References.end() || It->second.empty())
    return false;
  return llvm::all_of(It->second, [&](const auto &Ref) {
    const FunctionDecl *Caller = Ref.second ? Locks.enclosingFunction(Ref.first) : nullptr;
    // Called from the caller's own statements, not from a lambda it hands to someone else.
    if (!Caller || enclosingFunctionBody(Ref.first, *Context, /*StopAtLambdas=*/true) !=
                       Caller->getBody())
      return false;
    return isa<CXXConstructorDecl>(Caller) || beforeThreadsStart(Ref.first, Caller) ||
           calledOnlyDuringSetup(Locks, Caller, Depth + 1);
  });
}

void UnlockedSharedMapCheck::onEndOfTranslationUnit() {
  if (!Context)
    return;
  LockAnalysis Locks(Vocabulary, *Context);
  // The known calls of each function that never escapes as a pointer: who runs it.
  llvm::DenseMap<const FunctionDecl *, std::vector<const CallExpr *>> Calls;
  for (const auto &[F, Refs] : References)
    if (llvm::all_of(Refs, [](const auto &Ref) { return Ref.second; }))
      for (const auto &Ref : Refs)
        Calls[F].push_back(cast<CallExpr>(Ref.first));
  SerializedContext Serialized(Serializing, *Context, Calls);
  // Whether each function runs only during set-up, computed once per function.
  llvm::DenseMap<const FunctionDecl *, bool> SetupOnly;
  auto DuringSetup = [&](const FunctionDecl *F) {
    auto [It, New] = SetupOnly.try_emplace(F, false);
    if (New)
      It->second = calledOnlyDuringSetup(Locks, F);
    return It->second;
  };
  // Writes made while the object is not shared yet (constructors, destructors, the start-up code
  // of the function that then starts the threads) do not count.
  llvm::SmallPtrSet<const Expr *, 16> Unshared;
  llvm::SmallPtrSet<const ValueDecl *, 16> Written;
  for (const Access &A : Accesses) {
    const FunctionDecl *F = Locks.enclosingFunction(A.Use);
    if (A.Kind != AccessKind::Write)
      continue;
    const bool Later = inHandedOffLambda(A.Use, *Context);
    if ((!Later && F && isa<CXXConstructorDecl, CXXDestructorDecl>(F)) ||
        beforeThreadsStart(A.Use, F) || afterThreadsJoined(A.Use, F) || (!Later && DuringSetup(F)))
      Unshared.insert(A.Use);
    else
      Written.insert(A.Container);
  }
  // The lock held at each access of a written container, and the first access of each such
  // container in each function made with none: a lock the fix-it adds goes before it, so that it
  // covers them all. (Containers never written are only read: nothing is reported on them.)
  using FunctionAndContainer = std::pair<const FunctionDecl *, const ValueDecl *>;
  const SourceManager &SM = Context->getSourceManager();
  llvm::DenseMap<const Expr *, LockLevel> HeldAt;
  std::map<FunctionAndContainer, const Expr *> FirstUnguarded;
  for (const Access &A : Accesses) {
    if (!Written.contains(A.Container))
      continue;
    const LockLevel Held = HeldAt[A.Use] = levelAt(Locks, A.Use);
    if (Held != LockLevel::None)
      continue;
    const Expr *&First = FirstUnguarded[{Locks.enclosingFunction(A.Use), A.Container}];
    if (!First || SM.isBeforeInTranslationUnit(A.Use->getBeginLoc(), First->getBeginLoc()))
      First = A.Use;
  }
  // One finding per container and function, at its first unguarded write, or its first
  // unguarded read if it writes none (the loop that erases as it iterates is reported at the
  // erase): one lock fixes all.
  std::set<FunctionAndContainer> Reported;
  llvm::stable_sort(Accesses, [&](const Access &X, const Access &Y) {
    if ((X.Kind == AccessKind::Write) != (Y.Kind == AccessKind::Write))
      return X.Kind == AccessKind::Write;
    return SM.isBeforeInTranslationUnit(X.Use->getBeginLoc(), Y.Use->getBeginLoc());
  });
  for (const Access &A : Accesses) {
    if ((A.Kind == AccessKind::Read && !Written.contains(A.Container)) || Unshared.contains(A.Use))
      continue;
    if (A.Kind == AccessKind::Read && DuringSetup(Locks.enclosingFunction(A.Use)) &&
        !inHandedOffLambda(A.Use, *Context))
      continue; // a loader the constructor runs reads what it fills, before anything is shared
    if (A.Kind == AccessKind::Read && afterThreadsJoined(A.Use, Locks.enclosingFunction(A.Use)))
      continue; // the tear-down reads what the joined threads left

    const LockLevel Held = HeldAt.lookup(A.Use);
    const LockLevel Needed = A.Kind == AccessKind::Write ? LockLevel::Exclusive : LockLevel::Shared;
    const FunctionAndContainer Key{Locks.enclosingFunction(A.Use), A.Container};
    if (Held < Needed && !Serialized.isSerialized(A.Use) && Reported.insert(Key).second)
      reportAccess(A, Held, Locks, Held == LockLevel::None ? FirstUnguarded[Key] : A.Use);
  }
  Accesses.clear();
  References.clear();
  BlocksWithFix.clear();
  StartedAt.clear();
  Context = nullptr;
}

} // namespace clang::tidy::errorshield
