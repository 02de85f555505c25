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

/// The code and parameter that receive \p Arg, an argument of \p Call: a function of the project
/// with a body here, or a lambda stored in a variable (`const Encoder enc = [](json &j, const T
/// &t) {...}; enc(j, t);`). Empty when that code is not visible.
static std::pair<const Stmt *, const ParmVarDecl *> receiverOf(const CallExpr *Call,
                                                               const Expr *Arg, ASTContext &Ctx) {
  unsigned Index = 0;
  while (Index < Call->getNumArgs() && Call->getArg(Index) != Arg)
    ++Index;
  const FunctionDecl *Callee = Call->getDirectCallee();
  const Stmt *Body = nullptr;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call)) {
    if (Op->getOperator() != OO_Call || Index == 0)
      return {}; // an operator (`out << t`) is no helper; or the callable itself
    --Index;
    Callee = nullptr;
  }
  const auto *Ref = dyn_cast<DeclRefExpr>(stripConversions(
      isa<CXXOperatorCallExpr>(Call) ? Call->getArg(0) : Call->getCallee()));
  const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  if (Var && Var->getInit())
    if (const auto *Lambda = dyn_cast_or_null<LambdaExpr>(
            findDescendant(Var->getInit(), [](const Stmt *S) { return isa<LambdaExpr>(S); }))) {
      Callee = Lambda->getCallOperator();
      Body = Lambda->getBody();
    }
  if (Callee && !Body && Callee->hasBody() &&
      !Ctx.getSourceManager().isInSystemHeader(Callee->getLocation()))
    Body = Callee->getBody();
  if (!Body || !Callee || Index >= Callee->getNumParams())
    return {};
  return {Body, Callee->getParamDecl(Index)};
}

static bool collectReadMembers(const Stmt *Body, const ParmVarDecl *Source,
                               const CXXRecordDecl *Record, ASTContext &Ctx,
                               llvm::SmallPtrSetImpl<const FieldDecl *> &Read, unsigned Depth);

/// A helper that receives the object (`write_colony(j, n)`, one call deep): what it reads.
static bool readsThroughHelper(const Expr *Object, const CXXRecordDecl *Record, ASTContext &Ctx,
                               llvm::SmallPtrSetImpl<const FieldDecl *> &Read, unsigned Depth) {
  DynTypedNodeList Parents = Ctx.getParents(*Object);
  const Expr *Arg = Object;
  while (!Parents.empty() && Parents[0].get<ImplicitCastExpr>()) {
    Arg = Parents[0].get<ImplicitCastExpr>();
    Parents = Ctx.getParents(Parents[0]);
  }
  const auto *Call = Parents.empty() ? nullptr : Parents[0].get<CallExpr>();
  if (!Call || Depth > 0)
    return false;
  auto [HelperBody, Param] = receiverOf(Call, Arg, Ctx);
  return HelperBody && Param && Param->getType()->isReferenceType() &&
         collectReadMembers(HelperBody, Param, Record, Ctx, Read, Depth + 1);
}

bool collectReadMembers(const Stmt *Body, const ParmVarDecl *Source, const CXXRecordDecl *Record,
                        ASTContext &Ctx, llvm::SmallPtrSetImpl<const FieldDecl *> &Read) {
  return collectReadMembers(Body, Source, Record, Ctx, Read, /*Depth=*/0);
}

static bool collectReadMembers(const Stmt *Body, const ParmVarDecl *Source,
                               const CXXRecordDecl *Record, ASTContext &Ctx,
                               llvm::SmallPtrSetImpl<const FieldDecl *> &Read, unsigned Depth) {
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
    // In a template never instantiated, `e.kind` names the member only by name.
    if (const auto *Dependent =
            Parents.empty() ? nullptr : Parents[0].get<CXXDependentScopeMemberExpr>()) {
      const DeclarationName Name = Dependent->getMember();
      const auto Field = llvm::find_if(
          Record->fields(), [&](const FieldDecl *F) { return F->getDeclName() == Name; });
      if (Field != Record->field_end())
        Read.insert(*Field);
      else
        Opaque = true; // a getter: what it reads is not known
      return;
    }
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
    if (!convertsToBase(Object, Ctx) && !readsThroughHelper(Object, Record, Ctx, Read, Depth))
      Opaque = true; // a getter, a helper not visible here, `j = t`: members written unknown
  });
  return !Opaque;
}

const CXXRecordDecl *uninstantiatedToJsonRecord(const FunctionDecl *F, QualType Mapped) {
  const FunctionTemplateDecl *Template = F->getDescribedFunctionTemplate();
  const auto *Spec = Mapped->getAs<TemplateSpecializationType>();
  // A specialization can exist without a body: nlohmann's adl_serializer names to_json in a
  // decltype, and its own body, which would instantiate ours, may be skipped (clangd's preamble
  // skips function bodies in headers).
  if (!Template || !Spec || llvm::any_of(Template->specializations(), [](const FunctionDecl *S) {
        return S->isDefined();
      }))
    return nullptr;
  const auto *Class =
      dyn_cast_or_null<ClassTemplateDecl>(Spec->getTemplateName().getAsTemplateDecl());
  const CXXRecordDecl *Pattern = Class ? Class->getTemplatedDecl()->getDefinition() : nullptr;
  return Pattern && !Pattern->isUnion() ? Pattern : nullptr;
}

} // namespace clang::tidy::errorshield
