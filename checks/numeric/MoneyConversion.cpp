//===--- MoneyConversion.cpp - Integer money turned into a double ---------===//

#include "numeric/MoneyConversion.h"
#include "core/CallNames.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::errorshield {
namespace {

/// The declaration named by one link of an access path: `x`, `.price`, `->value`, `.value()`.
const NamedDecl *linkDecl(const Expr *E) {
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return Ref->getDecl();
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return Member->getMemberDecl();
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E))
    return Call->getMethodDecl();
  return nullptr;
}

const Expr *nextLink(const Expr *E) {
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return Member->getBase()->IgnoreParenImpCasts();
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E))
    return Call->getImplicitObjectArgument()->IgnoreParenImpCasts();
  return nullptr;
}

/// A link names money itself (`balance_cents`, `price`, `raised_minor`), or its object is of a
/// money type (`Cents`, `Price`): the strong words and the minor-unit ones only, a weak one
/// (`value`, `total`) says too little here.
bool linkIsMoney(const Expr *E, const MoneyLexicon &Lexicon) {
  const NamedDecl *D = linkDecl(E);
  if (D && D->getIdentifier() &&
      (Lexicon.isStrong(D->getName()) || Lexicon.isMinorUnits(D->getName())))
    return true;
  const CXXRecordDecl *Record = E->getType().getNonReferenceType()->getAsCXXRecordDecl();
  return Record && Record->getIdentifier() && Lexicon.isStrong(Record->getName());
}

/// A constant is a unit or a scale (`kCentsPerDollar`, `kMicrosPerDollar`), not an amount.
bool isConstant(const Expr *E, const ASTContext &Ctx) {
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
      return Var->getType().isConstQualified() && Var->isUsableInConstantExpressions(Ctx);
  return isa<DeclRefExpr>(E) && isa<EnumConstantDecl>(cast<DeclRefExpr>(E)->getDecl());
}

/// \p E is an integer read through an access path one of whose links is money, or a const local
/// initialized with integer money (`const int64_t high = book.back().amount_cents;`).
bool isIntegerMoney(const Expr *E, const MoneyLexicon &Lexicon, const ASTContext &Ctx,
                    unsigned Depth) {
  E = E->IgnoreParenImpCasts();
  if (!E->getType()->isIntegerType() || E->getType()->isBooleanType() || isConstant(E, Ctx))
    return false;
  for (const Expr *Link = E; Link; Link = nextLink(Link))
    if (linkIsMoney(Link, Lexicon))
      return true;
  const auto *Ref = dyn_cast<DeclRefExpr>(E);
  const auto *Local = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  return Local && Depth < 2 && Local->isLocalVarDecl() && Local->getType().isConstQualified() &&
         Local->getInit() && integerMoneyIn(Local->getInit(), Lexicon, Ctx, Depth + 1);
}

} // namespace

const Expr *integerMoneyIn(const Expr *E, const MoneyLexicon &Lexicon, const ASTContext &Ctx,
                           unsigned Depth) {
  E = E->IgnoreParenImpCasts();
  if (isIntegerMoney(E, Lexicon, Ctx, Depth))
    return E;
  if (const auto *Choice = dyn_cast<ConditionalOperator>(E)) {
    const Expr *True = integerMoneyIn(Choice->getTrueExpr(), Lexicon, Ctx, Depth);
    return True ? True : integerMoneyIn(Choice->getFalseExpr(), Lexicon, Ctx, Depth);
  }
  const auto *Binary = dyn_cast<BinaryOperator>(E);
  if (!Binary || !(Binary->isAdditiveOp() || Binary->isMultiplicativeOp()))
    return nullptr;
  if (const Expr *Found = integerMoneyIn(Binary->getLHS(), Lexicon, Ctx, Depth))
    return Found;
  return integerMoneyIn(Binary->getRHS(), Lexicon, Ctx, Depth);
}

namespace {

/// The first operand that \p Found finds in \p E or its subexpressions, in source order; calls and
/// lambdas are not entered: the callee decides what it returns.
const Expr *firstOperand(const Expr *E, llvm::function_ref<const Expr *(const Expr *)> Found) {
  if (!E)
    return nullptr;
  if (const Expr *Here = Found(E))
    return Here;
  if (isa<CallExpr>(E) || isa<LambdaExpr>(E))
    return nullptr;
  for (const Stmt *Child : E->children())
    if (const Expr *Money = firstOperand(dyn_cast_or_null<Expr>(Child), Found))
      return Money;
  return nullptr;
}

} // namespace

const Expr *integerMoneyMadeFloating(const Expr *E, const MoneyLexicon &Lexicon,
                                     const ASTContext &Ctx) {
  return firstOperand(E, [&](const Expr *Here) -> const Expr * {
    const auto *Cast = dyn_cast<CastExpr>(Here);
    return Cast && Cast->getCastKind() == CK_IntegralToFloating
               ? integerMoneyIn(Cast->getSubExpr(), Lexicon, Ctx)
               : nullptr;
  });
}

/// A floating-point value named like money: `price`, `t.fee`, `kServiceFee`, or a local with a
/// plain name computed from one (`const double unit = tier.price * 0.9;`).
static bool isFloatingMoney(const Expr *E, const MoneyLexicon &Lexicon, unsigned Depth) {
  E = E->IgnoreParenImpCasts();
  if (!E->getType()->isRealFloatingType())
    return false;
  // Not a call's result (`auto late = late_fee(days);`): the function is reported for it.
  const NamedDecl *D = isa<CallExpr>(E) ? nullptr : linkDecl(E);
  if (!D || !D->getIdentifier() || Lexicon.isMoneyScale(D->getName()))
    return false;
  if (Lexicon.declaresMoney(D))
    return true;
  const auto *Local = dyn_cast<VarDecl>(D);
  return Local && Depth < 3 && Local->isLocalVarDecl() && Local->getInit() &&
         !Lexicon.saysNotMoney(Local->getName()) &&
         floatingMoneyIn(Local->getInit(), Lexicon, Depth + 1);
}

const Expr *floatingMoneyIn(const Expr *E, const MoneyLexicon &Lexicon, unsigned Depth) {
  return firstOperand(E, [&](const Expr *Here) {
    return isFloatingMoney(Here, Lexicon, Depth) ? Here->IgnoreParenImpCasts() : nullptr;
  });
}

int moneyDimension(const Expr *E, const MoneyLexicon &Lexicon, const ASTContext &Ctx) {
  // Conversions to the target's type (`j["revenue"] = ...`, `std::optional<double>`) included.
  E = E->IgnoreUnlessSpelledInSource()->IgnoreParenCasts();
  if (isIntegerMoney(E, Lexicon, Ctx, 0) || isFloatingMoney(E, Lexicon, 0))
    return 1;
  if (const auto *Choice = dyn_cast<ConditionalOperator>(E))
    return std::max(moneyDimension(Choice->getTrueExpr(), Lexicon, Ctx),
                    moneyDimension(Choice->getFalseExpr(), Lexicon, Ctx));
  if (const auto *Unary = dyn_cast<UnaryOperator>(E); Unary && Unary->isArithmeticOp())
    return moneyDimension(Unary->getSubExpr(), Lexicon, Ctx);
  const auto *Binary = dyn_cast<BinaryOperator>(E);
  if (!Binary)
    return 0;
  int LHS = moneyDimension(Binary->getLHS(), Lexicon, Ctx);
  int RHS = moneyDimension(Binary->getRHS(), Lexicon, Ctx);
  switch (Binary->getOpcode()) {
  case BO_Mul:
  case BO_MulAssign:
    return LHS + RHS;
  case BO_Div:
  case BO_DivAssign:
    return LHS - RHS;
  case BO_Add:
  case BO_Sub:
  case BO_AddAssign:
  case BO_SubAssign:
  case BO_Assign:
    return std::max(LHS, RHS);
  default: // comparisons, logic, bits: not an amount
    return 0;
  }
}

/// float/double/long double, or a standard library or Boost template holding one
/// (std::optional<double>, std::map<std::string, double>, boost::asio::awaitable<double>).
/// std::chrono durations are times, not money.
bool carriesFloatingPoint(QualType T, unsigned Depth) {
  if (T.isNull()) // e.g. a structured binding of an invalid decomposition
    return false;
  T = T.getNonReferenceType().getCanonicalType();
  if (const auto *Array = dyn_cast<ArrayType>(T.getTypePtr()))
    T = Array->getElementType().getCanonicalType();
  if (T->isRealFloatingType())
    return true;
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(T->getAsCXXRecordDecl());
  // Boost's templates (boost::asio::awaitable, boost::optional) hold what their arguments say, as
  // std's do.
  static const std::vector<std::string> ValueTemplateNamespaces = {"std", "boost"};
  if (!Spec || Depth > 2 || !isInListedNamespace(Spec, ValueTemplateNamespaces))
    return false;
  if (const auto *NS = dyn_cast<NamespaceDecl>(Spec->getDeclContext());
      NS && NS->getName() == "chrono")
    return false;
  for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray())
    if (Arg.getKind() == TemplateArgument::Type && carriesFloatingPoint(Arg.getAsType(), Depth + 1))
      return true;
  return false;
}

std::string moneyOperandName(const Expr *MoneyOperand, const MoneyLexicon &Lexicon) {
  for (const Expr *Link = MoneyOperand->IgnoreParenImpCasts(); Link; Link = nextLink(Link))
    if (const NamedDecl *D = linkDecl(Link); D && linkIsMoney(Link, Lexicon))
      return D->getNameAsString();
  // A local that holds an amount, a weakly named member (`o.amount`) or function: named by itself.
  const Expr *E = MoneyOperand->IgnoreParenImpCasts();
  const NamedDecl *D = linkDecl(E);
  if (const auto *Call = dyn_cast<CallExpr>(E); !D && Call)
    D = Call->getDirectCallee();
  return D ? D->getNameAsString() : "";
}

std::string integerMoneyMetByScaling(const BinaryOperator *Scaled, const MoneyLexicon &Lexicon,
                                     llvm::ArrayRef<std::string> RoundingFunctions,
                                     ASTContext &Ctx) {
  // A rounding call a scaled amount passes through on its way to integer money: llround(x * 100).
  auto IsRounding = [&](const CallExpr *Call) {
    return Call->getNumArgs() == 1 && llvm::is_contained(RoundingFunctions, calleeName(Call));
  };
  auto NameOf = [&](const Expr *Side) -> std::string {
    const Expr *Money = integerMoneyIn(Side, Lexicon, Ctx);
    if (!Money)
      Money = integerMoneyMadeFloating(Side, Lexicon, Ctx); // static_cast<double>(raised_cents)
    return Money ? moneyOperandName(Money, Lexicon) : "";
  };
  const Stmt *Child = Scaled;
  for (int Hops = 0; Hops < 10; ++Hops) {
    DynTypedNodeList Parents = Ctx.getParents(*Child);
    if (Parents.empty())
      return "";
    if (const auto *Var = Parents[0].get<VarDecl>()) // std::int64_t amount_cents = ...;
      return Var->getType()->isIntegerType() && Var->getIdentifier() &&
                     (Lexicon.isStrong(Var->getName()) || Lexicon.isMinorUnits(Var->getName()))
                 ? Var->getNameAsString()
                 : "";
    const auto *Parent = Parents[0].get<Expr>();
    if (!Parent)
      return "";
    if (const auto *Binary = dyn_cast<BinaryOperator>(Parent)) {
      const Expr *Other = Binary->getLHS() == Child ? Binary->getRHS() : Binary->getLHS();
      if (Binary->isAssignmentOp() && Binary->getRHS() != Child)
        return "";
      if (std::string Name = NameOf(Other); !Name.empty() || Binary->isAssignmentOp() ||
                                            Binary->isComparisonOp())
        return Name;
      if (!Binary->isAdditiveOp() && !Binary->isMultiplicativeOp())
        return "";
    } else if (const auto *Call = dyn_cast<CallExpr>(Parent)) {
      if (!IsRounding(Call))
        return "";
    } else if (isa<CXXConstructExpr, InitListExpr>(Parent)) {
      // Money{static_cast<std::int64_t>(x * 100)}: a money type built from it.
      const CXXRecordDecl *Record = Parent->getType()->getAsCXXRecordDecl();
      return Record && Record->getIdentifier() && Lexicon.isStrong(Record->getName())
                 ? Record->getNameAsString()
                 : "";
    } else if (!isa<CastExpr, ParenExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr>(
                   Parent)) {
      return "";
    }
    Child = Parent;
  }
  return "";
}

} // namespace clang::tidy::errorshield
