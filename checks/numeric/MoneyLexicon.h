//===--- MoneyLexicon.h - Does a name talk about money? ---------*- C++ -*-===//
//
// errorshield-float-money decides from names alone whether a floating-point value carries money.
// Names are split into words (camelCase, PascalCase, snake_case, digits) and the words are looked up
// in the catalog's lexicons: a strong word (price, fee, ...) is money on its own, a weak word
// (amount, total, ...) only in a money context.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_NUMERIC_MONEYLEXICON_H
#define ERRORSHIELD_NUMERIC_MONEYLEXICON_H

#include "clang/AST/Decl.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringSet.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// The lowercase words of an identifier: "maxOrderPriceUSD_2" -> max, order, price, usd, 2.
llvm::SmallVector<std::string, 6> splitIdentifierWords(llvm::StringRef Name);

class MoneyLexicon {
public:
  MoneyLexicon(const std::vector<std::string> &StrongWords,
               const std::vector<std::string> &WeakWords,
               const std::vector<std::string> &CurrencyCodes,
               const std::vector<std::string> &MoneyRecordWords,
               const std::vector<std::string> &NonMoneyWords,
               const std::vector<std::string> &MinorUnitWords,
               const std::vector<std::string> &PeriodWords);

  /// The name has a strong money word, and no non-money word.
  bool isStrong(llvm::StringRef Name) const;
  /// The name has a strong money word or a currency code, and no non-money word: around a weak
  /// word (in the same name, an enclosing record or function, a sibling) it makes money.
  bool givesMoneyContext(llvm::StringRef Name) const;
  /// The name has a weak money word, and no non-money word.
  bool isWeak(llvm::StringRef Name) const;
  /// The name says it counts minor units (`raised_minor`), and has no non-money word.
  bool isMinorUnits(llvm::StringRef Name) const;
  /// The name has a non-money word (rate, ratio, latency, ...).
  bool saysNotMoney(llvm::StringRef Name) const { return hasNonMoneyWord(Name); }
  /// The name converts between money units (`kCentsPerDollar`, `micros_per_usd`): a scale.
  bool isMoneyScale(llvm::StringRef Name) const;
  /// A record named like a money-carrying entity (Order, Invoice, ...) or giving money context.
  bool isMoneyRecord(llvm::StringRef Name) const;
  /// \p D is a parameter of a function (\p DC) whose name makes it a money record's function.
  bool namedForMoneyRecord(const clang::DeclContext *DC, const clang::NamedDecl *D) const;

  /// True when \p D's own name makes the value money, given where \p D is declared: a strong name,
  /// or a weak one in a money context (enclosing record or function, sibling fields/parameters).
  bool declaresMoney(const NamedDecl *D) const;
  /// True when a JSON key read inside \p Context (a function) names money.
  bool keyIsMoney(llvm::StringRef Key, const DeclContext *Context) const;

private:
  /// True when a word of \p Name (plurals included) is in \p Words. With \p HeadOnly, the words
  /// after an `of` are not read: the head of `state_of_charge` is `state`. A rate after a period
  /// word (`hourly_rate`, `nightlyRate`) is a price per period: a strong word, not a ratio.
  bool hasWord(llvm::StringRef Name, const llvm::StringSet<> &Words, bool HeadOnly = true) const;
  bool hasNonMoneyWord(llvm::StringRef Name) const;
  /// Enclosing functions and records of \p DC (innermost first) give a money context.
  bool contextIsMoney(const DeclContext *DC) const;
  bool siblingsAreMoney(const NamedDecl *D) const;

  llvm::StringSet<> Strong, Weak, Currency, RecordWords, NonMoney, MinorUnits, Periods;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_NUMERIC_MONEYLEXICON_H
