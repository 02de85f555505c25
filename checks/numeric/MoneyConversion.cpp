//===--- MoneyConversion.cpp - Integer money turned into a double ---------===//

#include "numeric/MoneyConversion.h"
#include "clang/AST/ASTContext.h"
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

const Expr *integerMoneyIn(const Expr *E, const MoneyLexicon &Lexicon, const ASTContext &Ctx,
                           unsigned Depth = 0);

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

/// Integer arithmetic on money stays money: `unit_price_cents * quantity`, and so does a choice
/// between two amounts (`book.empty() ? reserve_cents : best.amount_cents`).
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

} // namespace

const Expr *integerMoneyMadeFloating(const Expr *E, const MoneyLexicon &Lexicon,
                                     const ASTContext &Ctx) {
  if (!E)
    return nullptr;
  if (const auto *Cast = dyn_cast<CastExpr>(E);
      Cast && Cast->getCastKind() == CK_IntegralToFloating)
    if (const Expr *Money = integerMoneyIn(Cast->getSubExpr(), Lexicon, Ctx))
      return Money;
  if (isa<CallExpr>(E) || isa<LambdaExpr>(E))
    return nullptr;
  for (const Stmt *Child : E->children())
    if (const auto *ChildExpr = dyn_cast_or_null<Expr>(Child))
      if (const Expr *Money = integerMoneyMadeFloating(ChildExpr, Lexicon, Ctx))
        return Money;
  return nullptr;
}

std::string moneyOperandName(const Expr *MoneyOperand, const MoneyLexicon &Lexicon) {
  for (const Expr *Link = MoneyOperand->IgnoreParenImpCasts(); Link; Link = nextLink(Link))
    if (const NamedDecl *D = linkDecl(Link); D && linkIsMoney(Link, Lexicon))
      return D->getNameAsString();
  // A local that holds an amount: named by itself.
  if (const auto *Ref = dyn_cast<DeclRefExpr>(MoneyOperand->IgnoreParenImpCasts()))
    return Ref->getDecl()->getNameAsString();
  return "";
}

} // namespace clang::tidy::errorshield
