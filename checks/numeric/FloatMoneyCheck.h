//===--- FloatMoneyCheck.h - errorshield-float-money ------------*- C++ -*-===//

#ifndef ERRORSHIELD_NUMERIC_FLOATMONEYCHECK_H
#define ERRORSHIELD_NUMERIC_FLOATMONEYCHECK_H

#include "core/ErrorShieldCheck.h"
#include "numeric/MoneyLexicon.h"

namespace clang::tidy::errorshield {

/// Finds money carried in binary floating point: float/double declarations named like money,
/// decimal or money types constructed from a double, and JSON money fields read as a double.
///
/// For the user-facing documentation see: docs/checks/errorshield-float-money.md
class FloatMoneyCheck : public ErrorShieldCheck {
public:
  FloatMoneyCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  void suggestAlternative(SourceLocation Loc);
  /// Money computed with in floating point (FloatMoneyFlow.cpp): integer money converted to it,
  /// floating-point money copied into a plainly named variable, scaled and truncated.
  void registerFlowMatchers(ast_matchers::MatchFinder *Finder);
  /// Where the floating-point result of such a computation lands.
  void reportScaled(const ast_matchers::MatchFinder::MatchResult &Result,
                    const BinaryOperator *Scaled);
  void reportConversion(const ast_matchers::MatchFinder::MatchResult &Result,
                        const Expr *Converted);

  const std::vector<std::string> StrongMoneyWords;
  const std::vector<std::string> WeakMoneyWords;
  const std::vector<std::string> CurrencyCodes;
  const std::vector<std::string> MoneyRecordWords;
  const std::vector<std::string> NonMoneyWords;
  const std::vector<std::string> DecimalTypes;
  const std::vector<std::string> DecimalNameWords;
  const std::vector<std::string> DecimalFactories;
  const std::vector<std::string> JsonTypes;
  const std::vector<std::string> JsonReadMethods;
  const std::vector<std::string> MinorUnitWords;
  const std::vector<std::string> PeriodWords;
  const std::vector<std::string> RoundingFunctions;
  const MoneyLexicon Lexicon;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_NUMERIC_FLOATMONEYCHECK_H
