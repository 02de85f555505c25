//===--- MoneyMatchers.h - Matchers shared by float-money's parts -*- C++ -*-===//
//
// The declaration and type tests that both halves of errorshield-float-money use: the check
// itself (declarations, decimals, JSON reads) and FloatMoneyFlow.cpp (money computed with).
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_NUMERIC_MONEYMATCHERS_H
#define ERRORSHIELD_NUMERIC_MONEYMATCHERS_H

#include "numeric/MoneyConversion.h"
#include "numeric/MoneyLexicon.h"
#include "clang/ASTMatchers/ASTMatchers.h"

namespace clang::tidy::errorshield {

AST_MATCHER(ValueDecl, hasFloatingPointType) {
  return !Node.isInvalidDecl() && carriesFloatingPoint(Node.getType());
}

/// A name that says what the value is not: money (reported as such) or a ratio, a rate.
AST_MATCHER_P(NamedDecl, namesNeitherMoneyNorRatio, const MoneyLexicon *, Lexicon) {
  return Node.getIdentifier() && !Lexicon->declaresMoney(&Node) &&
         !Lexicon->saysNotMoney(Node.getName());
}

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_NUMERIC_MONEYMATCHERS_H
