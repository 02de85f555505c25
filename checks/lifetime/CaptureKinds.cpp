//===--- CaptureKinds.cpp - Which by-reference captures can dangle --------===//

#include "lifetime/CaptureKinds.h"
#include "core/Matchers.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::errorshield {

const Expr *initCaptureReferent(const LambdaCapture &C) {
  const auto *Var = C.capturesVariable() ? dyn_cast<VarDecl>(C.getCapturedVar()) : nullptr;
  if (!Var || !Var->isInitCapture() || !Var->getType()->isReferenceType() || !Var->getInit())
    return nullptr;
  return stripConversions(Var->getInit());
}

/// What \p C binds by reference: the variable of `[&x]` or `[&]`, or `x` in `[&o = x]`.
static const ValueDecl *boundByReference(const LambdaCapture &C) {
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(initCaptureReferent(C)))
    return Ref->getDecl();
  if (C.capturesVariable() && C.getCaptureKind() == LCK_ByRef)
    return C.getCapturedVar();
  return nullptr;
}

const VarDecl *capturedLocalByReference(const LambdaCapture &C) {
  const ValueDecl *Captured = boundByReference(C);
  const auto *Var = dyn_cast_or_null<VarDecl>(Captured);
  // A structured binding lives as long as the object it unpacks (`auto [id, name] = p;`).
  if (const auto *Binding = dyn_cast_or_null<BindingDecl>(Captured))
    Var = dyn_cast_or_null<VarDecl>(Binding->getDecomposedDecl());
  if (!Var || !Var->hasLocalStorage() || Var->getType()->isReferenceType() || Var->isInitCapture())
    return nullptr;
  return Var;
}

const ParmVarDecl *capturedValueParamByReference(const LambdaCapture &C,
                                                 const std::vector<std::string> &ValueTypes) {
  const auto *Param = dyn_cast_or_null<ParmVarDecl>(boundByReference(C));
  const auto *RefType = Param ? Param->getType()->getAs<LValueReferenceType>() : nullptr;
  if (!RefType || !RefType->getPointeeType().isConstQualified())
    return nullptr;
  QualType T = RefType->getPointeeType();
  if (T->isArithmeticType() || T->isEnumeralType())
    return Param;
  return hasListedQualifiedName(T->getAsCXXRecordDecl(), ValueTypes) ? Param : nullptr;
}

const FieldDecl *memberBoundByReference(const LambdaCapture &C) {
  const auto *Member = dyn_cast_or_null<MemberExpr>(initCaptureReferent(C));
  if (!Member || !isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts()))
    return nullptr;
  return dyn_cast<FieldDecl>(Member->getMemberDecl());
}

} // namespace clang::tidy::errorshield
