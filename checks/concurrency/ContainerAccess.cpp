//===--- ContainerAccess.cpp - How an expression uses a container ---------===//

#include "concurrency/ContainerAccess.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::errorshield {

using AccessKind = UnlockedSharedMapCheck::AccessKind;

/// The container \p Arg, passed to \p Call, is written by the callee through a non-const reference
/// parameter (`upsert(last_fault_, k, v)` with `m.insert_or_assign(k, v)` in its body): a write.
/// Up to two calls deep; anything else passed along is not judged.
static std::optional<AccessKind>
writtenByCallee(const CallExpr *Call, const Expr *Arg, ASTContext &Ctx,
                const std::vector<std::string> &WriteMethods, unsigned CallDepth) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  const FunctionDecl *Definition = Callee ? Callee->getDefinition() : nullptr;
  if (!Definition || !Definition->getBody() || CallDepth >= 2)
    return std::nullopt;
  for (unsigned I = 0; I < Call->getNumArgs(); ++I) {
    const ParmVarDecl *Param = parameterForArgument(Call, I, Definition);
    if (!Param || Call->getArg(I)->IgnoreParenImpCasts() != Arg->IgnoreParenImpCasts())
      continue;
    if (!Param->getType()->isLValueReferenceType() ||
        Param->getType().getNonReferenceType().isConstQualified())
      return std::nullopt;
    const bool Writes = findDescendant(Definition->getBody(), [&](const Stmt *S) {
      const auto *Ref = dyn_cast<DeclRefExpr>(S);
      return Ref && Ref->getDecl() == Param &&
             classifyAccess(Ref, Ctx, WriteMethods, CallDepth + 1) == AccessKind::Write;
    });
    return Writes ? std::optional<AccessKind>(AccessKind::Write) : std::nullopt;
  }
  return std::nullopt;
}

std::optional<AccessKind> classifyAccess(const Expr *Use, ASTContext &Ctx,
                                         const std::vector<std::string> &WriteMethods,
                                         unsigned CallDepth) {
  const Expr *E = Use;
  for (unsigned Depth = 0; Depth < 8; ++Depth) {
    DynTypedNodeList Parents = Ctx.getParents(*E);
    if (Parents.empty())
      return std::nullopt;
    const DynTypedNode &P = Parents[0];
    if (const auto *Wrapper = P.get<Expr>();
        Wrapper && (isa<ImplicitCastExpr, ParenExpr, MaterializeTemporaryExpr>(Wrapper))) {
      E = Wrapper;
      continue;
    }
    auto KindOf = [&](StringRef Name) {
      return llvm::is_contained(WriteMethods, Name) ? AccessKind::Write : AccessKind::Read;
    };
    if (const auto *Member = P.get<MemberExpr>()) {
      if (const auto *Method = dyn_cast<CXXMethodDecl>(Member->getMemberDecl());
          Method && Method->getIdentifier())
        return KindOf(Method->getName());
      return AccessKind::Read;
    }
    if (const auto *Op = P.get<CXXOperatorCallExpr>()) {
      if (Op->getNumArgs() == 0 || Op->getArg(0)->IgnoreParenImpCasts() != E->IgnoreParenImpCasts())
        return std::nullopt;
      return KindOf(("operator" + StringRef(getOperatorSpelling(Op->getOperator()))).str());
    }
    if (P.get<CXXForRangeStmt>())
      return AccessKind::Read;
    if (const auto *Call = P.get<CallExpr>())
      return writtenByCallee(Call, E, Ctx, WriteMethods, CallDepth);
    if (const auto *Range = P.get<VarDecl>(); Range && Range->isImplicit())
      return AccessKind::Read; // the hidden __range variable of a range-for
    return std::nullopt;
  }
  return std::nullopt;
}

std::vector<const DeclRefExpr *> aliasUses(const Expr *Use, ASTContext &Ctx) {
  DynTypedNodeList Parents = Ctx.getParents(*Use);
  const auto *Alias = Parents.empty() ? nullptr : Parents[0].get<VarDecl>();
  if (!Alias || Alias->isImplicit() || !Alias->isLocalVarDecl() ||
      !Alias->getType()->isReferenceType() || Alias->getInit() != Use)
    return {};
  const Stmt *Body = enclosingFunctionBody(Use, Ctx, /*StopAtLambdas=*/false);
  std::vector<const DeclRefExpr *> Uses;
  if (!Body)
    return Uses;
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S); Ref && Ref->getDecl() == Alias)
      Uses.push_back(Ref);
  });
  return Uses;
}

} // namespace clang::tidy::errorshield
