//===--- UnlockedSharedMapCheck.h - errorshield-unlocked-shared-map ----*- C++ -*-===//

#ifndef ERRORSHIELD_UNLOCKEDSHAREDMAPCHECK_H
#define ERRORSHIELD_UNLOCKEDSHAREDMAPCHECK_H

#include "core/ErrorShieldCheck.h"

namespace clang::tidy::errorshield {

/// For the user-facing documentation see: docs/checks/errorshield-unlocked-shared-map.md
class UnlockedSharedMapCheck : public ErrorShieldCheck {
public:
  UnlockedSharedMapCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_UNLOCKEDSHAREDMAPCHECK_H
