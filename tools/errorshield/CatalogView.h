//===--- CatalogView.h - The knowledge graph as reports need it ---------*- C++ -*-===//
//
// The checks read only names and options from the catalog (checks/core/Catalog.h). Reports, explain,
// graph and coverage need the rest of each entry: texts, examples, precision, tags, relationships.
// This view parses the same bundled JSON the module is compiled with, so both always agree.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_TOOLS_CATALOGVIEW_H
#define ERRORSHIELD_TOOLS_CATALOGVIEW_H

#include "llvm/Support/JSON.h"
#include <string>
#include <vector>

namespace errorshield {

struct Finding;

struct Relation {
  std::string Target;   ///< A pattern id (ES-...) or a consequence id (CQ-...).
  std::string Relation; ///< causes, often-co-occurs, same-root-cause, related.
  std::string Kind;     ///< The SARIF relationship kind: willPrecede, canPrecede, relevant.
};

struct PatternInfo {
  std::string Id, Check, ShortText, FullText, HelpUri, Level;
  std::string Category, Precision, Seed, Trigger, Context, Consequence;
  std::string FixText, FixBad, FixGood;
  std::string ExampleBad, ExampleGood; ///< Repository paths, may be empty.
  /// "clang-tidy" for a check of the module, "manifests" for the Kubernetes manifest lint.
  std::string Engine;
  bool FixIt = false; ///< The check offers fix-its (coverage then wants a --fix test).
  std::vector<std::string> Tags, Cwe, Tests;
  std::vector<Relation> Relations;
  const llvm::json::Object *Raw = nullptr; ///< The entry itself (a SARIF reportingDescriptor).
};

struct ConsequenceInfo {
  std::string Id, Name, Description;
  std::vector<std::string> Cwe;
};

class CatalogView {
public:
  /// The catalog bundled into this binary.
  static const CatalogView &builtin();

  const PatternInfo *byCheck(llvm::StringRef Check) const;
  const PatternInfo *byId(llvm::StringRef Id) const;
  /// A pattern id, a check name, or a check name without the errorshield- prefix.
  const PatternInfo *lookup(llvm::StringRef IdOrName) const;
  const ConsequenceInfo *consequence(llvm::StringRef Id) const;
  /// The pattern a finding belongs to: by its check, else by its pattern id (a SARIF file read back
  /// may carry only the id); null for checks outside the catalog.
  const PatternInfo *patternOf(const Finding &F) const;

  const std::vector<PatternInfo> &patterns() const { return Patterns; }
  const std::vector<ConsequenceInfo> &consequences() const { return Consequences; }

  /// SARIF precision ordering: low < medium < high < very-high; unknown names rank below low.
  static int precisionRank(llvm::StringRef Precision);
  /// SARIF level ordering: none < note < warning < error.
  static int levelRank(llvm::StringRef Level);

private:
  explicit CatalogView(llvm::json::Value Json);
  llvm::json::Value Json;
  std::vector<PatternInfo> Patterns;
  std::vector<ConsequenceInfo> Consequences;
};

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_CATALOGVIEW_H
