//===--- UncheckedReadCheck.h - errorshield-unchecked-read ----*- C++ -*-===//

#ifndef ERRORSHIELD_UNCHECKEDREADCHECK_H
#define ERRORSHIELD_UNCHECKEDREADCHECK_H

#include "core/ErrorShieldCheck.h"

namespace clang::tidy::errorshield {

/// For the user-facing documentation see: docs/checks/errorshield-unchecked-read.md
class UncheckedReadCheck : public ErrorShieldCheck {
public:
  UncheckedReadCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_UNCHECKEDREADCHECK_H
