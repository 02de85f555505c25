//===--- FuturePolls.cpp - Future calls that do not wait ------------------===//

#include "websocket/FuturePolls.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"

namespace clang::tidy::errorshield::ws {

/// True for a constant zero duration: `0s`, `std::chrono::seconds(0)`, `milliseconds{}`,
/// `seconds::zero()`: a std::chrono::duration is a class holding one count.
static bool isZeroDuration(const Expr *E, const ASTContext &Ctx) {
  Expr::EvalResult Value;
  if (E->isValueDependent() || !E->EvaluateAsRValue(Value, Ctx) || !Value.Val.isStruct() ||
      Value.Val.getStructNumFields() != 1 || Value.Val.getStructNumBases() != 0)
    return false;
  const APValue &Count = Value.Val.getStructField(0);
  return (Count.isInt() && Count.getInt().isZero()) || (Count.isFloat() && Count.getFloat().isZero());
}

/// `f.wait_for(0s)`: asks whether the future is ready without waiting.
static bool isReadinessPoll(const Stmt *S, const ASTContext &Ctx) {
  const auto *Call = dyn_cast<CallExpr>(S);
  return Call && calleeName(Call) == "wait_for" && Call->getNumArgs() >= 1 &&
         isZeroDuration(Call->getArg(0), Ctx);
}

/// For a condition that compares a readiness poll of the future with `ready`: true when it holds
/// only for a ready future (`f.wait_for(0s) == std::future_status::ready`, also as an operand of
/// `&&`), false when only for one that is not (`!= ready`), none for anything else.
static std::optional<bool> readyWhenTrue(const Expr *Cond, const ASTContext &Ctx,
                                         llvm::function_ref<bool(const Expr *)> SameObject) {
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *And = dyn_cast<BinaryOperator>(Cond); And && And->getOpcode() == BO_LAnd) {
    if (readyWhenTrue(And->getLHS(), Ctx, SameObject) == true ||
        readyWhenTrue(And->getRHS(), Ctx, SameObject) == true)
      return true;
    return std::nullopt;
  }
  const std::optional<Comparison> Equality = equalityParts(Cond);
  if (!Equality)
    return std::nullopt;
  const auto [LHS, RHS, Equal] = *Equality;
  auto IsPoll = [&](const Expr *E) {
    const auto *Call = dyn_cast<CallExpr>(stripConversions(E));
    std::optional<StreamCall> Poll = Call ? asMemberCall(Call) : std::nullopt;
    return Call && isReadinessPoll(Call, Ctx) && Poll && Poll->Object && SameObject(Poll->Object);
  };
  auto IsReady = [](const Expr *E) {
    const auto *Ref = dyn_cast<DeclRefExpr>(stripConversions(E));
    return Ref && isa<EnumConstantDecl>(Ref->getDecl()) && Ref->getDecl()->getName() == "ready";
  };
  if ((IsPoll(LHS) && IsReady(RHS)) || (IsPoll(RHS) && IsReady(LHS)))
    return Equal;
  return std::nullopt;
}

/// True when \p S leaves the block it is in: return, continue, break, throw (nested lambdas
/// excluded).
static bool exits(const Stmt *S) {
  return findDescendant(
      S, [](const Stmt *T) { return isa<ReturnStmt, ContinueStmt, BreakStmt, CXXThrowExpr>(T); },
      isNestedCode);
}

bool pollsWithoutWaiting(const CallExpr *C, ASTContext &Ctx) {
  if (isReadinessPoll(C, Ctx))
    return true;
  std::optional<StreamCall> Member = asMemberCall(C);
  if (!Member || !Member->Object || (Member->Method != "get" && Member->Method != "wait"))
    return false;
  const VarDecl *Root = rootVariable(Member->Object);
  const auto *Field = dyn_cast_or_null<MemberExpr>(stripConversions(Member->Object));
  auto SameObject = [&](const Expr *Other) {
    if (Root)
      return rootVariable(Other) == Root;
    const auto *OtherField = dyn_cast_or_null<MemberExpr>(stripConversions(Other));
    return Field && OtherField && Field->getMemberDecl() == OtherField->getMemberDecl();
  };
  const Stmt *Child = C;
  for (DynTypedNodeList Parents = Ctx.getParents(*C); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    if (Parents[0].get<FunctionDecl>())
      return false;
    const auto *S = Parents[0].get<Stmt>();
    if (!S) // a declaration holding the call (`int r = job_.get();`)
      continue;
    if (isa<LambdaExpr>(S))
      return false;
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      const std::optional<bool> Ready = readyWhenTrue(If->getCond(), Ctx, SameObject);
      if (Ready && ((*Ready && Child == If->getThen()) || (!*Ready && Child == If->getElse())))
        return true;
    }
    if (const auto *Block = dyn_cast<CompoundStmt>(S))
      for (const Stmt *Before : Block->body()) {
        if (Before == Child)
          break;
        const auto *Guard = dyn_cast<IfStmt>(Before);
        if (Guard && !Guard->getElse() && exits(Guard->getThen()) &&
            readyWhenTrue(Guard->getCond(), Ctx, SameObject) == false)
          return true;
      }
    Child = S;
  }
  return false;
}

} // namespace clang::tidy::errorshield::ws
