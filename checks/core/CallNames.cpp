//===--- CallNames.cpp - Naming the function a call reaches ---------------===//

#include "core/CallNames.h"
#include "core/Matchers.h"
#include "clang/AST/DeclTemplate.h"
#include "llvm/ADT/STLExtras.h"

namespace clang::tidy::errorshield {

std::string calleeName(const CallExpr *C) {
  if (const FunctionDecl *F = C->getDirectCallee())
    return F->getIdentifier() ? F->getName().str() : std::string();
  const Expr *Callee = C->getCallee() ? C->getCallee()->IgnoreParenImpCasts() : nullptr;
  DeclarationName Name;
  if (const auto *Lookup = dyn_cast_or_null<OverloadExpr>(Callee)) // also UnresolvedMemberExpr
    Name = Lookup->getName();
  else if (const auto *Dependent = dyn_cast_or_null<CXXDependentScopeMemberExpr>(Callee))
    Name = Dependent->getMember();
  else if (const auto *Scoped = dyn_cast_or_null<DependentScopeDeclRefExpr>(Callee))
    Name = Scoped->getDeclName();
  return Name.isIdentifier() ? Name.getAsString() : std::string();
}

std::vector<const FunctionDecl *> calleeCandidates(const CallExpr *C) {
  if (const FunctionDecl *F = C->getDirectCallee())
    return {F};
  std::vector<const FunctionDecl *> Out;
  const Expr *Callee = C->getCallee() ? C->getCallee()->IgnoreParenImpCasts() : nullptr;
  if (const auto *Lookup = dyn_cast_or_null<OverloadExpr>(Callee))
    for (const NamedDecl *D : Lookup->decls())
      if (const FunctionDecl *F = D->getUnderlyingDecl()->getAsFunction())
        Out.push_back(F);
  return Out;
}

/// The class of the object a member call is made on (pointers looked through), or null.
static const CXXRecordDecl *objectClass(const CallExpr *C) {
  const auto *Member = dyn_cast<CXXMemberCallExpr>(C);
  if (!Member || !Member->getImplicitObjectArgument())
    return nullptr;
  // The object as written: `f.wait()` on a std::future converts it to the base that declares wait.
  QualType T = Member->getImplicitObjectArgument()->IgnoreParenImpCasts()->getType();
  if (T->isPointerType())
    T = T->getPointeeType();
  return T->getAsCXXRecordDecl();
}

/// True when \p Record or one of its (resolvable) bases is named \p ClassName.
static bool isOrDerivesFrom(const CXXRecordDecl *Record, const std::string &ClassName) {
  if (!Record)
    return false;
  if (hasListedQualifiedName(Record, {ClassName}))
    return true;
  if (!Record->hasDefinition())
    return false;
  return llvm::any_of(Record->bases(), [&](const CXXBaseSpecifier &Base) {
    return isOrDerivesFrom(Base.getType()->getAsCXXRecordDecl(), ClassName);
  });
}

std::string listedCallName(const CallExpr *C, const std::vector<std::string> &Names) {
  for (const FunctionDecl *F : calleeCandidates(C))
    for (const std::string &Name : Names)
      if (hasListedQualifiedName(F, {Name}))
        return Name;
  const CXXRecordDecl *Object = objectClass(C);
  const std::string Method = calleeName(C);
  if (!Object || Method.empty())
    return {};
  for (const std::string &Name : Names) {
    const size_t Split = Name.rfind("::");
    if (Split != std::string::npos && Split > 0 && Name.substr(Split + 2) == Method &&
        isOrDerivesFrom(Object, Name.substr(0, Split)))
      return Name;
  }
  return {};
}

bool isListedCall(const CallExpr *C, const std::vector<std::string> &Names) {
  return !listedCallName(C, Names).empty();
}

bool isInListedNamespace(const Decl *D, const std::vector<std::string> &Namespaces) {
  std::vector<std::string> Anchored;
  for (const std::string &N : Namespaces)
    Anchored.push_back(StringRef(N).starts_with("::") ? N : "::" + N);
  for (const DeclContext *C = D->getDeclContext(); C; C = C->getParent())
    if (const auto *NS = dyn_cast<NamespaceDecl>(C);
        NS && !NS->isInline() && hasListedQualifiedName(NS, Anchored))
      return true;
  return false;
}

const ParmVarDecl *parameterForArgument(const CallExpr *Call, unsigned ArgIndex,
                                        const FunctionDecl *Callee) {
  const unsigned Shift = isa<CXXOperatorCallExpr>(Call) && isa<CXXMethodDecl>(Callee) ? 1 : 0;
  if (ArgIndex < Shift || ArgIndex - Shift >= Callee->getNumParams())
    return nullptr;
  return Callee->getParamDecl(ArgIndex - Shift);
}

const Expr *argumentForParameter(const CallExpr *Call, const ParmVarDecl *Param) {
  const auto *Callee = Call->getDirectCallee();
  const unsigned Shift = isa<CXXOperatorCallExpr>(Call) && isa_and_nonnull<CXXMethodDecl>(Callee);
  const unsigned Index = Param->getFunctionScopeIndex() + Shift;
  return Index < Call->getNumArgs() ? Call->getArg(Index) : nullptr;
}

std::string nameAtCall(const FunctionDecl *F, const CallExpr *Call) {
  const auto *Method = dyn_cast<CXXMethodDecl>(F);
  if (!Method || !Method->getParent()->isLambda())
    return F->getNameAsString();
  const ValueDecl *Holder = isa<CXXOperatorCallExpr>(Call) ? declNamedBy(Call->getArg(0)) : nullptr;
  return Holder ? Holder->getNameAsString() : "lambda";
}

} // namespace clang::tidy::errorshield
