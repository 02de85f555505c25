//===--- FloatMoneyFlow.cpp - errorshield-float-money: money computed with ===//
//
// Form 5 of the check (as its docs number them). A name-based check sees `double price`; it does
// not see the plainly named variables money flows into (`double remaining = balance_cents / 100.0`,
// `const double unit = tier.price * 0.9`, `total += line.price`), nor integer money truncated after
// a floating-point scaling (`static_cast<int64_t>(price_cents * ratio)`). Each is reported where
// the value lands; ratios of money to money (`fee_cents / (double)gross_cents`) are not money.
//
//===----------------------------------------------------------------------===//

#include "numeric/FloatMoneyCheck.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "numeric/MoneyMatchers.h"
#include "clang/AST/ASTContext.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {
namespace {

/// Integer money converted to floating point somewhere in the expression (not inside a call), and
/// the result still an amount.
AST_MATCHER_P(Expr, makesIntegerMoneyFloating, const MoneyLexicon *, Lexicon) {
  const ASTContext &Ctx = Finder->getASTContext();
  return integerMoneyMadeFloating(&Node, *Lexicon, Ctx) &&
         moneyDimension(&Node, *Lexicon, Ctx) > 0;
}

/// Floating-point money computed with (`tier.price * 0.9 + kServiceFee`), the result an amount.
AST_MATCHER_P(Expr, computesWithFloatingMoney, const MoneyLexicon *, Lexicon) {
  return floatingMoneyIn(&Node, *Lexicon) &&
         moneyDimension(&Node, *Lexicon, Finder->getASTContext()) > 0;
}

/// The key of `j["revenue"] = ...` names money.
AST_MATCHER_P(Expr, writesMoneyKey, const MoneyLexicon *, Lexicon) {
  const auto *Key = dyn_cast<StringLiteral>(stripConversions(&Node));
  return Key && Key->isOrdinary() &&
         Lexicon->keyIsMoney(Key->getString(),
                             enclosingFunctionDecl(&Node, Finder->getASTContext(),
                                                   /*StopAtLambdas=*/false));
}

/// The literal 100: the scale from major to minor units of most currencies.
AST_MATCHER(Expr, isHundred) {
  const Expr *E = Node.IgnoreParenImpCasts();
  if (const auto *Integer = dyn_cast<IntegerLiteral>(E))
    return Integer->getValue() == 100;
  const auto *Floating = dyn_cast<FloatingLiteral>(E);
  return Floating && Floating->getValueAsApproximateDouble() == 100.0;
}

} // namespace

void FloatMoneyCheck::registerFlowMatchers(MatchFinder *Finder) {
  using namespace matchers;
  const auto InUserCode = unless(isExpansionInSystemHeader());
  const auto MadeFloating = makesIntegerMoneyFloating(&Lexicon);
  const auto Computed = expr(anyOf(MadeFloating, computesWithFloatingMoney(&Lexicon)));
  const auto PlainFloating = allOf(unless(isInstantiated()), hasFloatingPointType(),
                                   namesNeitherMoneyNorRatio(&Lexicon));

  // A plainly named local initialised with money: `double remaining = balance_cents / 100.0;`,
  // `const double unit = tier.price * 0.9;`.
  Finder->addMatcher(
      traverse(TK_AsIs, varDecl(InUserCode, unless(parmVarDecl()), PlainFloating,
                                hasInitializer(expr(Computed).bind("converted")))
                            .bind("holder")),
      this);

  // A plainly named data member or local assigned or accumulating money (`dispute_hold_ =
  // held_minor / 100.0;`, `total += line.price;`), or an element of a data member
  // (`open_by_client_[client] -= credit;`, the state the money is kept in; a local map gathers
  // values reported where they come from): reported at its declaration, once.
  const auto Member = memberExpr(member(fieldDecl(PlainFloating).bind("field")));
  const auto Holder = ignoringParenImpCasts(anyOf(
      Member,
      declRefExpr(
          to(varDecl(hasLocalStorage(), unless(parmVarDecl()), PlainFloating).bind("holder"))),
      cxxOperatorCallExpr(hasOverloadedOperatorName("[]"),
                          hasArgument(0, ignoringParenImpCasts(Member)))));
  Finder->addMatcher(
      traverse(TK_AsIs,
               expr(InUserCode, unless(isInTemplateInstantiation()),
                    anyOf(binaryOperator(hasAnyOperatorName("=", "+=", "-="), hasLHS(Holder),
                                         hasRHS(expr(Computed).bind("converted"))),
                          cxxOperatorCallExpr(hasOverloadedOperatorName("="),
                                              hasArgument(0, Holder),
                                              hasArgument(1, expr(Computed).bind("converted")))))),
      this);

  // A plainly named function whose result is computed from money in floating point:
  // `double quote_session(const Tutor &t, int minutes) { return t.hourly_rate * minutes / 60.0; }`.
  // Only a computation: a returned variable or member is reported where it is declared.
  Finder->addMatcher(
      traverse(TK_AsIs,
               returnStmt(InUserCode, unless(isInTemplateInstantiation()),
                          hasReturnValue(ignoringParenImpCasts(
                              expr(anyOf(binaryOperator(), conditionalOperator()), Computed)
                                  .bind("converted"))),
                          forFunction(functionDecl(returns(realFloatingPointType()),
                                                   namesNeitherMoneyNorRatio(&Lexicon),
                                                   unless(cxxMethodDecl(ofClass(isLambda()))))
                                          .bind("returner")))),
      this);

  // A plainly named value scaled by 100 holds major units when the product meets integer money
  // (`cents += static_cast<std::int64_t>(late_penalty * 100);`): judged in reportScaled.
  Finder->addMatcher(
      traverse(TK_AsIs, binaryOperator(InUserCode, unless(isInTemplateInstantiation()),
                                       hasOperatorName("*"),
                                       hasEitherOperand(ignoringParenImpCasts(expr(isHundred()))),
                                       hasEitherOperand(Holder))
                            .bind("scaled")),
      this);

  // JSON written from integer money: j["revenue"] = item.price.value / 100.0;
  const auto JsonSubscript = cxxOperatorCallExpr(
      hasOverloadedOperatorName("[]"),
      hasArgument(0, hasType(hasUnqualifiedDesugaredType(
                         recordType(hasDeclaration(cxxRecordDecl(hasAnyListedName(JsonTypes))))))),
      hasArgument(1, writesMoneyKey(&Lexicon)));
  Finder->addMatcher(
      traverse(TK_AsIs, cxxOperatorCallExpr(InUserCode, hasOverloadedOperatorName("="),
                                            unless(isInTemplateInstantiation()),
                                            hasArgument(0, ignoringImplicit(JsonSubscript)),
                                            hasArgument(1, expr(MadeFloating).bind("converted")))
                            .bind("jsonWrite")),
      this);

  // Integer money scaled in floating point and truncated:
  // static_cast<int64_t>(price_cents * ratio).
  // (`static_cast<int64_t>(stake * 100)` is not: `stake` is reported where it is declared.)
  Finder->addMatcher(
      traverse(TK_AsIs,
               castExpr(InUserCode, hasCastKind(CK_FloatingToIntegral),
                        unless(isInTemplateInstantiation()),
                        hasSourceExpression(ignoringParenImpCasts(
                            binaryOperator(hasAnyOperatorName("*", "/"), MadeFloating)
                                .bind("converted"))))
                   .bind("truncation")),
      this);
}

/// The plainly named member, local or function a flow matcher bound, if any.
static const NamedDecl *holderOf(const MatchFinder::MatchResult &Result) {
  if (const auto *Field = Result.Nodes.getNodeAs<FieldDecl>("field"))
    return Field;
  if (const auto *Function = Result.Nodes.getNodeAs<FunctionDecl>("returner"))
    return Function;
  return Result.Nodes.getNodeAs<VarDecl>("holder");
}

void FloatMoneyCheck::reportScaled(const MatchFinder::MatchResult &Result,
                                   const BinaryOperator *Scaled) {
  const NamedDecl *Holder = holderOf(Result);
  const std::string Met = integerMoneyMetByScaling(Scaled, Lexicon, RoundingFunctions, *Result.Context);
  if (!Holder || Met.empty() || !firstReportAt(Holder->getLocation()))
    return;
  report(Holder->getLocation(), "'%0' holds money in major units in binary floating point: it is "
                                "scaled by 100 to meet integer money '%1'")
      << Holder->getName() << Met;
  diag(Scaled->getOperatorLoc(), "scaled here", DiagnosticIDs::Note);
  suggestAlternative(Holder->getLocation());
}

void FloatMoneyCheck::reportConversion(const MatchFinder::MatchResult &Result,
                                       const Expr *Converted) {
  const Expr *Money = integerMoneyMadeFloating(Converted, Lexicon, *Result.Context);
  const bool FromInteger = Money != nullptr;
  if (!FromInteger)
    Money = floatingMoneyIn(Converted, Lexicon);
  std::string Name = moneyOperandName(Money, Lexicon);
  SourceLocation Loc = Converted->getExprLoc();
  if (const NamedDecl *Holder = holderOf(Result)) {
    Loc = Holder->getLocation();
    if (!firstReportAt(Loc))
      return; // One finding per variable or member, at the first assignment seen.
    report(Loc, "'%0' %select{holds|returns}3 money computed in binary floating point from "
                "%select{|integer }1'%2'")
        << Holder->getName() << FromInteger << Name << isa<FunctionDecl>(Holder);
  } else if (const auto *Write = Result.Nodes.getNodeAs<CXXOperatorCallExpr>("jsonWrite")) {
    Loc = Money->getBeginLoc(); // the right-hand side begins at a conversion to the JSON type
    const auto *Key = cast<StringLiteral>(
        stripConversions(cast<CXXOperatorCallExpr>(stripConversions(Write->getArg(0)))->getArg(1)));
    report(Loc, "JSON money field '%0' is written as binary floating point from integer '%1'")
        << Key->getString() << Name;
  } else {
    report(Loc, "integer money '%0' is scaled in binary floating point and truncated back to an "
                "integer")
        << Name;
  }
  suggestAlternative(Loc);
}

} // namespace clang::tidy::errorshield
