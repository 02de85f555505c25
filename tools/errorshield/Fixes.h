//===--- Fixes.h - --fix and --export-fixes ---------------------------------*- C++ -*-===//

#ifndef ERRORSHIELD_TOOLS_FIXES_H
#define ERRORSHIELD_TOOLS_FIXES_H

#include "Finding.h"
#include "TuAnalyzer.h"
#include "llvm/Support/Error.h"

namespace errorshield {

/// Applies the fix-its of \p Findings to the files on disk, like clang-tidy --fix: an edit that
/// overlaps one already taken is skipped with a message. Returns the number of edits applied.
unsigned applyFixes(const std::vector<Finding> &Findings);

/// Writes the reported findings (each header finding once, baseline findings left out) with their
/// fix-its in clang-tidy's --export-fixes YAML, which clang-apply-replacements reads.
llvm::Error exportFixes(const std::vector<Finding> &Findings, llvm::StringRef Path);

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_FIXES_H
