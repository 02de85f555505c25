//===--- ErrorShieldCheck.cpp - Base of every ErrorShield check -------------===//

#include "core/ErrorShieldCheck.h"
#include "llvm/ADT/StringExtras.h"

namespace clang::tidy::errorshield {

ErrorShieldCheck::ErrorShieldCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Catalog(loadCatalog(Options.getLocalOrGlobal(ExtraCatalogOption, ""))),
      LimitTraversal(Options.getLocalOrGlobal("ErrorShieldUserCodeTraversal", true) &&
                     !Context->getOptions().SystemHeaders.value_or(false)) {
  if (!Catalog.Problem.empty())
    configurationDiag(Catalog.Problem, DiagnosticIDs::Error);
  if (const Pattern *P = Catalog.Effective->findByCheckName(Name))
    PatternId = P->Id;
  else
    configurationDiag("errorshield: check '%0' has no entry in the catalog") << Name;
}

void ErrorShieldCheck::registerMatchers(ast_matchers::MatchFinder *Finder) {
  if (LimitTraversal)
    Scope.registerOn(*Finder);
  registerCheckMatchers(Finder);
}

std::string ErrorShieldCheck::catalogDefault(StringRef Key) const {
  const Pattern *P = Catalog.Effective->findById(PatternId);
  if (!P)
    return "";
  auto It = P->Options.find(Key);
  return It == P->Options.end() ? "" : llvm::join(It->second, ";");
}

std::string ErrorShieldCheck::stringOption(StringRef Key) const {
  return Options.get(Key, catalogDefault(Key)).str();
}

uint64_t ErrorShieldCheck::unsignedOption(StringRef Key, uint64_t Default) const {
  uint64_t Value = 0;
  return StringRef(stringOption(Key)).trim().getAsInteger(10, Value) ? Default : Value;
}

std::vector<std::string> ErrorShieldCheck::listOption(StringRef Key) const {
  const std::string Joined = stringOption(Key);
  SmallVector<StringRef> Parts;
  StringRef(Joined).split(Parts, ';', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  std::vector<std::string> Values;
  for (StringRef Part : Parts)
    if (!Part.trim().empty())
      Values.push_back(Part.trim().str());
  return Values;
}

void ErrorShieldCheck::storeList(ClangTidyOptions::OptionMap &Opts, StringRef Key,
                                 const std::vector<std::string> &Values) const {
  Options.store(Opts, Key, llvm::join(Values, ";"));
}

DiagnosticBuilder ErrorShieldCheck::report(SourceLocation Loc, StringRef Message) {
  return diag(Loc, (Message + " [" + PatternId + "]").str());
}

} // namespace clang::tidy::errorshield
