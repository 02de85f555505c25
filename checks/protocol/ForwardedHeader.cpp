//===--- ForwardedHeader.cpp - A hop-by-hop header copied by name ---------===//

#include "protocol/ForwardedHeader.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "protocol/HeaderCopy.h"

namespace clang::tidy::errorshield::http {

/// True when a condition around \p S compares something with "websocket": the proxy checked
/// which upgrade it forwards.
static bool checkedForWebSocket(const Stmt *S, ASTContext &Ctx) {
  for (DynTypedNodeList Parents = Ctx.getParents(*S); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    const auto *P = Parents[0].get<Stmt>();
    if (!P)
      continue;
    if (isa<LambdaExpr>(P))
      return false;
    if (const Expr *Cond = conditionOf(P))
      if (findDescendant(Cond, [](const Stmt *T) {
            const auto *Literal = dyn_cast<StringLiteral>(T);
            return Literal && Literal->isOrdinary() &&
                   Literal->getString().lower().find("websocket") != std::string::npos;
          }))
        return true;
  }
  return false;
}

std::string forwardedHopHeader(const CallExpr *Set, const Expr *Target, const Expr *Name,
                               const Expr *Value, const std::vector<std::string> &Headers,
                               ASTContext &Ctx) {
  const std::string Header = headerName(Name);
  if (Header.empty() || !llvm::any_of(Headers, [&](const std::string &H) {
        return normalizedHeader(H) == Header;
      }))
    return {};
  const Decl *To = rootDecl(Target);
  // The value reads that header from another message: in[field], in.at(field), in.find(field).
  const bool Copied = findDescendant(Value, [&](const Stmt *S) {
    const Expr *Object = nullptr, *Key = nullptr;
    if (const auto *Index = dyn_cast<CXXOperatorCallExpr>(S);
        Index && Index->getOperator() == OO_Subscript && Index->getNumArgs() == 2)
      Object = Index->getArg(0), Key = Index->getArg(1);
    else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
             Call && Call->getNumArgs() >= 1 && (calleeName(Call) == "at" || calleeName(Call) == "find"))
      Object = Call->getImplicitObjectArgument(), Key = Call->getArg(0);
    return Object && headerName(Key) == Header && rootDecl(Object) != To;
  });
  return Copied && !checkedForWebSocket(Set, Ctx) ? Header : std::string();
}

} // namespace clang::tidy::errorshield::http
