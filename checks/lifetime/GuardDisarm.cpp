//===--- GuardDisarm.cpp - A scope guard turned off on purpose ------------===//

#include "lifetime/GuardDisarm.h"
#include "core/Matchers.h"

namespace clang::tidy::errorshield {

bool dismissedBefore(const Stmt *GuardDecl, const Stmt *Write,
                     const std::vector<std::string> &DismissMethods, ASTContext &Ctx) {
  const auto *Decls = dyn_cast<DeclStmt>(GuardDecl);
  const auto *Guard = Decls && Decls->isSingleDecl() ? dyn_cast<VarDecl>(Decls->getSingleDecl())
                                                      : nullptr;
  const FunctionDecl *Function =
      Guard ? dyn_cast<FunctionDecl>(Guard->getParentFunctionOrMethod()) : nullptr;
  if (!Function || !Function->getBody())
    return false;
  const SourceManager &SM = Ctx.getSourceManager();
  auto Before = [&](SourceLocation A, SourceLocation B) {
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(A), SM.getExpansionLoc(B));
  };
  return findDescendant(Function->getBody(), [&](const Stmt *S) {
    const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
    const CXXMethodDecl *Method = Call ? Call->getMethodDecl() : nullptr;
    if (!Method || !Method->getIdentifier() ||
        !llvm::is_contained(DismissMethods, Method->getName()))
      return false;
    const Expr *Target = stripConversions(Call->getImplicitObjectArgument());
    if (const auto *Move = dyn_cast<CallExpr>(Target); // std::move(cleanup).Cancel()
        Move && Move->getNumArgs() == 1 && Move->getDirectCallee() &&
        Move->getDirectCallee()->isInStdNamespace() && Move->getDirectCallee()->getName() == "move")
      Target = stripConversions(Move->getArg(0));
    const auto *Object = dyn_cast<DeclRefExpr>(Target);
    return Object && Object->getDecl() == Guard && Before(GuardDecl->getEndLoc(), Call->getBeginLoc()) &&
           Before(Call->getEndLoc(), Write->getBeginLoc());
  });
}

bool disarmsGuard(const LambdaExpr *Lambda, const VarDecl *Var, const Stmt *Write,
                  ASTContext &Ctx) {
  // The analyzer names the variable written; the assignment is the expression around it.
  for (DynTypedNodeList Parents = Ctx.getParents(*Write);
       !Parents.empty() && (Parents[0].get<ParenExpr>() || Parents[0].get<ImplicitCastExpr>() ||
                            isa_and_nonnull<BinaryOperator, CXXOperatorCallExpr>(Parents[0].get<Expr>()));
       Parents = Ctx.getParents(Parents[0])) {
    Write = Parents[0].get<Expr>();
    if (isa<BinaryOperator, CXXOperatorCallExpr>(Write))
      break;
  }
  const auto Store = Write ? storeParts(Write) : std::nullopt;
  const Expr *Stored = Store ? Store->second : nullptr;
  if (!Stored || Stored->isValueDependent() || !Stored->isEvaluatable(Ctx))
    return false;
  return findDescendant(Lambda->getBody(), [&](const Stmt *S) {
    if (const Expr *Condition = conditionOf(S))
      return refersTo(Condition, Var);
    const auto *Logical = dyn_cast<BinaryOperator>(S); // `fd >= 0 && ::close(fd) == 0`
    return Logical && Logical->isLogicalOp() && refersTo(Logical->getLHS(), Var);
  });
}

} // namespace clang::tidy::errorshield
