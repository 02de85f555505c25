//===--- MoneyLexicon.cpp - Does a name talk about money? -----------------===//

#include "numeric/MoneyLexicon.h"
#include "clang/AST/DeclCXX.h"
#include "llvm/ADT/StringExtras.h"
#include <algorithm>

namespace clang::tidy::errorshield {

llvm::SmallVector<std::string, 6> splitIdentifierWords(StringRef Name) {
  llvm::SmallVector<std::string, 6> Words;
  std::string Current;
  auto Flush = [&] {
    if (!Current.empty())
      Words.push_back(llvm::StringRef(Current).lower());
    Current.clear();
  };
  for (size_t I = 0; I < Name.size(); ++I) {
    char C = Name[I];
    if (!llvm::isAlnum(C)) {
      Flush();
      continue;
    }
    if (!Current.empty()) {
      char Prev = Name[I - 1];
      bool NextIsLower = I + 1 < Name.size() && llvm::isLower(Name[I + 1]);
      if (llvm::isDigit(C) != llvm::isDigit(Prev) ||                   // order2 -> order, 2
          (llvm::isLower(Prev) && llvm::isUpper(C)) ||          // orderPrice -> order, price
          (llvm::isUpper(Prev) && llvm::isUpper(C) && NextIsLower)) // USDPrice -> usd, price
        Flush();
    }
    Current.push_back(C);
  }
  Flush();
  return Words;
}

static llvm::StringSet<> lowercaseSet(const std::vector<std::string> &Words) {
  llvm::StringSet<> Set;
  for (const std::string &W : Words)
    Set.insert(StringRef(W).lower());
  return Set;
}

MoneyLexicon::MoneyLexicon(const std::vector<std::string> &StrongWords,
                           const std::vector<std::string> &WeakWords,
                           const std::vector<std::string> &CurrencyCodes,
                           const std::vector<std::string> &MoneyRecordWords,
                           const std::vector<std::string> &NonMoneyWords,
                           const std::vector<std::string> &MinorUnitWords,
                           const std::vector<std::string> &PeriodWords)
    : Strong(lowercaseSet(StrongWords)), Weak(lowercaseSet(WeakWords)),
      Currency(lowercaseSet(CurrencyCodes)), RecordWords(lowercaseSet(MoneyRecordWords)),
      NonMoney(lowercaseSet(NonMoneyWords)), MinorUnits(lowercaseSet(MinorUnitWords)),
      Periods(lowercaseSet(PeriodWords)) {}

bool MoneyLexicon::hasWord(StringRef Name, const llvm::StringSet<> &Words, bool HeadOnly) const {
  llvm::SmallVector<std::string, 6> Split = splitIdentifierWords(Name);
  // In `state_of_charge` or `share_of_revenue` the head is the word before "of": what follows
  // says what it is the state or share of, not that it is money (`cost_of_goods` still is).
  if (const auto *Of = llvm::find(Split, "of");
      HeadOnly && Of != Split.begin() && Of != Split.end())
    Split.erase(Of, Split.end());
  for (size_t I = 0; I < Split.size(); ++I) {
    StringRef Word(Split[I]);
    if (Periods.contains(Word) && I + 1 < Split.size() &&
        (Split[I + 1] == "rate" || Split[I + 1] == "rates")) {
      if (&Words == &Strong)
        return true;
      ++I; // neither word is read alone: the rate is not a ratio
      continue;
    }
    // Plurals: prices, fees, taxes.
    if (Words.contains(Word) || (Word.ends_with("s") && Words.contains(Word.drop_back(1))) ||
        (Word.ends_with("es") && Words.contains(Word.drop_back(2))))
      return true;
  }
  return false;
}

// A word that says "not money" counts anywhere: `cost_of_capital_rate` is a rate.
bool MoneyLexicon::hasNonMoneyWord(StringRef Name) const {
  return hasWord(Name, NonMoney, /*HeadOnly=*/false);
}

bool MoneyLexicon::isStrong(StringRef Name) const {
  return !hasNonMoneyWord(Name) && hasWord(Name, Strong);
}

bool MoneyLexicon::givesMoneyContext(StringRef Name) const {
  return !hasNonMoneyWord(Name) && (hasWord(Name, Strong) || hasWord(Name, Currency));
}

bool MoneyLexicon::isMinorUnits(StringRef Name) const {
  return !hasNonMoneyWord(Name) && hasWord(Name, MinorUnits);
}

bool MoneyLexicon::isWeak(StringRef Name) const {
  return !hasNonMoneyWord(Name) && hasWord(Name, Weak);
}

bool MoneyLexicon::isMoneyScale(StringRef Name) const {
  llvm::SmallVector<std::string, 6> Words = splitIdentifierWords(Name);
  auto *Per = llvm::find(Words, "per");
  // `price_per_share` is money per share; `cents_per_dollar` is money per money.
  return Per != Words.end() && std::any_of(Per + 1, Words.end(), [&](const std::string &W) {
           return hasWord(W, Strong) || hasWord(W, Currency) || hasWord(W, MinorUnits);
         });
}

bool MoneyLexicon::isMoneyRecord(StringRef Name) const {
  return !hasNonMoneyWord(Name) && (hasWord(Name, RecordWords) || hasWord(Name, Strong) ||
                                    hasWord(Name, Currency));
}

bool MoneyLexicon::contextIsMoney(const DeclContext *DC) const {
  for (; DC && !DC->isFileContext(); DC = DC->getParent()) {
    if (const auto *Record = dyn_cast<CXXRecordDecl>(DC)) {
      if (Record->getIdentifier() && isMoneyRecord(Record->getName()))
        return true;
    } else if (const auto *Fn = dyn_cast<FunctionDecl>(DC)) {
      if (Fn->getIdentifier() && givesMoneyContext(Fn->getName()))
        return true;
    }
  }
  return false;
}

bool MoneyLexicon::siblingsAreMoney(const NamedDecl *D) const {
  auto IsStrongSibling = [&](const NamedDecl *Other) {
    return Other != D && Other->getIdentifier() && givesMoneyContext(Other->getName());
  };
  if (const auto *Field = dyn_cast<FieldDecl>(D))
    return llvm::any_of(Field->getParent()->fields(), IsStrongSibling);
  if (const auto *Param = dyn_cast<ParmVarDecl>(D))
    if (const auto *Fn = dyn_cast<FunctionDecl>(Param->getDeclContext()))
      return llvm::any_of(Fn->parameters(), IsStrongSibling);
  // A function's parameters are its siblings too: `double to_local_currency(Cents usd, ...)`.
  if (const auto *Fn = dyn_cast<FunctionDecl>(D))
    return llvm::any_of(Fn->parameters(), IsStrongSibling);
  return false;
}

bool MoneyLexicon::namedForMoneyRecord(const DeclContext *DC, const NamedDecl *D) const {
  // `void ledger_post(const char *lot, double amount)`: the parameters of a function named for a
  // money record (its locals keep needing a money name or context of their own).
  const auto *Fn = dyn_cast_or_null<FunctionDecl>(DC);
  return isa<ParmVarDecl>(D) && Fn && Fn->getIdentifier() && isMoneyRecord(Fn->getName());
}

bool MoneyLexicon::declaresMoney(const NamedDecl *D) const {
  if (!D->getIdentifier())
    return false;
  StringRef Name = D->getName();
  if (isStrong(Name))
    return true;
  return isWeak(Name) && (hasWord(Name, Currency) || contextIsMoney(D->getDeclContext()) ||
                          siblingsAreMoney(D) || namedForMoneyRecord(D->getDeclContext(), D));
}

bool MoneyLexicon::keyIsMoney(StringRef Key, const DeclContext *Context) const {
  return isStrong(Key) || (isWeak(Key) && (hasWord(Key, Currency) || contextIsMoney(Context)));
}

} // namespace clang::tidy::errorshield
