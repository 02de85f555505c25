//===--- UnlockedSharedMapCheck.cpp - errorshield-unlocked-shared-map ----===//

#include "concurrency/UnlockedSharedMapCheck.h"
#include "core/Matchers.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

UnlockedSharedMapCheck::UnlockedSharedMapCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context) {}

void UnlockedSharedMapCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {}

void UnlockedSharedMapCheck::registerMatchers(MatchFinder *Finder) {
  // Named sub-matchers go here; the lists they use come from listOption("...").
}

void UnlockedSharedMapCheck::check(const MatchFinder::MatchResult &Result) {}

} // namespace clang::tidy::errorshield
