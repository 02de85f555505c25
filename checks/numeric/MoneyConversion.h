//===--- MoneyConversion.h - Integer money turned into a double -*- C++ -*-===//
//
// Code that holds money correctly as integer minor units still loses it when it converts them to
// binary floating point to compute with: `double remaining = balance_cents / 100.0 - ...`,
// `j["revenue"] = item.price.value / 100.0`, `static_cast<int64_t>(price_cents * ratio)`.
// These helpers find the integer money value whose conversion to floating point feeds such an
// expression, so the check can report where the floating-point result lands.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_NUMERIC_MONEYCONVERSION_H
#define ERRORSHIELD_NUMERIC_MONEYCONVERSION_H

#include "numeric/MoneyLexicon.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/ArrayRef.h"
#include <string>

namespace clang::tidy::errorshield {

/// float/double/long double, or a standard library or Boost template holding one
/// (`std::optional<double>`, `std::map<std::string, double>`, `boost::asio::awaitable<double>`).
bool carriesFloatingPoint(QualType T, unsigned Depth = 0);

/// The integer money operand (`balance_cents`, `item.price.value`, `c.value()` on a `Cents`)
/// converted to floating point somewhere in \p E, or null. Conversions inside calls are not
/// followed: the callee decides what it returns. Constants (`kCentsPerDollar`) are scales, not money.
const Expr *integerMoneyMadeFloating(const Expr *E, const MoneyLexicon &Lexicon,
                                     const ASTContext &Ctx);

/// The integer money in \p E: an integer read through an access path one of whose links is money
/// (`balance_cents`, `item.price.value`), integer arithmetic on it (`unit_price_cents * qty`), or
/// a choice between two amounts; null when there is none.
const Expr *integerMoneyIn(const Expr *E, const MoneyLexicon &Lexicon, const ASTContext &Ctx,
                           unsigned Depth = 0);

/// A plainly named floating-point value scaled by 100 (`late_penalty * 100`) and brought to meet
/// integer money: stored or added into it (`cents += llround(late_penalty * 100)`, through casts
/// and the one-argument \p RoundingFunctions), compared with it, or dividing it
/// (`raised_cents / (goal * 100.0)`). The value holds major units of money. Returns the name of
/// that integer money, or empty.
std::string integerMoneyMetByScaling(const BinaryOperator *Scaled, const MoneyLexicon &Lexicon,
                                     llvm::ArrayRef<std::string> RoundingFunctions,
                                     ASTContext &Ctx);

/// A floating-point money operand of \p E (`price`, `t.fee`, or a local computed from one):
/// a value named like money, not inside a call, or null.
const Expr *floatingMoneyIn(const Expr *E, const MoneyLexicon &Lexicon, unsigned Depth = 0);

/// The power of money in the value of \p E, as in dimensional analysis: `price_cents * qty` is 1
/// (an amount), `deposit_cents / quote_cents` is 0 (a ratio), `1.0 / price` is -1. Sums take the
/// larger power of their sides; calls and constants are plain numbers.
int moneyDimension(const Expr *E, const MoneyLexicon &Lexicon, const ASTContext &Ctx);

/// The name a diagnostic gives \p MoneyOperand: the innermost money-named member or variable.
std::string moneyOperandName(const Expr *MoneyOperand, const MoneyLexicon &Lexicon);

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_NUMERIC_MONEYCONVERSION_H
