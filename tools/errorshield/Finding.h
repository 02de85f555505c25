//===--- Finding.h - What a scan found, independent of any output format --*- C++ -*-===//
//
// Every producer (the in-process clang-tidy run, the manifests lint, a SARIF file read back for a
// baseline or a merge) fills these structs, and every report format reads only them. That is what
// makes shard + merge equal a full run: the SARIF writer and reader round-trip this model.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_TOOLS_FINDING_H
#define ERRORSHIELD_TOOLS_FINDING_H

#include <string>
#include <vector>

namespace errorshield {

/// A position in a source file. Lines and columns are 1-based; Column counts bytes like clang.
struct SourcePoint {
  std::string File; ///< As the scan saw it: absolute, or relative to the source root once reported.
  unsigned Line = 0;
  unsigned Column = 0;
};

/// One edit of a fix-it, as a byte range of one file.
struct Edit {
  std::string File;
  unsigned Offset = 0;
  unsigned Length = 0;
  SourcePoint Start, End; ///< The same range as lines/columns (SARIF wants those).
  std::string Replacement;
};

struct Note {
  SourcePoint Where;
  std::string Message;
};

struct Finding {
  std::string Check;     ///< clang-tidy check name, e.g. errorshield-ws-timeouts.
  std::string PatternId; ///< Catalog id (ES-...); empty for checks outside the catalog.
  std::string Level;     ///< SARIF level: error, warning, note.
  std::string Message;   ///< As the check wrote it (ErrorShield appends " [ES-...]").
  SourcePoint Where;
  unsigned Offset = 0;      ///< Byte offset of Where in its file, when known.
  std::string Function;     ///< Qualified name of the enclosing function, "" at namespace scope.
  std::string SourceLine;   ///< The text of the reported line, for excerpts and fingerprints.
  std::string Excerpt;      ///< A few lines around the finding (SARIF contextRegion snippet).
  unsigned ExcerptFirstLine = 0;
  std::string Fingerprint;  ///< partialFingerprints["errorshield/v1"].
  std::vector<Note> Notes;
  std::vector<Edit> Fixes;
  bool Gating = false;     ///< Selected by --gate (and not in the baseline, on a changed line).
  bool InBaseline = false; ///< Matched a finding of --baseline.
};

/// One translation unit (or manifest file) the scan looked at.
struct Unit {
  std::string File;
  bool Analysed = true;  ///< false: it could not be parsed/read; Problem says why.
  std::string Problem;
  double Seconds = 0;
  size_t PeakRssBytes = 0; ///< Peak resident memory of the worker process when the unit finished.
};

struct Report {
  std::vector<Finding> Findings;
  std::vector<Unit> Units;
  std::string SourceRoot; ///< Absolute directory that report paths are relative to.
  /// Prefix that turns a catalog helpUri (docs/checks/<check>.md) into a link; ends with '/'.
  std::string DocsBase;
  std::string ToolVersion;
  /// Configuration problems (clang-tidy-config diagnostics: a malformed .clang-tidy or extra
  /// catalog). The scan goes on with the built-in catalog, and the run exits 2.
  std::vector<std::string> ConfigProblems;
  unsigned BaselineMatched = 0;    ///< Findings dropped because --baseline has them.
  unsigned OutsideChangedLines = 0; ///< Findings kept but not gating: not on a --changed-lines line.
};

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_FINDING_H
