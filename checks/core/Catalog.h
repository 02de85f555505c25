//===--- Catalog.h - The ErrorShield pattern catalog --------------*- C++ -*-===//
//
// The knowledge graph (knowledge-graph/) is bundled at build time and compiled into the module. Checks
// read their names, pattern ids and option lists from it; a user may extend it with an extra catalog
// file named by the global option `ErrorShieldExtraCatalog`.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_CORE_CATALOG_H
#define ERRORSHIELD_CORE_CATALOG_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// What the module needs of one catalog entry. The entry carries much more (trigger, context, fix,
/// relationships); those are for reports and docs and are validated by the schema in the test suite.
struct Pattern {
  std::string Id;        ///< Stable pattern id, e.g. ES-LIFETIME-001.
  std::string CheckName; ///< The clang-tidy check implementing it.
  std::string Level;     ///< SARIF defaultConfiguration.level.
  std::string HelpUri;
  /// Option name -> values. Scalars are stored as a one-element list.
  llvm::StringMap<std::vector<std::string>> Options;
  /// Options given as a single value (not a JSON array): an extra catalog replaces these.
  llvm::StringSet<> ScalarOptions;
};

class Catalog {
public:
  /// Parses a bundled catalog. An extra catalog (\p IsExtra) may name an existing pattern by id alone
  /// to extend its option lists. Errors read "<file>: <JSON pointer>: <problem>".
  static llvm::Expected<Catalog> parse(llvm::StringRef Json, llvm::StringRef FileName,
                                       bool IsExtra);

  /// The catalog compiled into the module.
  static const Catalog &builtin();
  /// Its JSON text, for tools that need more of each entry than the checks do.
  static llvm::StringRef builtinText();

  /// Appends \p Extra's option values to existing patterns and adds its new patterns.
  void extendWith(const Catalog &Extra);

  const Pattern *findByCheckName(llvm::StringRef CheckName) const;
  const Pattern *findById(llvm::StringRef Id) const;
  const std::vector<Pattern> &patterns() const { return Patterns; }

private:
  std::vector<Pattern> Patterns;
};

/// The catalog in force for a check, and the problem with the extra catalog if it could not be used.
struct LoadedCatalog {
  std::shared_ptr<const Catalog> Effective;
  std::string Problem; ///< Empty when the extra catalog (if any) was merged.
};

/// The built-in catalog extended by the file at \p ExtraPath (empty: none). Results are cached per
/// path, so every check of a run shares one parse; a malformed file leaves the built-in catalog in
/// force and reports why.
LoadedCatalog loadCatalog(llvm::StringRef ExtraPath);

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_CORE_CATALOG_H
