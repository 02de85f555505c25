//===--- Commands.h - The errorshield subcommands ---------------------------*- C++ -*-===//

#ifndef ERRORSHIELD_TOOLS_COMMANDS_H
#define ERRORSHIELD_TOOLS_COMMANDS_H

#include "Finding.h"
#include "Gate.h"
#include "TuAnalyzer.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Support/CommandLine.h"

namespace errorshield {

class CatalogView;

/// Exit codes, shared by every subcommand that reports findings.
enum ExitCode : int {
  ExitClean = 0,      ///< Nothing gates.
  ExitGating = 1,     ///< At least one gating finding.
  ExitUsage = 2,      ///< Usage or configuration error.
  ExitUnanalysed = 3, ///< A translation unit (or manifest) could not be analysed.
};

/// The subcommands. Options of several files name them, so they are built on first use: a global
/// defined in another file might not be constructed yet when an option registers with it.
llvm::cl::SubCommand &scanCommand();
llvm::cl::SubCommand &mergeCommand();
llvm::cl::SubCommand &manifestsCommand();
llvm::cl::SubCommand &explainCommand();
llvm::cl::SubCommand &graphCommand();
llvm::cl::SubCommand &coverageCommand();

/// \p Fixed: the compile flags given after `--`, if any.
int runScan(std::unique_ptr<clang::tooling::CompilationDatabase> Fixed);
/// Scans like `scan` (its options) into \p R, without reporting; coverage -p uses it.
llvm::Expected<std::vector<TuResult>>
scanInto(Report &R, std::unique_ptr<clang::tooling::CompilationDatabase> Fixed);
/// Whether -p named a compile database (coverage scans only then).
bool buildPathGiven();
int runMerge();
int runManifests();
int runExplain();
int runGraph();
int runCoverage();

/// The report options, read once and before any work is done: a bad --format, --gate, --baseline
/// or --changed-lines is reported before minutes of scanning, and files and `git diff` run once.
struct ReportPlan {
  std::vector<std::string> Formats;
  Gate TheGate;
  std::optional<Report> Baseline;
  std::optional<ChangedLines> Changed;
};

/// The plan, or nothing after saying on stderr what is wrong (exit with ExitUsage).
std::optional<ReportPlan> planReport();

/// Applies the plan's baseline, changed lines and gate to \p R, writes every format, prints the
/// summary on stderr, and returns the exit code. Shared by scan, merge and manifests.
int finishReport(Report &R, const CatalogView &Catalog, const ReportPlan &Plan);

/// Where the documentation pages are, as a URI prefix ending in '/': --docs-base, else the installed
/// docs next to the binary, else the source tree it was built from.
std::string docsBase();

/// The directory report paths are relative to: --source-root, else the current directory.
std::string sourceRoot();

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_COMMANDS_H
