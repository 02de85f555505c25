//===--- SerializedContext.cpp - Code that cannot run concurrently --------===//

#include "concurrency/SerializedContext.h"
#include "core/Matchers.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ASTLambda.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::errorshield {
namespace {

/// The variable or member an I/O object expression names: `timer_`, `*timer`, `timer->`.
const ValueDecl *objectDecl(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
      Op && (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) && Op->getNumArgs())
    E = Op->getArg(0)->IgnoreParenImpCasts();
  if (const auto *Deref = dyn_cast<UnaryOperator>(E); Deref && Deref->getOpcode() == UO_Deref)
    E = Deref->getSubExpr();
  return declNamedBy(E);
}

} // namespace

bool SerializedContext::isStrand(const Expr *E) const {
  QualType T = E->getType().getNonReferenceType();
  return isNamedRecord(T, V.StrandTypes);
}

bool SerializedContext::builtOnStrand(const Expr *Object) const {
  const ValueDecl *D = objectDecl(Object);
  if (!D)
    return false;
  auto MentionsStrand = [&](const Expr *Init) {
    return Init && findDescendant(Init, [&](const Stmt *S) {
             const auto *E = dyn_cast<Expr>(S);
             return E && isStrand(E);
           });
  };
  // The executor in the type: basic_waitable_timer<..., strand<...>>, basic_stream<..., strand<...>>.
  if (const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
          D->getType().getNonReferenceType()->getAsCXXRecordDecl()))
    for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray())
      if (Arg.getKind() == TemplateArgument::Type && isNamedRecord(Arg.getAsType(), V.StrandTypes))
        return true;
  if (const auto *Var = dyn_cast<VarDecl>(D))
    return MentionsStrand(Var->getInit());
  const auto *Field = dyn_cast<FieldDecl>(D);
  if (!Field)
    return false;
  if (MentionsStrand(Field->getInClassInitializer()))
    return true;
  const auto *Record = dyn_cast<CXXRecordDecl>(Field->getParent());
  if (!Record)
    return false;
  for (const CXXConstructorDecl *Ctor : Record->ctors())
    for (const CXXCtorInitializer *Init : Ctor->inits())
      if (Init->getMember() == Field && MentionsStrand(Init->getInit()))
        return true;
  return false;
}

bool SerializedContext::handlerIsSerialized(const Expr *Handler) const {
  const auto *Call = parentThroughWrappers(Handler, Ctx).get<CallExpr>();
  if (!Call)
    return false;
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (Callee && hasListedQualifiedName(Callee, V.OnceFunctions))
    return true;
  auto AnyStrandArgument = [&] {
    return llvm::any_of(Call->arguments(), [&](const Expr *Arg) { return isStrand(Arg); });
  };
  if (Callee && hasListedQualifiedName(Callee, V.StrandCalls) && AnyStrandArgument())
    return true;
  const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
  if (!Member || !Member->getMethodDecl() || !Member->getMethodDecl()->getIdentifier())
    return false;
  const Expr *Object = Member->getImplicitObjectArgument();
  if (isStrand(Object)) // strand_.post(h), strand_.dispatch(h), strand_.wrap(h)
    return true;
  return Member->getMethodDecl()->getName().starts_with("async_") && builtOnStrand(Object);
}

bool SerializedContext::afterHopToStrand(const Stmt *Use, const Stmt *Body) const {
  const SourceManager &SM = Ctx.getSourceManager();
  return findDescendant(
      Body,
      [&](const Stmt *S) {
        if (!isa<CoawaitExpr>(S) || !SM.isBeforeInTranslationUnit(S->getEndLoc(),
                                                                  Use->getBeginLoc()))
          return false;
        return findDescendant(S, [&](const Stmt *Inner) {
                 const auto *Call = dyn_cast<CallExpr>(Inner);
                 return Call && Call->getDirectCallee() &&
                        hasListedQualifiedName(Call->getDirectCallee(), V.StrandCalls) &&
                        llvm::any_of(Call->arguments(),
                                     [&](const Expr *Arg) { return isStrand(Arg); });
               }) != nullptr;
      },
      isNestedCode) != nullptr;
}

bool SerializedContext::isSerialized(const Stmt *E, unsigned CallDepth) const {
  DynTypedNodeList Parents = Ctx.getParents(*E);
  while (!Parents.empty()) {
    // The innermost lambda decides: it runs where the call it is handed to runs it.
    if (const auto *Lambda = Parents[0].get<LambdaExpr>())
      return handlerIsSerialized(Lambda);
    if (const auto *F = Parents[0].get<FunctionDecl>(); F && !isLambdaCallOperator(F)) {
      if (const auto *Coroutine = dyn_cast_or_null<CoroutineBodyStmt>(F->getBody());
          Coroutine && afterHopToStrand(E, Coroutine->getBody()))
        return true;
      auto It = Calls.find(F->getCanonicalDecl());
      return CallDepth > 0 && It != Calls.end() && !It->second.empty() &&
             llvm::all_of(It->second, [&](const CallExpr *Call) {
               return isSerialized(Call, CallDepth - 1);
             });
    }
    Parents = Ctx.getParents(Parents[0]);
  }
  return false;
}

} // namespace clang::tidy::errorshield
