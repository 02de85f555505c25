//===--- FindingBuilder.h - clang-tidy diagnostics to findings ------------*- C++ -*-===//

#ifndef ERRORSHIELD_TOOLS_FINDINGBUILDER_H
#define ERRORSHIELD_TOOLS_FINDINGBUILDER_H

#include "Finding.h"
#include "TuAnalyzer.h"
#include "llvm/ADT/StringRef.h"

namespace errorshield {

class CatalogView;
class SourceFiles;

/// Appends one finding per check diagnostic of \p TU (compiler diagnostics are the TU's Problem, not
/// findings). Paths are made absolute; positions, excerpts and the enclosing function are filled in.
void appendFindings(const TuResult &TU, const CatalogView &Catalog, SourceFiles &Sources,
                    std::vector<Finding> &Out);

/// The TU's diagnostics that belong to no file: configuration errors (clang-tidy-config).
std::vector<std::string> configProblems(const TuResult &TU);

/// Sorts by file, line, column, check and drops repeats: a finding in a header that several TUs
/// include is reported once.
void sortAndDeduplicate(std::vector<Finding> &Findings);

/// \p Path made absolute against \p Base (the current directory when empty), without `.`/`..`.
std::string absolutePath(llvm::StringRef Path, llvm::StringRef Base = "");

/// \p File relative to \p Root when it lies under it, else unchanged; always with '/' separators.
std::string relativePath(llvm::StringRef File, llvm::StringRef Root);

/// A copy of \p R whose paths are relative to its source root where they lie under it.
Report withRelativePaths(const Report &R);

/// Fills Finding::Fingerprint: a hash of the check, the file relative to \p Root, the reported line
/// with all whitespace removed, the enclosing function and the occurrence number of that
/// combination. Line numbers are deliberately left out, so code moving up or down keeps identities.
void assignFingerprints(std::vector<Finding> &Findings, llvm::StringRef Root);

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_FINDINGBUILDER_H
