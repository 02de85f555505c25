//===--- TlsWrite.cpp - Where an HTTP message goes out over TLS -----------===//

#include "protocol/TlsWrite.h"
#include "core/Matchers.h"
#include "protocol/HeaderCopy.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::errorshield::http {
namespace {

/// True when \p A and \p B are on the two branches of one `if` in \p Body: one never runs after
/// the other (`if (!tls) { req.set(field::upgrade, "h2c"); ... } else { http::write(tls_stream, req); }`).
bool onExclusiveBranches(const Stmt *Body, const Stmt *A, const Stmt *B) {
  return findDescendant(Body, [&](const Stmt *S) {
    const auto *If = dyn_cast<IfStmt>(S);
    return If && ((contains(If->getThen(), A) && contains(If->getElse(), B)) ||
                  (contains(If->getThen(), B) && contains(If->getElse(), A)));
  });
}

bool returns(const FunctionDecl *F, const Decl *Message) {
  return F->getBody() && findDescendant(F->getBody(), [&](const Stmt *S) {
           const auto *Return = dyn_cast<ReturnStmt>(S);
           return Return && Return->getRetValue() && rootDecl(Return->getRetValue()) == Message;
         });
}

} // namespace

const CallExpr *tlsWriteOf(const Decl *Message, const Stmt *Body, const Stmt *From, TlsTest IsTls) {
  return dyn_cast_or_null<CallExpr>(findDescendant(Body, [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call || Call == From)
      return false;
    const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
    const bool HasTls =
        llvm::any_of(Call->arguments(), [&](const Expr *A) { return IsTls(A->getType()); }) ||
        (Member && Member->getImplicitObjectArgument() &&
         IsTls(Member->getImplicitObjectArgument()->getType()));
    return HasTls && !onExclusiveBranches(Body, From, Call) &&
           llvm::any_of(Call->arguments(),
                        [&](const Expr *A) { return rootDecl(A) == Message; });
  }));
}

std::optional<CalleeWrite> calleeTlsWrite(const Decl *Message, const Stmt *Body, const Stmt *From,
                                          const SourceManager &SM, TlsTest IsTls) {
  std::optional<CalleeWrite> Found;
  findDescendant(Body, [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
    const FunctionDecl *Definition = nullptr;
    if (!Callee || Call == From || !Callee->hasBody(Definition) ||
        SM.isInSystemHeader(SM.getExpansionLoc(Definition->getLocation())) ||
        !SM.isBeforeInTranslationUnit(SM.getExpansionLoc(From->getBeginLoc()),
                                      SM.getExpansionLoc(Call->getBeginLoc())) ||
        onExclusiveBranches(Body, From, Call))
      return false;
    // A data member message is reached by the class's own member functions without being
    // handed over: `pending_->set(...); send();` with `http::async_write(*stream_, *pending_, ...)`
    // in send().
    const auto *Method = dyn_cast<CXXMethodDecl>(Definition);
    const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
    if (isa<FieldDecl>(Message) && Method && Member && Member->getImplicitObjectArgument() &&
        isa<CXXThisExpr>(Member->getImplicitObjectArgument()->IgnoreParenImpCasts()) &&
        Method->getParent() == cast<FieldDecl>(Message)->getParent())
      if (const CallExpr *Write = tlsWriteOf(Message, Definition->getBody(), nullptr, IsTls)) {
        Found = CalleeWrite{Call, Write};
        return true;
      }
    for (unsigned I = 0; I < Call->getNumArgs(); ++I)
      if (const ParmVarDecl *Param = parameterForArgument(Call, I, Definition);
          Param && rootDecl(Call->getArg(I)) == Message)
        if (const CallExpr *Write = tlsWriteOf(Param, Definition->getBody(), nullptr, IsTls)) {
          Found = CalleeWrite{Call, Write};
          return true;
        }
    return false;
  });
  return Found;
}

std::vector<CallerWrite> callerTlsWrites(const Decl *Message, const FunctionDecl *F,
                                         ASTContext &Ctx, TlsTest IsTls) {
  const auto *Param = dyn_cast<ParmVarDecl>(Message);
  const bool ByReference = Param && Param->getType()->isReferenceType() &&
                           !Param->getType().getNonReferenceType().isConstQualified();
  const bool Returned = !Param && returns(F, Message);
  std::vector<CallerWrite> Found;
  if (!ByReference && !Returned)
    return Found;
  for (const CallExpr *Call : callsOf(F, Ctx)) {
    const Stmt *CallerBody = enclosingFunctionBody(Call, Ctx, /*StopAtLambdas=*/false);
    const Decl *CallerMessage = nullptr;
    if (ByReference && Param->getFunctionScopeIndex() < Call->getNumArgs())
      CallerMessage = rootDecl(Call->getArg(Param->getFunctionScopeIndex()));
    else if (Returned)
      CallerMessage = parentThroughWrappers(Call, Ctx).get<VarDecl>(); // `auto req = make(...)`
    if (!CallerBody || !CallerMessage)
      continue;
    if (const CallExpr *Write = tlsWriteOf(CallerMessage, CallerBody, Call, IsTls))
      Found.push_back({Call, Write, ByReference});
    else if (isa<FieldDecl>(CallerMessage)) // `add_h2c_offer(*pending_); send();`
      if (std::optional<CalleeWrite> Later = calleeTlsWrite(
              CallerMessage, CallerBody, Call, Ctx.getSourceManager(), IsTls))
        Found.push_back({Call, Later->Write, ByReference});
  }
  return Found;
}

} // namespace clang::tidy::errorshield::http
