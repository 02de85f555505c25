//===--- Matchers.cpp - AST helpers shared by ErrorShield checks ------------===//

#include "core/Matchers.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ASTLambda.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"

namespace clang::tidy::errorshield {

static bool isMoveOrForward(const CallExpr *Call) {
  const auto *Callee = dyn_cast_or_null<FunctionDecl>(Call->getCalleeDecl());
  if (!Callee || !Callee->getIdentifier() || !Callee->isInStdNamespace())
    return false;
  return Callee->getName() == "move" || Callee->getName() == "forward";
}

const Expr *stripConversions(const Expr *E) {
  while (E) {
    const Expr *Next = E->IgnoreImplicit()->IgnoreParens();
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(Next)) {
      // One argument: a copy, a move, or a converting constructor (lambda -> std::function).
      if (Construct->getNumArgs() == 1 && !isa<CXXTemporaryObjectExpr>(Construct))
        Next = Construct->getArg(0);
    } else if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(Next)) {
      Next = Cast->getSubExpr();
    } else if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(Next)) {
      Next = Cleanups->getSubExpr();
    } else if (const auto *Call = dyn_cast<CallExpr>(Next);
               Call && Call->getNumArgs() == 1 && isMoveOrForward(Call)) {
      Next = Call->getArg(0); // std::move(x) still designates x
    }
    if (Next == E)
      return E;
    E = Next;
  }
  return E;
}

/// The object expression under one level of member access or subscripting, or null.
static const Expr *accessedObject(const Expr *E) {
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return Member->getBase();
  if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E))
    return Subscript->getBase();
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
    if (Op->getOperator() == OO_Subscript || Op->getOperator() == OO_Arrow)
      return Op->getArg(0);
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E))
    return Call->getImplicitObjectArgument(); // v.front(), m.at(k)
  return nullptr;
}

std::optional<std::pair<const Expr *, const Expr *>> assignmentParts(const Stmt *S) {
  if (const auto *Op = dyn_cast<BinaryOperator>(S); Op && Op->isAssignmentOp())
    return std::pair(Op->getLHS(), Op->getRHS());
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
      Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
    return std::pair(Op->getArg(0), Op->getArg(1));
  return std::nullopt;
}

std::optional<Comparison> equalityParts(const Stmt *S) {
  if (const auto *Op = dyn_cast<BinaryOperator>(S); Op && Op->isEqualityOp())
    return Comparison{Op->getLHS(), Op->getRHS(), Op->getOpcode() == BO_EQ};
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
      Op && Op->getNumArgs() == 2 &&
      (Op->getOperator() == OO_EqualEqual || Op->getOperator() == OO_ExclaimEqual))
    return Comparison{Op->getArg(0), Op->getArg(1), Op->getOperator() == OO_EqualEqual};
  return std::nullopt;
}

std::optional<std::pair<const Expr *, const Expr *>> storeParts(const Stmt *S) {
  if (isa<CompoundAssignOperator>(S))
    return std::nullopt;
  return assignmentParts(S);
}

const VarDecl *rootVariable(const Expr *E) {
  while (E) {
    E = stripConversions(E);
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      return dyn_cast<VarDecl>(Ref->getDecl());
    E = accessedObject(E);
  }
  return nullptr;
}

bool designatesLongLivedObject(const Expr *E) {
  while (E) {
    E = stripConversions(E);
    if (isa<CXXThisExpr>(E))
      return true;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
      if (!Var)
        return false;
      // Reached through a reference or pointer: whatever it refers to was made elsewhere.
      return !Var->hasLocalStorage() || Var->getType()->isReferenceType() ||
             Var->getType()->isPointerType();
    }
    if (const auto *Member = dyn_cast<MemberExpr>(E); Member && Member->isArrow() &&
                                                      !isa<CXXThisExpr>(Member->getBase()))
      return true; // p->member: owned by whoever owns *p
    E = accessedObject(E);
  }
  return false;
}

const Stmt *findDescendant(const Stmt *Root, llvm::function_ref<bool(const Stmt *)> Matches,
                           llvm::function_ref<bool(const Stmt *)> Prune) {
  llvm::SmallVector<const Stmt *, 32> Work;
  if (Root)
    Work.push_back(Root);
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (Prune && Prune(S))
      continue;
    if (Matches(S))
      return S;
    // Children pushed last-first, so they are visited in source order.
    llvm::SmallVector<const Stmt *, 8> Children;
    for (const Stmt *Child : S->children())
      if (Child)
        Children.push_back(Child);
    Work.append(Children.rbegin(), Children.rend());
  }
  return nullptr;
}

bool isNamedRecord(const CXXRecordDecl *Record, const std::vector<std::string> &Names) {
  if (!Record)
    return false;
  std::string Qualified = Record->getQualifiedNameAsString();
  return llvm::any_of(Names, [&](const std::string &Name) {
    StringRef N(Name);
    if (!N.contains("::")) // unqualified, as hasAnyName treats it: any namespace
      return Record->getName() == N;
    return Qualified == N.ltrim(':');
  });
}

bool isNamedRecord(QualType T, const std::vector<std::string> &Names) {
  return isNamedRecord(T.getNonReferenceType()->getAsCXXRecordDecl(), Names);
}

const Expr *conditionOf(const Stmt *S) {
  if (const auto *If = dyn_cast<IfStmt>(S))
    return If->getCond();
  if (const auto *While = dyn_cast<WhileStmt>(S))
    return While->getCond();
  if (const auto *For = dyn_cast<ForStmt>(S))
    return For->getCond();
  if (const auto *Do = dyn_cast<DoStmt>(S))
    return Do->getCond();
  if (const auto *Conditional = dyn_cast<AbstractConditionalOperator>(S))
    return Conditional->getCond();
  return nullptr;
}

const Stmt *enclosingFunctionBody(const Stmt *S, ASTContext &Ctx, bool StopAtLambdas) {
  DynTypedNodeList Parents = Ctx.getParents(*S);
  while (!Parents.empty()) {
    if (const auto *Lambda = Parents[0].get<LambdaExpr>(); Lambda && StopAtLambdas)
      return Lambda->getBody();
    if (const auto *F = Parents[0].get<FunctionDecl>();
        F && (StopAtLambdas || !isLambdaCallOperator(F)))
      return F->getBody();
    Parents = Ctx.getParents(Parents[0]);
  }
  return nullptr;
}

const FunctionDecl *enclosingFunctionDecl(const Stmt *S, ASTContext &Ctx, bool StopAtLambdas) {
  for (DynTypedNodeList Parents = Ctx.getParents(*S); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    if (Parents[0].get<LambdaExpr>() && StopAtLambdas)
      return nullptr;
    if (const auto *F = Parents[0].get<FunctionDecl>(); F && !isLambdaCallOperator(F))
      return F;
  }
  return nullptr;
}

const LambdaExpr *enclosingLambda(const Stmt *S, ASTContext &Ctx) {
  for (DynTypedNodeList Parents = Ctx.getParents(*S); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    if (const auto *Lambda = Parents[0].get<LambdaExpr>())
      return Lambda;
    if (const auto *F = Parents[0].get<FunctionDecl>(); F && !isLambdaCallOperator(F))
      return nullptr;
  }
  return nullptr;
}

const Stmt *enclosingLoopStatement(const Stmt *S, ASTContext &Ctx) {
  for (DynTypedNodeList Parents = Ctx.getParents(*S); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    const auto *Parent = Parents[0].get<Stmt>();
    if (!Parent || isa<LambdaExpr>(Parent))
      return nullptr;
    if (isLoop(Parent))
      return Parent;
  }
  return nullptr;
}

bool hasListedQualifiedName(const NamedDecl *D, const std::vector<std::string> &Names) {
  if (!D)
    return false;
  // The components of D's name, innermost first, inline namespaces and extern "C" skipped.
  if (!D->getIdentifier())
    return false;
  SmallVector<StringRef, 8> Components{D->getName()};
  bool ReachesGlobal = true;
  for (const DeclContext *C = D->getDeclContext(); C && !C->isTranslationUnit();
       C = C->getParent()) {
    if (isa<LinkageSpecDecl>(C))
      continue;
    if (const auto *NS = dyn_cast<NamespaceDecl>(C); NS && NS->isInline())
      continue;
    const auto *Named = dyn_cast<NamedDecl>(C);
    if (!Named || !Named->getIdentifier()) {
      ReachesGlobal = false; // an anonymous namespace, a function, a lambda
      break;
    }
    Components.push_back(Named->getName());
  }
  return llvm::any_of(Names, [&](const std::string &Name) {
    StringRef N(Name);
    const bool Anchored = N.consume_front("::");
    SmallVector<StringRef, 8> Wanted;
    N.split(Wanted, "::");
    if (Wanted.size() > Components.size() ||
        (Anchored && (Wanted.size() != Components.size() || !ReachesGlobal)))
      return false;
    for (size_t I = 0; I < Wanted.size(); ++I)
      if (Wanted[Wanted.size() - 1 - I] != Components[I])
        return false;
    return true;
  });
}

bool contains(const Stmt *Root, const Stmt *S) {
  return findDescendant(Root, [&](const Stmt *T) { return T == S; });
}

bool onExclusiveBranches(const Stmt *Body, const Stmt *A, const Stmt *B) {
  return findDescendant(Body, [&](const Stmt *S) {
    const auto *If = dyn_cast<IfStmt>(S);
    return If && ((contains(If->getThen(), A) && contains(If->getElse(), B)) ||
                  (contains(If->getThen(), B) && contains(If->getElse(), A)));
  });
}

bool spansLocation(const Stmt *S, SourceLocation Loc, const SourceManager &SM) {
  return S && SM.isPointWithin(SM.getExpansionLoc(Loc), SM.getExpansionLoc(S->getBeginLoc()),
                               SM.getExpansionLoc(S->getEndLoc()));
}

bool refersTo(const Stmt *S, const ValueDecl *D) {
  return findDescendant(S, [&](const Stmt *T) {
    const auto *Ref = dyn_cast<DeclRefExpr>(T);
    return Ref && Ref->getDecl() == D;
  });
}

bool refersToAny(const Stmt *S, llvm::ArrayRef<const VarDecl *> Vars) {
  return findDescendant(S, [&](const Stmt *T) {
    const auto *Ref = dyn_cast<DeclRefExpr>(T);
    if (!Ref)
      return false;
    if (const auto *Binding = dyn_cast<BindingDecl>(Ref->getDecl()))
      return llvm::is_contained(Vars, Binding->getDecomposedDecl());
    return llvm::is_contained(Vars, Ref->getDecl());
  });
}

bool isAwaited(const Expr *E, ASTContext &Ctx) {
  DynTypedNodeList Parents = Ctx.getParents(*E);
  for (int Steps = 0; Steps < 8 && !Parents.empty(); ++Steps) {
    const Stmt *S = Parents[0].get<Stmt>();
    if (!S || !isa<Expr>(S))
      return false;
    if (isa<CoawaitExpr>(S) || isa<DependentCoawaitExpr>(S) || isa<CoyieldExpr>(S))
      return true;
    Parents = Ctx.getParents(Parents[0]);
  }
  return false;
}

const Stmt *writtenBody(const Stmt *Body) {
  if (const auto *Coroutine = dyn_cast_or_null<CoroutineBodyStmt>(Body))
    return Coroutine->getBody();
  return Body;
}

std::vector<const CallExpr *> callsOf(const FunctionDecl *F, ASTContext &Ctx) {
  using namespace ast_matchers;
  std::vector<const CallExpr *> Calls;
  for (const BoundNodes &Bound :
       match(findAll(callExpr(callee(functionDecl(equalsNode(F)))).bind("call")), Ctx))
    Calls.push_back(Bound.getNodeAs<CallExpr>("call"));
  return Calls;
}

DynTypedNode parentThroughWrappers(const Expr *E, ASTContext &Ctx) {
  DynTypedNodeList Parents = Ctx.getParents(*E);
  while (!Parents.empty()) {
    const auto *Wrapper = Parents[0].get<Expr>();
    if (!Wrapper || !isa<ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
                         ParenExpr, CXXConstructExpr, CXXFunctionalCastExpr, ExprWithCleanups>(
                        Wrapper))
      return Parents[0];
    Parents = Ctx.getParents(*Wrapper);
  }
  return {};
}

const ValueDecl *declNamedBy(const Expr *E) {
  E = stripConversions(E);
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E))
    return Ref->getDecl();
  if (const auto *Member = dyn_cast_or_null<MemberExpr>(E))
    return Member->getMemberDecl();
  return nullptr;
}

llvm::SmallPtrSet<const VarDecl *, 2> localAliasesOf(const Stmt *Body, const ValueDecl *Target) {
  llvm::SmallPtrSet<const VarDecl *, 2> Aliases;
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *Decls = dyn_cast<DeclStmt>(S))
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D);
            Var && Var->getType()->isReferenceType() && Var->getInit() &&
            declNamedBy(Var->getInit()) == Target)
          Aliases.insert(Var);
  });
  return Aliases;
}

std::vector<const FunctionDecl *> definedMethods(const CXXRecordDecl *Record) {
  std::vector<const FunctionDecl *> Out;
  if (Record)
    for (const CXXMethodDecl *Method : Record->methods())
      if (const FunctionDecl *Definition = nullptr; Method->hasBody(Definition))
        Out.push_back(Definition);
  return Out;
}

llvm::SmallVector<const LambdaExpr *, 2> lambdasStoredIn(const FieldDecl *Field) {
  llvm::SmallVector<const LambdaExpr *, 2> Lambdas;
  auto Collect = [&](const Expr *Value) {
    if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(Value);
        Construct && Construct->getNumArgs() == 1)
      Value = Construct->getArg(0);
    if (const auto *Lambda =
            dyn_cast_or_null<LambdaExpr>(Value ? Value->IgnoreUnlessSpelledInSource() : nullptr))
      Lambdas.push_back(Lambda);
  };
  const auto *Record = dyn_cast<CXXRecordDecl>(Field->getParent());
  for (const FunctionDecl *Method : definedMethods(Record)) {
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Method))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->getMember() == Field)
          Collect(Init->getInit()->IgnoreImplicit());
    forEachDescendant(Method->getBody(), [&](const Stmt *S) {
      if (const auto Assignment = assignmentParts(S);
          Assignment && declNamedBy(Assignment->first) == Field)
        Collect(Assignment->second);
    });
  }
  return Lambdas;
}

std::string spelledText(const Expr *E, const ASTContext &Ctx) {
  return Lexer::getSourceText(CharSourceRange::getTokenRange(E->getSourceRange()),
                              Ctx.getSourceManager(), Ctx.getLangOpts())
      .str();
}

} // namespace clang::tidy::errorshield
