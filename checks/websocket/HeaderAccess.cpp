//===--- HeaderAccess.cpp - How handshake code touches a request's headers -===//

#include "websocket/HeaderAccess.h"
#include "core/Matchers.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"

namespace clang::tidy::errorshield::ws {

const Expr *enclosingCall(const Expr *E, ASTContext &Context) {
  DynTypedNode Node = DynTypedNode::create(*E);
  for (int Hops = 0; Hops < 6; ++Hops) {
    DynTypedNodeList Parents = Context.getParents(Node);
    if (Parents.empty())
      return nullptr;
    Node = Parents[0];
    const auto *Parent = Node.get<Expr>();
    if (!Parent)
      return nullptr;
    if (isa<CallExpr>(Parent) || isa<ArraySubscriptExpr>(Parent))
      return Parent;
  }
  return nullptr;
}

std::optional<StreamCall> enclosingStreamCall(const Expr *E, ASTContext &Context,
                                              const std::vector<std::string> &Streams) {
  DynTypedNode Node = DynTypedNode::create(*E);
  for (int Hops = 0; Hops < 40; ++Hops) {
    DynTypedNodeList Parents = Context.getParents(Node);
    if (Parents.empty())
      return std::nullopt;
    Node = Parents[0];
    if (const auto *Call = Node.get<CallExpr>())
      if (std::optional<StreamCall> Stream = asStreamCall(Call, Streams))
        return Stream;
    if (Node.get<FunctionDecl>() && !Node.get<CXXMethodDecl>())
      return std::nullopt;
  }
  return std::nullopt;
}

std::string accessName(const Expr *Access) {
  if (isa<ArraySubscriptExpr>(Access))
    return "operator[]";
  const auto *Call = cast<CallExpr>(Access);
  if (std::optional<StreamCall> Member = asMemberCall(Call))
    return Member->Method;
  if (const FunctionDecl *Callee = Call->getDirectCallee())
    return Callee->getNameAsString();
  if (const auto *Lookup = dyn_cast_or_null<OverloadExpr>(Call->getCallee()->IgnoreParenImpCasts()))
    return Lookup->getName().getAsString();
  return "";
}

bool isRequest(QualType T) {
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(T->getAsCXXRecordDecl());
  if (!Spec || Spec->getTemplateArgs().size() == 0)
    return false;
  const TemplateArgument &IsRequest = Spec->getTemplateArgs()[0];
  return IsRequest.getKind() == TemplateArgument::Integral && IsRequest.getAsIntegral() != 0;
}

const StringLiteral *fixedString(const Expr *E) {
  E = stripConversions(E);
  if (const auto *Literal = dyn_cast<StringLiteral>(E))
    return Literal;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
        Var && Var->getType().isConstQualified() && Var->getInit())
      return dyn_cast<StringLiteral>(stripConversions(Var->getInit()));
  return nullptr;
}

} // namespace clang::tidy::errorshield::ws
