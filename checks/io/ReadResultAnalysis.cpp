//===--- ReadResultAnalysis.cpp - results and error codes of synchronous reads ===//

#include "core/Matchers.h"
#include "io/ReadAnalysis.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/StringSwitch.h"

namespace clang::tidy::errorshield {
namespace {

/// The nearest parent that is not a paren, implicit cast (other than a test for nonzero) or cleanup
/// wrapper; \p Child is set to the wrapper just below it.
DynTypedNode meaningfulParent(const Expr *E, ASTContext &Ctx, const Expr **Child = nullptr) {
  DynTypedNodeList Parents = Ctx.getParents(*E);
  while (!Parents.empty()) {
    const auto *P = Parents[0].get<Expr>();
    // An explicit cast to another integer type keeps the count: `(std::size_t)n != sizeof h`.
    const auto *Explicit = dyn_cast_or_null<ExplicitCastExpr>(P);
    const bool KeepsCount = Explicit && Explicit->getType()->isIntegerType() &&
                            !Explicit->getType()->isBooleanType();
    if (!P || (!KeepsCount &&
               !isa<ParenExpr, ImplicitCastExpr, ExprWithCleanups, MaterializeTemporaryExpr>(P)))
      break;
    if (const auto *Cast = dyn_cast<ImplicitCastExpr>(P);
        Cast && Cast->getCastKind() == CK_IntegralToBoolean)
      break; // a truth test is a use, not a wrapper
    E = P;
    Parents = Ctx.getParents(*P);
  }
  if (Child)
    *Child = E;
  return Parents.empty() ? DynTypedNode() : Parents[0];
}

/// For a comparison `Subject op C` (or `C op Subject`) with a constant C: does some positive count
/// compare differently from 0? Non-constant comparisons (`n != expected`) are taken as checks.
bool comparisonSeparatesZero(BinaryOperatorKind Opcode, bool SubjectOnLeft, const Expr *Subject,
                             const Expr *Other, ASTContext &Ctx) {
  Expr::EvalResult Value;
  if (!Other->EvaluateAsInt(Value, Ctx)) {
    // `n != expected` separates 0; `write(fd, buf, n) == n` holds for 0 too.
    const auto *Ref = dyn_cast<DeclRefExpr>(Subject->IgnoreParenImpCasts());
    return !Ref || !refersTo(Other, Ref->getDecl());
  }
  int64_t C = Value.Val.getInt().getExtValue();
  auto Holds = [&](int64_t X) {
    int64_t L = SubjectOnLeft ? X : C, R = SubjectOnLeft ? C : X;
    switch (Opcode) {
    case BO_LT: return L < R;
    case BO_LE: return L <= R;
    case BO_GT: return L > R;
    case BO_GE: return L >= R;
    case BO_EQ: return L == R;
    case BO_NE: return L != R;
    default: return false;
    }
  };
  for (int64_t Positive : {int64_t(1), C, C + 1, C - 1, int64_t(1) << 20})
    if (Positive > 0 && Holds(Positive) != Holds(0))
      return true;
  return false;
}

bool comparisonSeparatesZero(const BinaryOperator *Op, const Expr *Subject, ASTContext &Ctx) {
  if (!Op->isComparisonOp())
    return false;
  bool SubjectOnLeft = Op->getLHS()->IgnoreParenImpCasts() == Subject->IgnoreParenImpCasts();
  return comparisonSeparatesZero(Op->getOpcode(), SubjectOnLeft, Subject,
                                 SubjectOnLeft ? Op->getRHS() : Op->getLHS(), Ctx);
}

/// The comparison a C++20 `std::cmp_*` function makes (`std::cmp_not_equal(n, sizeof h)`).
std::optional<BinaryOperatorKind> safeComparison(const CallExpr *Call) {
  const FunctionDecl *F = Call ? Call->getDirectCallee() : nullptr;
  if (!F || Call->getNumArgs() != 2 || !F->isInStdNamespace() || !F->getIdentifier())
    return std::nullopt;
  return llvm::StringSwitch<std::optional<BinaryOperatorKind>>(F->getName())
      .Case("cmp_equal", BO_EQ)
      .Case("cmp_not_equal", BO_NE)
      .Case("cmp_less", BO_LT)
      .Case("cmp_greater", BO_GT)
      .Case("cmp_less_equal", BO_LE)
      .Case("cmp_greater_equal", BO_GE)
      .Default(std::nullopt);
}

/// How the value of \p E is consumed: true when it separates 0 (a zero-aware comparison, a truth
/// test, a switch) or leaves the function (returned, passed on), false when it is only compared
/// in a way that lumps 0 with data, none when \p E is not tested here at all.
std::optional<bool> useSeparatesZero(const Expr *E, ASTContext &Ctx) {
  const Expr *Child = nullptr;
  DynTypedNode P = meaningfulParent(E, Ctx, &Child);
  if (const auto *Cast = P.get<ImplicitCastExpr>();
      Cast && Cast->getCastKind() == CK_IntegralToBoolean)
    return true;
  if (const auto *Op = P.get<BinaryOperator>()) {
    if (Op->isComparisonOp())
      return comparisonSeparatesZero(Op, Child, Ctx);
    if (Op->isLogicalOp())
      return true; // `n && ...`: a truth test
    return std::nullopt;
  }
  if (const auto *Call = P.get<CallExpr>())
    if (std::optional<BinaryOperatorKind> Opcode = safeComparison(Call)) {
      const bool SubjectOnLeft = Call->getArg(0)->IgnoreParenImpCasts() == Child->IgnoreParenImpCasts();
      return comparisonSeparatesZero(*Opcode, SubjectOnLeft, Child,
                                     Call->getArg(SubjectOnLeft ? 1 : 0), Ctx);
    }
  if (const auto *Not = P.get<UnaryOperator>(); Not && Not->getOpcode() == UO_LNot)
    return true;
  if (P.get<SwitchStmt>() || P.get<ReturnStmt>())
    return true;
  return std::nullopt;
}

bool isLocalVariable(const Expr *E) {
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
  const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  return Var && Var->hasLocalStorage() && !Var->getType()->isReferenceType();
}

/// True when \p Ref is an argument of a call to a function whose body is here and whose
/// corresponding parameter is told apart from 0 there (`return consume_result(got, "fifo");` with
/// `if (n < 0) ... return n != 0;`): the result is handed to the code that handles it.
bool handedToChecker(const CallExpr *Call, const DeclRefExpr *Ref, ASTContext &Ctx) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  const FunctionDecl *Definition = nullptr;
  if (!Callee || isa<CXXOperatorCallExpr>(Call) || !Callee->hasBody(Definition))
    return false;
  for (unsigned I = 0; I < Call->getNumArgs() && I < Definition->getNumParams(); ++I) {
    if (Call->getArg(I)->IgnoreParenImpCasts() != Ref)
      continue;
    const ParmVarDecl *Param = Definition->getParamDecl(I);
    if (findDescendant(Definition->getBody(), [&](const Stmt *S) {
          const auto *Use = dyn_cast<DeclRefExpr>(S);
          return Use && Use->getDecl() == Param && useSeparatesZero(Use, Ctx).value_or(false);
        }))
      return true;
  }
  return false;
}

} // namespace

bool isResultDiscarded(const Expr *Call, ASTContext &Ctx) {
  const Expr *Child = nullptr;
  DynTypedNode P = meaningfulParent(Call, Ctx, &Child);
  if (P.get<CompoundStmt>() || P.get<CaseStmt>() || P.get<DefaultStmt>() || P.get<LabelStmt>())
    return true;
  if (const auto *Cast = P.get<ExplicitCastExpr>())
    return Cast->getType()->isVoidType();
  if (const auto *Comma = P.get<BinaryOperator>(); Comma && Comma->getOpcode() == BO_Comma)
    return Comma->getLHS()->IgnoreParenImpCasts() == Child->IgnoreParenImpCasts();
  if (const auto *If = P.get<IfStmt>())
    return If->getThen() == Child || If->getElse() == Child;
  if (const auto *While = P.get<WhileStmt>())
    return While->getBody() == Child;
  if (const auto *For = P.get<ForStmt>())
    return For->getBody() == Child || For->getInc() == Child;
  if (const auto *Range = P.get<CXXForRangeStmt>())
    return Range->getBody() == Child;
  if (const auto *Do = P.get<DoStmt>())
    return Do->getBody() == Child;
  return false;
}

bool endOfStreamDistinguished(const CallExpr *Call, ASTContext &Ctx) {
  const Expr *Child = nullptr;
  DynTypedNode P = meaningfulParent(Call, Ctx, &Child);
  const VarDecl *Result = nullptr;
  bool Separated = false;
  if (const auto *Var = P.get<VarDecl>()) {
    Result = Var;
  } else if (const auto *Assign = P.get<BinaryOperator>(); Assign && Assign->isAssignmentOp()) {
    if (!isLocalVariable(Assign->getLHS()))
      return true; // stored into a member or through a pointer: someone else decides
    Result = cast<VarDecl>(cast<DeclRefExpr>(Assign->getLHS()->IgnoreParenImpCasts())->getDecl());
    // `while ((n = read(...)) > 0)`: the assignment's value is tested too.
    if (std::optional<bool> Tested = useSeparatesZero(Assign, Ctx))
      Separated |= *Tested;
    // `got += read(...)`: the result is added before anything can test it; 0 adds nothing
    // (a loop on `got` spins) and -1 subtracts.
    if (Assign->isCompoundAssignmentOp())
      return Separated;
  } else {
    return useSeparatesZero(Call, Ctx).value_or(true); // passed straight to something else
  }
  if (!Result->hasLocalStorage() || Result->getType()->isReferenceType())
    return true;

  // Every use of the variable in the function that holds it.
  const DeclContext *DC = Result->getParentFunctionOrMethod();
  const auto *Fn = dyn_cast_or_null<FunctionDecl>(DC);
  if (!Fn || !Fn->getBody())
    return true;
  return Separated || findDescendant(Fn->getBody(), [&](const Stmt *S) {
           const auto *Ref = dyn_cast<DeclRefExpr>(S);
           if (!Ref || Ref->getDecl() != Result)
             return false;
           DynTypedNode Use = meaningfulParent(Ref, Ctx);
           if (const auto *Assign = Use.get<BinaryOperator>();
               Assign && Assign->isAssignmentOp() &&
               Assign->getRHS()->IgnoreParenImpCasts() == Ref && !isLocalVariable(Assign->getLHS()))
             return true; // copied out to a member or out-parameter
           if (const auto *Call = Use.get<CallExpr>(); Call && handedToChecker(Call, Ref, Ctx))
             return true;
           return useSeparatesZero(Ref, Ctx).value_or(false);
         });
}

bool freadTestedOnlyForZero(const CallExpr *Call, ASTContext &Ctx) {
  if (Call->getNumArgs() < 3)
    return false;
  Expr::EvalResult Count;
  if (Call->getArg(2)->EvaluateAsInt(Count, Ctx) && Count.Val.getInt() == 1)
    return false;
  const Expr *Child = nullptr;
  DynTypedNode P = meaningfulParent(Call, Ctx, &Child);
  if (const auto *Cast = P.get<ImplicitCastExpr>())
    return Cast->getCastKind() == CK_IntegralToBoolean;
  if (const auto *Not = P.get<UnaryOperator>())
    return Not->getOpcode() == UO_LNot;
  if (const auto *Op = P.get<BinaryOperator>();
      Op && (Op->getOpcode() == BO_NE || Op->getOpcode() == BO_GT || Op->getOpcode() == BO_EQ)) {
    const Expr *Other = Op->getLHS()->IgnoreParenImpCasts() == Child->IgnoreParenImpCasts()
                            ? Op->getRHS()
                            : Op->getLHS();
    Expr::EvalResult Zero;
    return Other->EvaluateAsInt(Zero, Ctx) && Zero.Val.getInt() == 0;
  }
  return false;
}

} // namespace clang::tidy::errorshield
