//===--- CloseCodeValues.cpp - The values a close code may take ---------===//

#include "websocket/CloseCodeValues.h"
#include "core/Matchers.h"
#include "clang/Analysis/Analyses/ExprMutationAnalyzer.h"

namespace clang::tidy::errorshield::ws {

StringRef whyForbidden(uint64_t Code) {
  switch (Code) {
  case 1005:
    return "it only reports locally that a close frame carried no status code";
  case 1006:
    return "it only reports locally that the connection closed without a close frame";
  case 1015:
    return "it only reports locally that the TLS handshake failed";
  case 1004:
    return "RFC 6455 reserves it";
  default:
    break;
  }
  if (Code < 1000)
    return "codes below 1000 are not close codes";
  if (Code < 3000)
    return "it is reserved for the WebSocket protocol";
  if (Code > 4999)
    return "close codes end at 4999";
  return "the catalog forbids it";
}

void possibleCodes(const Expr *Code, ASTContext &Context,
                   llvm::SmallVectorImpl<PossibleCloseCode> &Out, bool SpelledAtCall,
                   const ReturnStmt *Returned, unsigned Depth) {
  const Expr *E = Code->IgnoreParenImpCasts();
  if (Depth > 4)
    return;
  if (const auto *Choice = dyn_cast<ConditionalOperator>(E)) {
    possibleCodes(Choice->getTrueExpr(), Context, Out, SpelledAtCall, Returned, Depth + 1);
    possibleCodes(Choice->getFalseExpr(), Context, Out, SpelledAtCall, Returned, Depth + 1);
    return;
  }
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    if (Var && Var->isLocalVarDecl() && Var->getInit() && !Var->getType()->isReferenceType()) {
      const auto *Function = dyn_cast<FunctionDecl>(Var->getDeclContext());
      if (Function && Function->getBody() &&
          !ExprMutationAnalyzer(*Function->getBody(), Context).isMutated(Var))
        possibleCodes(Var->getInit(), Context, Out, /*SpelledAtCall=*/false, Returned, Depth + 1);
      return;
    }
  }
  // A code a function maps to (`switch (why) { ... return 5003; }`): each value it returns is
  // judged where it is returned, the one place to mend it. (Not through a second function: the
  // note would have to name two places.)
  if (const auto *Call = dyn_cast<CallExpr>(E); Call && !Returned) {
    // A constant expression (`app_close(wallet_err::withdraw_limit)`, constexpr): its value.
    if (Expr::EvalResult Value; !Call->isValueDependent() && Call->EvaluateAsInt(Value, Context)) {
      Out.push_back({Code, SpelledAtCall, Returned});
      return;
    }
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee || !Callee->getBody() || Callee->isDependentContext())
      return;
    // Returns of a lambda inside the function are not the function's.
    findDescendant(
        Callee->getBody(),
        [&](const Stmt *S) {
          if (const auto *Return = dyn_cast<ReturnStmt>(S); Return && Return->getRetValue())
            possibleCodes(Return->getRetValue(), Context, Out, /*SpelledAtCall=*/false, Return,
                          Depth + 1);
          return false;
        },
        [](const Stmt *S) { return isa<LambdaExpr>(S); });
    return;
  }
  Out.push_back({Code, SpelledAtCall, Returned});
}

std::optional<uint64_t> constantOf(const Expr *E, const ASTContext &Context) {
  Expr::EvalResult Value;
  if (E->isValueDependent() || !E->EvaluateAsInt(Value, Context) ||
      Value.Val.getInt().isNegative() || Value.Val.getInt().getActiveBits() > 32)
    return std::nullopt;
  return Value.Val.getInt().getZExtValue();
}

} // namespace clang::tidy::errorshield::ws
