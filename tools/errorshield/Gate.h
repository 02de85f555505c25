//===--- Gate.h - Which findings fail the run -----------------------------*- C++ -*-===//

#ifndef ERRORSHIELD_TOOLS_GATE_H
#define ERRORSHIELD_TOOLS_GATE_H

#include "Finding.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include <set>
#include <string>
#include <vector>

namespace errorshield {

class CatalogView;

/// A gate selects findings by their catalog metadata. Each --gate value is a comma-separated list of
/// terms that must all hold; a finding gates when any --gate value selects it. Terms:
///   level>=warning | level=error       (none < note < warning < error)
///   precision>=high | precision=medium (low < medium < high < very-high; checks outside the
///                                       catalog have no precision and fail precision terms)
///   category=websocket  tag=security  check=errorshield-ws-*  pattern=ES-WS-*   (globs allowed)
///   all | none
class Gate {
public:
  static constexpr const char *Default = "level>=warning,precision>=high";
  static llvm::Expected<Gate> parse(const std::vector<std::string> &Values);
  bool selects(const Finding &F, const CatalogView &Catalog) const;

private:
  struct Term {
    std::string Field, Op, Value;
  };
  std::vector<std::vector<Term>> Alternatives;
};

/// The lines a change touched, from a unified diff (a file) or a git range ("main..HEAD",
/// "origin/main...", any `git diff` revision argument), like clang-tidy-diff.
class ChangedLines {
public:
  /// Paths in the diff are resolved against \p Root (for a git range: the repository's top level).
  static llvm::Expected<ChangedLines> load(llvm::StringRef DiffOrRange, llvm::StringRef Root);
  /// Added lines of a unified diff; \p GitPrefixes: the new side is always named "b/<path>".
  static ChangedLines parseDiff(llvm::StringRef Diff, llvm::StringRef Root, bool GitPrefixes);
  bool contains(llvm::StringRef AbsoluteFile, unsigned Line) const;
  size_t fileCount() const { return Lines.size(); }

private:
  llvm::StringMap<std::set<unsigned>> Lines;
};

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_GATE_H
