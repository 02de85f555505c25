//===--- ScopeAnalysis.cpp - When does deferred code run? -------------------===//

#include "lifetime/ScopeAnalysis.h"
#include "core/Matchers.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/Analyses/ExprMutationAnalyzer.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/STLExtras.h"

namespace clang::tidy::errorshield {

DynTypedNode parentIgnoringConversions(const Expr *E, ASTContext &Ctx) {
  const Stmt *Current = E;
  while (true) {
    DynTypedNodeList Parents = Ctx.getParents(*Current);
    if (Parents.empty())
      return DynTypedNode();
    const auto *ParentExpr = Parents[0].get<Expr>();
    // Keep climbing while the parent only wraps the current node (what stripConversions removes).
    if (ParentExpr && stripConversions(ParentExpr) == stripConversions(cast<Expr>(Current))) {
      Current = ParentExpr;
      continue;
    }
    return Parents[0];
  }
}

const Stmt *scopeOf(const VarDecl *Var, ASTContext &Ctx) {
  if (const auto *Parm = dyn_cast<ParmVarDecl>(Var)) {
    const auto *Fn = dyn_cast_or_null<FunctionDecl>(Parm->getDeclContext());
    return Fn ? Fn->getBody() : nullptr;
  }
  DynTypedNodeList Parents = Ctx.getParents(*Var);
  const Stmt *Node = Parents.empty() ? nullptr : Parents[0].get<DeclStmt>();
  while (Node) {
    Parents = Ctx.getParents(*Node);
    if (Parents.empty())
      return nullptr;
    const auto *Parent = Parents[0].get<Stmt>();
    // A for/if/while init-statement's variable lives until the end of that statement.
    if (Parent && !isa<DeclStmt>(Parent) && !isa<Expr>(Parent))
      return Parent;
    Node = Parent;
  }
  return nullptr;
}

/// The first modification of \p Var inside \p S. A later lambda that merely captures \p Var by
/// reference is not one (the analyzer reports it as a potential write); only its body can be.
static const Stmt *firstModificationIn(const Stmt *S, const VarDecl *Var, ASTContext &Ctx) {
  const Stmt *Mutation = ExprMutationAnalyzer(*S, Ctx).findMutation(Var);
  if (!Mutation)
    return nullptr;
  // `return n;` moves from a local implicitly, which leaves a trivially copyable one as it was.
  if (const auto *Return = dyn_cast<ReturnStmt>(S);
      Return && Return->getRetValue() && Var->getType().isTriviallyCopyableType(Ctx)) {
    const Expr *Value = Return->getRetValue()->IgnoreImplicit();
    // Through the converting constructor of the return type (`return n;` into an optional).
    while (const auto *Construct = dyn_cast<CXXConstructExpr>(Value))
      if (Construct->getNumArgs() == 1)
        Value = Construct->getArg(0)->IgnoreImplicit();
      else
        break;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Value->IgnoreParenImpCasts());
        Ref && Ref->getDecl() == Var)
      return nullptr;
  }
  // The analyzer reports the capture itself: the lambda's initializer for the by-reference member.
  const auto *Lambda = dyn_cast<LambdaExpr>(Mutation);
  if (DynTypedNodeList Parents = Ctx.getParents(*Mutation); !Lambda && !Parents.empty())
    Lambda = Parents[0].get<LambdaExpr>();
  if (!Lambda || lambdaModifies(Lambda, Var, Ctx))
    return Mutation;
  for (const Stmt *Child : S->children())
    if (Child && Child != Lambda)
      if (const Stmt *Found = firstModificationIn(Child, Var, Ctx))
        return Found;
  return nullptr;
}

const Stmt *firstModificationWithin(const Stmt *S, const VarDecl *Var, ASTContext &Ctx) {
  return firstModificationIn(S, Var, Ctx);
}

const Stmt *firstModificationAfter(const VarDecl *Var, const Stmt *Point, ASTContext &Ctx) {
  // Find the compound statement that directly holds Point (or the statement containing it).
  const Stmt *Child = Point;
  const CompoundStmt *Block = nullptr;
  while (Child) {
    DynTypedNodeList Parents = Ctx.getParents(*Child);
    if (Parents.empty())
      return nullptr;
    Block = Parents[0].get<CompoundStmt>();
    if (Block)
      break;
    Child = Parents[0].get<Stmt>();
  }
  if (!Block)
    return nullptr;
  bool After = false;
  for (const Stmt *S : Block->body()) {
    if (S == Child) {
      After = true;
      continue;
    }
    if (!After)
      continue;
    if (const Stmt *Mutation = firstModificationIn(S, Var, Ctx))
      return Mutation;
  }
  return nullptr;
}

namespace {

/// Walks a scope in source order collecting member calls on a variable and its aliases.
class MemberCallFinder {
public:
  MemberCallFinder(const std::vector<std::string> &Methods, SourceLocation After,
                   const SourceManager &SM)
      : Methods(Methods), After(After), SM(SM) {}

  llvm::SmallPtrSet<const VarDecl *, 4> Aliases;
  const CXXMemberCallExpr *Found = nullptr;

  void walk(const Stmt *S) {
    if (!S || Found)
      return;
    if (const auto *Loop = dyn_cast<CXXForRangeStmt>(S)) {
      // `for (auto &t : threads) t.join();` joins every element of `threads`.
      if (Aliases.contains(rootVariable(Loop->getRangeInit())))
        Aliases.insert(Loop->getLoopVariable());
    }
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S); Call && matches(Call)) {
      Found = Call;
      return;
    }
    for (const Stmt *Child : S->children())
      walk(Child);
  }

private:
  bool matches(const CXXMemberCallExpr *Call) const {
    const CXXMethodDecl *Method = Call->getMethodDecl();
    if (!Method || !Method->getIdentifier() ||
        !llvm::is_contained(Methods, Method->getName()))
      return false;
    if (!SM.isBeforeInTranslationUnit(After, Call->getBeginLoc()))
      return false;
    return Aliases.contains(rootVariable(Call->getImplicitObjectArgument()));
  }

  const std::vector<std::string> &Methods;
  SourceLocation After;
  const SourceManager &SM;
};

} // namespace

const CXXMemberCallExpr *findMemberCallOn(const VarDecl *Var,
                                          const std::vector<std::string> &Methods,
                                          SourceLocation After, ASTContext &Ctx) {
  MemberCallFinder Finder(Methods, After, Ctx.getSourceManager());
  Finder.Aliases.insert(Var);
  Finder.walk(scopeOf(Var, Ctx));
  return Finder.Found;
}

/// A listed execution context type, or a class derived from one (`struct pool : io_context`).
static bool isContextType(QualType T, const std::vector<std::string> &ContextTypes) {
  if (isNamedRecord(T, ContextTypes))
    return true;
  const auto *Record = T.getNonReferenceType()->getAsCXXRecordDecl();
  if (!Record || !Record->hasDefinition())
    return false;
  return !Record->forallBases([&](const CXXRecordDecl *Base) {
    return !isNamedRecord(Base, ContextTypes);
  });
}

/// The object whose run() is called is one this function owns or whose run it controls: a local
/// (not a reference) or a data member of `this`, of an execution context type.
static bool runsInThisCall(const Expr *Object, const std::vector<std::string> &ContextTypes) {
  Object = stripConversions(Object);
  if (const auto *Member = dyn_cast<MemberExpr>(Object);
      Member && isa<CXXThisExpr>(Member->getBase()->IgnoreImpCasts()) &&
      isa<FieldDecl>(Member->getMemberDecl()))
    return isContextType(Member->getType(), ContextTypes);
  const VarDecl *Var = rootVariable(Object);
  return Var && Var->hasLocalStorage() && !Var->getType()->isReferenceType() &&
         isContextType(Var->getType(), ContextTypes);
}

const CXXMemberCallExpr *findContextRun(const Stmt *Scope,
                                        const std::vector<std::string> &ContextTypes,
                                        const std::vector<std::string> &Methods,
                                        SourceLocation After, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  return cast_or_null<CXXMemberCallExpr>(findDescendant(Scope, [&](const Stmt *S) {
    const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
    const CXXMethodDecl *Method = Call ? Call->getMethodDecl() : nullptr;
    return Method && Method->getIdentifier() && llvm::is_contained(Methods, Method->getName()) &&
           runsInThisCall(Call->getImplicitObjectArgument(), ContextTypes) &&
           SM.isBeforeInTranslationUnit(After, Call->getBeginLoc());
  }));
}

const Stmt *findMemberWrite(const Stmt *Body, const FieldDecl *Field, const Stmt *Except) {
  auto IsField = [&](const Expr *E) {
    const auto *Member = dyn_cast<MemberExpr>(stripConversions(E));
    return Member && Member->getMemberDecl() == Field &&
           isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts());
  };
  return findDescendant(
      Body,
      [&](const Stmt *S) {
        if (const auto Assignment = assignmentParts(S))
          return IsField(Assignment->first);
        if (const auto *Op = dyn_cast<UnaryOperator>(S))
          return Op->isIncrementDecrementOp() && IsField(Op->getSubExpr());
        const auto *Call = dyn_cast<CXXOperatorCallExpr>(S);
        return Call && Call->getNumArgs() > 0 &&
               (Call->isAssignmentOp() || Call->getOperator() == OO_PlusPlus ||
                Call->getOperator() == OO_MinusMinus) &&
               IsField(Call->getArg(0));
      },
      [&](const Stmt *S) { return S == Except; });
}

bool isCopyable(const VarDecl *Var) {
  QualType T = Var->getType().getNonReferenceType();
  while (const auto *Array = T->getAsArrayTypeUnsafe())
    T = Array->getElementType();
  const auto *Record = T->getAsCXXRecordDecl();
  if (!Record)
    return !T->isIncompleteType();
  if (!Record->hasDefinition())
    return false;
  if (Record->defaultedCopyConstructorIsDeleted())
    return false;
  return llvm::none_of(Record->ctors(), [](const CXXConstructorDecl *Ctor) {
    return Ctor->isCopyConstructor() && Ctor->isDeleted();
  });
}

bool lambdaModifies(const LambdaExpr *Lambda, const VarDecl *Var, ASTContext &Ctx) {
  const Stmt *Body = Lambda->getBody();
  return Body && ExprMutationAnalyzer(*Body, Ctx).findMutation(Var) != nullptr;
}

} // namespace clang::tidy::errorshield
