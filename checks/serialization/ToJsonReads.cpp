//===--- ToJsonReads.cpp - The members a hand-written to_json writes ------===//

#include "serialization/ToJsonReads.h"
#include "core/Matchers.h"

namespace clang::tidy::errorshield {

/// True when \p Use (an expression naming the object) only converts it to one of its bases.
static bool convertsToBase(const Expr *Use, ASTContext &Ctx) {
  DynTypedNodeList Parents = Ctx.getParents(*Use);
  while (!Parents.empty()) {
    if (const auto *Cast = Parents[0].get<CastExpr>()) {
      if (Cast->getCastKind() == CK_UncheckedDerivedToBase || Cast->getCastKind() == CK_DerivedToBase)
        return true;
      if (Cast->getCastKind() != CK_NoOp && Cast->getCastKind() != CK_LValueToRValue)
        return false;
      Parents = Ctx.getParents(Parents[0]);
      continue;
    }
    if (!Parents[0].get<ParenExpr>() && !Parents[0].get<UnaryOperator>())
      return false;
    Parents = Ctx.getParents(Parents[0]);
  }
  return false;
}

bool collectReadMembers(const Stmt *Body, const ParmVarDecl *Source, const CXXRecordDecl *Record,
                        ASTContext &Ctx, llvm::SmallPtrSetImpl<const FieldDecl *> &Read) {
  bool Opaque = false;
  forEachDescendant(Body, [&](const Stmt *S) {
    if (Opaque)
      return;
    const Expr *Object = nullptr;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S); Ref && Source && Ref->getDecl() == Source)
      Object = Ref;
    else if (const auto *This = dyn_cast<CXXThisExpr>(S); This && !Source)
      Object = This;
    if (!Object)
      return;
    DynTypedNodeList Parents = Ctx.getParents(*Object);
    while (!Parents.empty() && Parents[0].get<ImplicitCastExpr>() &&
           Parents[0].get<ImplicitCastExpr>()->getCastKind() == CK_NoOp)
      Parents = Ctx.getParents(Parents[0]);
    const auto *Member = Parents.empty() ? nullptr : Parents[0].get<MemberExpr>();
    if (Member) {
      if (const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl())) {
        if (Field->getParent() == Record)
          Read.insert(Field);
        return; // a member of a base class, or of this class
      }
      if (const auto *Method = dyn_cast<CXXMethodDecl>(Member->getMemberDecl());
          Method && Method->isStatic())
        return;
    }
    if (!convertsToBase(Object, Ctx))
      Opaque = true; // a getter, a helper taking the object, `j = t`: members written unknown
  });
  return !Opaque;
}

} // namespace clang::tidy::errorshield
