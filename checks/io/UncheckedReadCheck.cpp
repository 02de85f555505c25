//===--- UncheckedReadCheck.cpp - errorshield-unchecked-read ----===//

#include "io/UncheckedReadCheck.h"
#include "core/Matchers.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

UncheckedReadCheck::UncheckedReadCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context) {}

void UncheckedReadCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {}

void UncheckedReadCheck::registerMatchers(MatchFinder *Finder) {
  // Named sub-matchers go here; the lists they use come from listOption("...").
}

void UncheckedReadCheck::check(const MatchFinder::MatchResult &Result) {}

} // namespace clang::tidy::errorshield
