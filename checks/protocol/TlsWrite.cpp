//===--- TlsWrite.cpp - Where an HTTP message goes out over TLS -----------===//

#include "protocol/TlsWrite.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "protocol/HeaderCopy.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::errorshield::http {
namespace {

bool returns(const FunctionDecl *F, const Decl *Message) {
  return F->getBody() && findDescendant(F->getBody(), [&](const Stmt *S) {
           const auto *Return = dyn_cast<ReturnStmt>(S);
           return Return && Return->getRetValue() && rootDecl(Return->getRetValue()) == Message;
         });
}

/// True when \p Call is handed a TLS stream or made on one.
bool hasTlsOperand(const CallExpr *Call, TlsTest IsTls) {
  const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
  return llvm::any_of(Call->arguments(), [&](const Expr *A) { return IsTls(A->getType()); }) ||
         (Member && Member->getImplicitObjectArgument() &&
          IsTls(Member->getImplicitObjectArgument()->getType()));
}

} // namespace

const CallExpr *tlsWriteOf(const Decl *Message, const Stmt *Body, const Stmt *From, TlsTest IsTls) {
  return dyn_cast_or_null<CallExpr>(findDescendant(Body, [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call || Call == From)
      return false;
    return hasTlsOperand(Call, IsTls) &&
           llvm::any_of(Call->arguments(), [&](const Expr *A) { return rootDecl(A) == Message; }) &&
           !onExclusiveBranches(Body, From, Call);
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
    // in send(), also when called on the session kept alive (`self->handshake()` in a handler).
    const auto *Method = dyn_cast<CXXMethodDecl>(Definition);
    const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
    if (isa<FieldDecl>(Message) && Method && Member &&
        Member->getRecordDecl() == cast<FieldDecl>(Message)->getParent() &&
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

const CallExpr *memberTlsWrite(const FieldDecl *Message, TlsTest IsTls) {
  const auto *Class = dyn_cast<CXXRecordDecl>(Message->getParent());
  if (!Class || !Class->hasDefinition())
    return nullptr;
  for (const CXXMethodDecl *Method : Class->methods())
    if (const Stmt *Body = Method->getBody())
      if (const CallExpr *Write = tlsWriteOf(Message, Body, nullptr, IsTls))
        return Write;
  return nullptr;
}

std::vector<CallerWrite> callerTlsWrites(const Decl *Message, const FunctionDecl *F,
                                         llvm::ArrayRef<const CallExpr *> Calls, ASTContext &Ctx,
                                         TlsTest IsTls) {
  const auto *Param = dyn_cast<ParmVarDecl>(Message);
  const bool ByReference = Param && Param->getType()->isReferenceType() &&
                           !Param->getType().getNonReferenceType().isConstQualified();
  const bool Returned = !Param && returns(F, Message);
  std::vector<CallerWrite> Found;
  if (!ByReference && !Returned)
    return Found;
  for (const CallExpr *Call : Calls) {
    const Stmt *CallerBody = enclosingFunctionBody(Call, Ctx, /*StopAtLambdas=*/false);
    const Decl *CallerMessage = nullptr;
    if (const Expr *Argument = ByReference ? argumentForParameter(Call, Param) : nullptr)
      CallerMessage = rootDecl(Argument);
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

size_t upgradeOffset(StringRef Raw, const std::vector<std::string> &Tokens) {
  for (size_t At = Raw.find_insensitive("upgrade:"); At != StringRef::npos;
       At = Raw.find_insensitive("upgrade:", At + 1)) {
    const StringRef Value = Raw.substr(At + 8).ltrim(" \t").take_until([](char C) {
      return C == '\r' || C == '\n';
    });
    if ((At == 0 || Raw[At - 1] == '\n') && llvm::any_of(Tokens, [&](const std::string &Token) {
          return Value.contains_insensitive(Token);
        }))
      return At;
  }
  return StringRef::npos;
}

/// A call with a TLS stream, in the function that declares local \p Var, that is handed \p Var.
static const CallExpr *tlsWriteOfLocal(const VarDecl *Var, TlsTest IsTls) {
  const auto *F = dyn_cast_or_null<FunctionDecl>(Var->getParentFunctionOrMethod());
  if (!F || !F->getBody())
    return nullptr;
  return dyn_cast_or_null<CallExpr>(findDescendant(F->getBody(), [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    return Call && hasTlsOperand(Call, IsTls) &&
           llvm::any_of(Call->arguments(), [&](const Expr *A) { return refersTo(A, Var); });
  }));
}

const CallExpr *rawTlsWrite(const StringLiteral *Text, ASTContext &Ctx, TlsTest IsTls) {
  // Up from the text through the expression it is part of: a call with a TLS stream
  // (`asio::write(tls, asio::buffer("...Upgrade: h2c..."))`), or the local it initializes or is
  // stored into (`probe += "...Upgrade: h2c\r\n"`). A literal of a function template is shared
  // with its instantiations, where the stream's type is known: every parent is followed.
  llvm::SmallVector<std::pair<DynTypedNode, int>, 8> Work = {{DynTypedNode::create(*Text), 0}};
  while (!Work.empty()) {
    auto [Node, Hops] = Work.pop_back_val();
    for (const DynTypedNode &Parent : Ctx.getParents(Node)) {
      if (const auto *Var = Parent.get<VarDecl>()) {
        if (const CallExpr *Write = Var->isLocalVarDecl() ? tlsWriteOfLocal(Var, IsTls) : nullptr)
          return Write;
        continue;
      }
      if (const auto *Call = Parent.get<CallExpr>(); Call && hasTlsOperand(Call, IsTls))
        return Call;
      if (const auto *Store = Parent.get<CXXOperatorCallExpr>();
          Store && Store->getNumArgs() == 2 &&
          (Store->getOperator() == OO_PlusEqual || Store->getOperator() == OO_Equal))
        if (const auto *Var = dyn_cast_or_null<VarDecl>(declNamedBy(Store->getArg(0)));
            Var && Var->isLocalVarDecl())
          if (const CallExpr *Write = tlsWriteOfLocal(Var, IsTls))
            return Write;
      if (Parent.get<Expr>() && Hops < 16)
        Work.push_back({Parent, Hops + 1});
    }
  }
  return nullptr;
}

} // namespace clang::tidy::errorshield::http
