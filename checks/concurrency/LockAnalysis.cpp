//===--- LockAnalysis.cpp - Is a lock held at this expression? ------------===//

#include "concurrency/LockAnalysis.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/DenseMap.h"

namespace clang::tidy::errorshield {
namespace {

bool isNamedIn(StringRef Name, const std::vector<std::string> &Names) {
  return llvm::is_contained(Names, Name);
}

/// The lock variable, mutex variable or mutex member \p E names.
const Decl *lockedObjectOf(const Expr *E) {
  const Expr *Object = stripConversions(E);
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Object))
    return Ref->getDecl()->getCanonicalDecl();
  if (const auto *Member = dyn_cast_or_null<MemberExpr>(Object))
    return Member->getMemberDecl()->getCanonicalDecl();
  return nullptr;
}

/// The object a lock()/unlock() call works on.
const Decl *lockedObject(const CXXMemberCallExpr *Call) {
  return lockedObjectOf(Call->getImplicitObjectArgument());
}

LockLevel strongest(LockLevel A, LockLevel B) { return A > B ? A : B; }

} // namespace

bool LockAnalysis::isMutexType(QualType T) const {
  return isNamedRecord(T.getNonReferenceType().getUnqualifiedType(), V.MutexTypes);
}

bool LockAnalysis::isLockObject(const VarDecl *Var) const {
  return isNamedRecord(Var->getType(), V.LockTypes) ||
         isNamedRecord(Var->getType(), V.SharedLockTypes);
}

LockLevel LockAnalysis::levelOfLockDecl(const VarDecl *Var) const {
  if (!isLockObject(Var))
    return LockLevel::None;
  LockLevel Level = isNamedRecord(Var->getType(), V.LockTypes) ? LockLevel::Exclusive
                                                                : LockLevel::Shared;
  if (const auto *Construct =
          dyn_cast_or_null<CXXConstructExpr>(Var->getInit() ? Var->getInit()->IgnoreImplicit()
                                                             : nullptr))
    for (const Expr *Arg : Construct->arguments())
      if (isNamedRecord(Arg->getType(), V.DeferLockTags))
        return LockLevel::None; // std::unique_lock lk(mu, std::defer_lock): not locked yet
  return Level;
}

LockLevel LockAnalysis::contractOf(const FunctionDecl *F) const {
  if (isa<CXXConstructorDecl, CXXDestructorDecl>(F))
    return LockLevel::Exclusive; // the object is not shared yet, or no longer
  for (const FunctionDecl *Redecl : F->redecls())
    for (const auto *Requires : Redecl->specific_attrs<RequiresCapabilityAttr>())
      return Requires->isShared() ? LockLevel::Shared : LockLevel::Exclusive;
  if (F->getIdentifier())
    for (const std::string &Suffix : V.LockedFunctionSuffixes)
      if (F->getName().ends_with(Suffix))
        return LockLevel::Exclusive;
  // A lock object taken by reference (`void apply(std::unique_lock<std::mutex> &held, ...)`):
  // the caller proves it holds the lock by passing it.
  LockLevel Promised = LockLevel::None;
  for (const ParmVarDecl *Param : F->parameters())
    if (Param->getType()->isReferenceType()) {
      QualType Held = Param->getType().getNonReferenceType();
      if (isNamedRecord(Held, V.LockTypes))
        return LockLevel::Exclusive;
      if (isNamedRecord(Held, V.SharedLockTypes))
        Promised = LockLevel::Shared;
    }
  return Promised;
}

LockLevel LockAnalysis::heldWhenCalleeRuns(const LambdaExpr *Lambda, unsigned CallDepth) const {
  // `with_lock([&] { table_[k] = v; })`: the lambda runs where the callee calls its parameter.
  const auto *Call = parentThroughWrappers(Lambda, Ctx).get<CallExpr>();
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  if (!Callee || !Callee->hasBody() || CallDepth > 2 || Ctx.getSourceManager().isInSystemHeader(
                                                        Callee->getLocation()))
    return LockLevel::None;
  const ParmVarDecl *Param = nullptr;
  for (unsigned I = 0; I < Call->getNumArgs(); ++I)
    if (contains(Call->getArg(I), Lambda))
      Param = parameterForArgument(Call, I, Callee);
  if (!Param)
    return LockLevel::None;
  // Every call of the parameter in the callee's body must hold the lock.
  LockLevel Weakest = LockLevel::Exclusive;
  bool Called = false;
  findDescendant(Callee->getBody(), [&](const Stmt *S) {
    const auto *Invoke = dyn_cast<CXXOperatorCallExpr>(S);
    if (!Invoke || Invoke->getOperator() != OO_Call || Invoke->getNumArgs() == 0 ||
        declNamedBy(Invoke->getArg(0)) != Param)
      return false;
    Called = true;
    Weakest = std::min(Weakest, heldAt(Invoke, CallDepth + 1));
    return false;
  });
  return Called ? Weakest : LockLevel::None;
}

const FunctionDecl *LockAnalysis::enclosingFunction(const Expr *E) const {
  DynTypedNodeList Parents = Ctx.getParents(*E);
  while (!Parents.empty()) {
    // A lambda stored for later (`on_close_ = [this] { sessions_.erase(id); };`) runs on its own,
    // outside the constructor or the lock of the code that stores it; one called on the spot
    // (an algorithm's predicate) is part of that code.
    if (const auto *Lambda = Parents[0].get<LambdaExpr>()) {
      const DynTypedNode Use = parentThroughWrappers(Lambda, Ctx);
      if (const auto *Store = Use.get<Stmt>(); Store && storeParts(Store))
        return Lambda->getCallOperator();
    }
    if (const auto *Fn = Parents[0].get<FunctionDecl>()) {
      const auto *Method = dyn_cast<CXXMethodDecl>(Fn);
      if (!Method || !Method->getParent()->isLambda())
        return Fn;
    }
    Parents = Ctx.getParents(Parents[0]);
  }
  return nullptr;
}

LockLevel LockAnalysis::heldAt(const Expr *E, unsigned CallDepth) const {
  // The blocks around E, innermost first, each with the statement of it that holds E; plus the
  // declarations of if/for/switch initialisers (`if (std::lock_guard g(m); ready)`).
  llvm::SmallVector<std::pair<const CompoundStmt *, const Stmt *>, 8> Blocks;
  LockLevel Held = LockLevel::None;
  const FunctionDecl *Enclosing = enclosingFunction(E);
  DynTypedNode Child = DynTypedNode::create(*E);
  DynTypedNodeList Parents = Ctx.getParents(*E);
  for (unsigned Depth = 0; !Parents.empty() && Depth < 256; ++Depth) {
    const DynTypedNode Parent = Parents[0];
    const Stmt *Init = nullptr;
    if (const auto *Block = Parent.get<CompoundStmt>())
      Blocks.emplace_back(Block, Child.get<Stmt>());
    else if (const auto *If = Parent.get<IfStmt>())
      Init = If->getInit();
    else if (const auto *For = Parent.get<ForStmt>())
      Init = For->getInit();
    else if (const auto *Switch = Parent.get<SwitchStmt>())
      Init = Switch->getInit();
    if (const auto *Decls = dyn_cast_or_null<DeclStmt>(Init); Decls && Init != Child.get<Stmt>())
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D))
          Held = strongest(Held, levelOfLockDecl(Var));
    if (const auto *Fn = Parent.get<FunctionDecl>()) {
      Held = strongest(Held, contractOf(Fn));
      if (Fn == Enclosing)
        break;
    }
    // A stored lambda: what its definer holds is not held when it runs.
    if (const auto *Lambda = Parent.get<LambdaExpr>()) {
      if (Lambda->getCallOperator() == Enclosing)
        break;
      Held = strongest(Held, heldWhenCalleeRuns(Lambda, CallDepth));
    }
    Child = Parent;
    Parents = Ctx.getParents(Parent);
  }

  // Replay outermost first, so an unlock() in an inner block releases a lock taken outside it.
  llvm::DenseMap<const Decl *, LockLevel> State;
  for (auto [Block, Stop] : llvm::reverse(Blocks)) {
    for (const Stmt *S : Block->body()) {
      if (S == Stop)
        break;
      if (const auto *Decls = dyn_cast<DeclStmt>(S)) {
        for (const Decl *D : Decls->decls())
          if (const auto *Var = dyn_cast<VarDecl>(D); Var && isLockObject(Var))
            State[Var->getCanonicalDecl()] = levelOfLockDecl(Var);
        continue;
      }
      // std::lock(a, b): every lock object or mutex passed is now held.
      if (const auto *Together = dyn_cast_or_null<CallExpr>(stripConversions(dyn_cast<Expr>(S)));
          Together && !isa<CXXMemberCallExpr>(Together) && Together->getDirectCallee() &&
          hasListedQualifiedName(Together->getDirectCallee(), V.LockFunctions)) {
        for (const Expr *Arg : Together->arguments())
          if (const Decl *Object = lockedObjectOf(Arg))
            State[Object] = LockLevel::Exclusive;
        continue;
      }
      const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(stripConversions(dyn_cast<Expr>(S)));
      const CXXMethodDecl *Method = Call ? Call->getMethodDecl() : nullptr;
      const Decl *Object = Call ? lockedObject(Call) : nullptr;
      if (!Method || !Object || !Method->getIdentifier())
        continue;
      StringRef Name = Method->getName();
      if (isNamedIn(Name, V.LockMethods))
        State[Object] = LockLevel::Exclusive;
      else if (isNamedIn(Name, V.SharedLockMethods))
        State[Object] = LockLevel::Shared;
      else if (isNamedIn(Name, V.UnlockMethods))
        State[Object] = LockLevel::None;
    }
  }
  for (const auto &Entry : State)
    Held = strongest(Held, Entry.second);
  return Held;
}

bool LockAnalysis::takesLocks(const FunctionDecl *F) const {
  return F && findDescendant(F->getBody(), [&](const Stmt *S) {
           if (const auto *Decls = dyn_cast<DeclStmt>(S))
             return llvm::any_of(Decls->decls(), [&](const Decl *D) {
               const auto *Var = dyn_cast<VarDecl>(D);
               return Var && isLockObject(Var);
             });
           if (const auto *Together = dyn_cast<CallExpr>(S);
               Together && Together->getDirectCallee() &&
               hasListedQualifiedName(Together->getDirectCallee(), V.LockFunctions))
             return true;
           const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
           const CXXMethodDecl *Method = Call ? Call->getMethodDecl() : nullptr;
           return Method && Method->getIdentifier() &&
                  (isNamedIn(Method->getName(), V.LockMethods) ||
                   isNamedIn(Method->getName(), V.SharedLockMethods)) &&
                  isMutexType(Call->getImplicitObjectArgument()->getType());
         });
}

} // namespace clang::tidy::errorshield
