//===--- ErrorShieldCheck.h - Base of every ErrorShield check ----*- C++ -*-===//
//
// Connects a clang-tidy check to its catalog entry: the pattern id every diagnostic carries, and the
// catalog's option lists, which `.clang-tidy` CheckOptions may override per check.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_CORE_ERRORSHIELDCHECK_H
#define ERRORSHIELD_CORE_ERRORSHIELDCHECK_H

#include "core/Catalog.h"
#include "core/UserCodeScope.h"
#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// The global (check-independent) option naming an extra catalog file.
inline constexpr llvm::StringLiteral ExtraCatalogOption = "ErrorShieldExtraCatalog";

class ErrorShieldCheck : public ClangTidyCheck {
public:
  /// Registers the check's matchers, preceded (unless the global option
  /// ErrorShieldUserCodeTraversal is false, or SystemHeaders is set) by the traversal-scope limiter.
  void registerMatchers(ast_matchers::MatchFinder *Finder) final;

protected:
  virtual void registerCheckMatchers(ast_matchers::MatchFinder *Finder) = 0;

  ErrorShieldCheck(StringRef Name, ClangTidyContext *Context);

  /// The option \p Key as a ';'-separated list: `.clang-tidy` if set there, else the catalog's list.
  std::vector<std::string> listOption(StringRef Key) const;
  /// The option \p Key as one string, same precedence.
  std::string stringOption(StringRef Key) const;
  /// The option \p Key as a non-negative integer, same precedence; \p Default when it is not one.
  uint64_t unsignedOption(StringRef Key, uint64_t Default) const;
  /// Writes a list option back in the form listOption() reads.
  void storeList(ClangTidyOptions::OptionMap &Opts, StringRef Key,
                 const std::vector<std::string> &Values) const;

  /// A warning whose message ends with the pattern id, so every finding leads to its catalog entry.
  DiagnosticBuilder report(SourceLocation Loc, StringRef Message);

  StringRef patternId() const { return PatternId; }

  /// False when a finding was already reported at \p Loc: code in a template is seen once per
  /// instantiation, but reported once.
  bool firstReportAt(SourceLocation Loc) { return ReportedAt.insert(Loc.getRawEncoding()).second; }
  /// True when a finding was already reported at \p Loc.
  bool reportedAt(SourceLocation Loc) const { return ReportedAt.contains(Loc.getRawEncoding()); }

private:
  std::string catalogDefault(StringRef Key) const;

  LoadedCatalog Catalog;
  UserCodeScope Scope;
  bool LimitTraversal;
  std::string PatternId;
  llvm::DenseSet<SourceLocation::UIntTy> ReportedAt;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_CORE_ERRORSHIELDCHECK_H
