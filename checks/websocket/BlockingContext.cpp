//===--- BlockingContext.cpp - Blocking work the Asio API does not name ---===//

#include "websocket/BlockingContext.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"

namespace clang::tidy::errorshield::ws {

/// The file stream class \p E is, or points to, or null.
static const NamedDecl *fileStreamOf(const Expr *E, const std::vector<std::string> &Types) {
  QualType T = E->IgnoreParenImpCasts()->getType().getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  return isTypeNamed(T, Types) ? namedTypeDecl(T) : nullptr;
}

std::string fileStreamOpening(const CXXConstructExpr *Construct,
                              const std::vector<std::string> &FileStreamTypes) {
  const CXXConstructorDecl *Constructor = Construct->getConstructor();
  if (!Constructor || Constructor->isCopyOrMoveConstructor() || Construct->getNumArgs() == 0)
    return {};
  const NamedDecl *Stream = fileStreamOf(Construct, FileStreamTypes);
  return Stream ? Stream->getQualifiedNameAsString() + " (opening a file)" : std::string();
}

std::string fileStreamOperation(const CallExpr *C, const std::vector<std::string> &FileStreamTypes,
                                const std::vector<std::string> &FileStreamMethods) {
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(C)) {
    if (Op->getOperator() != OO_LessLess && Op->getOperator() != OO_GreaterGreater)
      return {};
    for (const Expr *Arg : Op->arguments())
      if (const NamedDecl *Stream = fileStreamOf(Arg, FileStreamTypes))
        return (Stream->getName() + "::operator" +
                (Op->getOperator() == OO_LessLess ? "<<" : ">>"))
            .str();
    return {};
  }
  if (std::optional<StreamCall> Member = asMemberCall(C); Member && Member->Object) {
    const NamedDecl *Stream = fileStreamOf(Member->Object, FileStreamTypes);
    if (Stream && llvm::is_contained(FileStreamMethods, Member->Method))
      return (Stream->getName() + "::" + Member->Method).str();
    return {};
  }
  if (isa<CXXMemberCallExpr>(C))
    return {};
  // A library function (std::getline): the project's own functions are followed as helpers.
  const FunctionDecl *Callee = C->getDirectCallee();
  if (!Callee || !Callee->isInStdNamespace())
    return {};
  for (const Expr *Arg : C->arguments())
    if (fileStreamOf(Arg, FileStreamTypes))
      return Callee->getQualifiedNameAsString();
  return {};
}

bool isOnNonBlockingObject(const CallExpr *Call, const Stmt *Body) {
  const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
  const ValueDecl *Object = Member ? declNamedBy(Member->getImplicitObjectArgument()) : nullptr;
  if (!Object)
    return false;
  return findDescendant(Body, [&](const Stmt *S) {
    const auto *Set = dyn_cast<CXXMemberCallExpr>(S);
    const auto *Method = Set ? Set->getMethodDecl() : nullptr;
    if (!Method || !Method->getIdentifier() || Method->getName() != "non_blocking" ||
        Set->getNumArgs() == 0)
      return false;
    const auto *On = dyn_cast<CXXBoolLiteralExpr>(Set->getArg(0)->IgnoreParenImpCasts());
    return On && On->getValue() && declNamedBy(Set->getImplicitObjectArgument()) == Object;
  }) != nullptr;
}

bool isThreadPool(const Expr *Executor, const std::vector<std::string> &Types) {
  QualType T = Executor->IgnoreParenImpCasts()->getType().getNonReferenceType();
  if (isTypeNamed(T, Types))
    return true;
  const auto *Record = T->getAsCXXRecordDecl();
  const auto *Outer = Record ? dyn_cast<CXXRecordDecl>(Record->getDeclContext()) : nullptr;
  return Outer && hasListedQualifiedName(Outer, Types);
}

bool isSpawnedOnThreadPool(const LambdaExpr *Lambda, ASTContext &Ctx,
                           const std::vector<std::string> &ThreadPoolTypes) {
  DynTypedNode Parent = parentThroughWrappers(Lambda, Ctx);
  // The lambda called in place: its result, the awaitable, is the argument.
  if (const auto *Invoke = Parent.get<CXXOperatorCallExpr>();
      Invoke && Invoke->getOperator() == OO_Call && Invoke->getNumArgs() >= 1 &&
      stripConversions(Invoke->getArg(0)) == Lambda)
    Parent = parentThroughWrappers(Invoke, Ctx);
  const auto *Spawn = Parent.get<CallExpr>();
  if (!Spawn || calleeName(Spawn) != "co_spawn" || Spawn->getNumArgs() < 2)
    return false;
  return isThreadPool(Spawn->getArg(0), ThreadPoolTypes);
}

/// When \p S awaits a hop to another executor (`co_await net::post(pool, use_awaitable)`), its
/// first argument.
static const Expr *hopTarget(const Stmt *S) {
  const Expr *Target = nullptr;
  findDescendant(S, [&](const Stmt *T) {
    const auto *Await = dyn_cast<CoawaitExpr>(T);
    const auto *Call =
        Await ? dyn_cast<CallExpr>(Await->getOperand()->IgnoreImplicit()) : nullptr;
    if (!Call || Call->getNumArgs() < 2)
      return false;
    const std::string Name = calleeName(Call);
    if (Name == "post" || Name == "dispatch" || Name == "defer")
      Target = Call->getArg(0);
    return Target != nullptr;
  }, isNestedCode);
  return Target;
}

std::vector<SourceRange> poolStretches(const Stmt *Coroutine,
                                       const std::vector<std::string> &ThreadPoolTypes) {
  std::vector<SourceRange> Stretches;
  findDescendant(Coroutine, [&](const Stmt *S) {
    const auto *Block = dyn_cast<CompoundStmt>(S);
    if (!Block)
      return false;
    SourceLocation Start;
    for (const Stmt *Child : Block->body()) {
      const Expr *Target = hopTarget(Child);
      if (!Target)
        continue;
      if (isThreadPool(Target, ThreadPoolTypes)) {
        if (Start.isInvalid())
          Start = Child->getEndLoc();
      } else if (Start.isValid()) {
        Stretches.emplace_back(Start, Child->getBeginLoc());
        Start = SourceLocation();
      }
    }
    if (Start.isValid())
      Stretches.emplace_back(Start, Block->getRBracLoc());
    return false;
  }, isNestedCode);
  return Stretches;
}

namespace {
/// Counts the references to functions in the translation unit's own declarations.
class UseCounter : public RecursiveASTVisitor<UseCounter> {
public:
  UseCounter(const SourceManager &SM, llvm::DenseMap<const Decl *, unsigned> &Uses,
             llvm::DenseMap<const Decl *, unsigned> &OutsideUses)
      : SM(SM), Uses(Uses), OutsideUses(OutsideUses) {}
  bool shouldVisitLambdaBody() const { return true; }
  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && SM.isInSystemHeader(D->getLocation()))
      return true; // library code neither calls the project's helpers nor is one
    // The class whose member function holds the code (lambdas belong to the function around).
    const auto *Function = dyn_cast_or_null<FunctionDecl>(D);
    const auto *Method = dyn_cast_or_null<CXXMethodDecl>(D);
    if (!Function || (Method && Method->getParent()->isLambda()))
      return RecursiveASTVisitor::TraverseDecl(D);
    const CXXRecordDecl *Outer = Class;
    Class = Method ? Method->getParent()->getCanonicalDecl() : nullptr;
    const bool Result = RecursiveASTVisitor::TraverseDecl(D);
    Class = Outer;
    return Result;
  }
  bool VisitDeclRefExpr(DeclRefExpr *E) { return count(E->getDecl()); }
  bool VisitMemberExpr(MemberExpr *E) { return count(E->getMemberDecl()); }

private:
  bool count(const Decl *D) {
    const auto *Function = dyn_cast_or_null<FunctionDecl>(D);
    if (!Function)
      return true;
    ++Uses[D->getCanonicalDecl()];
    const auto *Method = dyn_cast<CXXMethodDecl>(Function);
    if (!Method || Method->getParent()->getCanonicalDecl() != Class)
      ++OutsideUses[D->getCanonicalDecl()];
    return true;
  }
  const SourceManager &SM;
  llvm::DenseMap<const Decl *, unsigned> &Uses;
  llvm::DenseMap<const Decl *, unsigned> &OutsideUses;
  const CXXRecordDecl *Class = nullptr;
};
} // namespace

void FunctionUses::count(ASTContext &Ctx) {
  if (Counted == &Ctx)
    return;
  Uses.clear();
  OutsideUses.clear();
  UseCounter(Ctx.getSourceManager(), Uses, OutsideUses).TraverseDecl(Ctx.getTranslationUnitDecl());
  Counted = &Ctx;
}

unsigned FunctionUses::of(const FunctionDecl *F, ASTContext &Ctx) {
  count(Ctx);
  return Uses.lookup(F->getCanonicalDecl());
}

bool FunctionUses::sharedBeyondClass(const FunctionDecl *F, ASTContext &Ctx) {
  count(Ctx);
  return (Uses.lookup(F->getCanonicalDecl()) > 1 && OutsideUses.lookup(F->getCanonicalDecl()) > 0) ||
         !isa<CXXMethodDecl>(F);
}

} // namespace clang::tidy::errorshield::ws
