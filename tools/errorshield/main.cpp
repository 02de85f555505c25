//===--- main.cpp - errorshield: the gating runner ----------------------------===//
//
// One binary, built from the same check objects as the plugin, with clang-tidy's own modules linked
// in, so a scan honours whatever else a project's .clang-tidy enables.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "clang-tidy/ClangTidyForceLinker.h"
#include "clang/Basic/Version.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/TargetSelect.h"

namespace cl = llvm::cl;
using namespace errorshield;

static void printVersion(llvm::raw_ostream &OS) {
  OS << "errorshield " ERRORSHIELD_VERSION " (ErrorShield checks for clang-tidy; "
     << clang::getClangFullVersion() << ")\n";
}

int main(int Argc, const char **Argv) {
  llvm::InitLLVM Init(Argc, Argv);
  llvm::InitializeAllTargetInfos(); // Target-specific flags in compile commands need these.
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmParsers();
  cl::SetVersionPrinter(printVersion);

  // Flags after `--` are a fixed compile command, as with clang-tidy; llvm::cl never sees them.
  std::string FixedError;
  std::unique_ptr<clang::tooling::CompilationDatabase> Fixed =
      clang::tooling::FixedCompilationDatabase::loadFromCommandLine(Argc, Argv, FixedError);
  if (!FixedError.empty()) {
    llvm::errs() << "errorshield: " << FixedError << "\n";
    return ExitUsage;
  }
  cl::HideUnrelatedOptions({}); // Hide LLVM's internal flags from --help.
  if (!cl::ParseCommandLineOptions(
          Argc, Argv,
          "ErrorShield: finds the bugs that kill real-time C++ servers.\n\n"
          "  errorshield scan -p build [paths...]   run the checks, report and gate\n"
          "  errorshield merge a.sarif b.sarif ...  combine shard reports\n"
          "  errorshield manifests k8s/             lint Kubernetes manifests\n"
          "  errorshield explain ES-WS-003          a catalog entry, for a person\n"
          "  errorshield graph --format svg         the knowledge graph\n"
          "  errorshield coverage [-p build]        is every pattern checked, tested, documented?\n",
          &llvm::errs()))
    return ExitUsage;

  if (scanCommand())
    return runScan(std::move(Fixed));
  if (Fixed) {
    llvm::errs() << "errorshield: compile flags after `--` are only for `scan`\n";
    return ExitUsage;
  }
  if (mergeCommand())
    return runMerge();
  if (manifestsCommand())
    return runManifests();
  if (explainCommand())
    return runExplain();
  if (graphCommand())
    return runGraph();
  if (coverageCommand())
    return runCoverage();
  llvm::errs() << "errorshield: name a subcommand: scan, merge, manifests, explain, graph, "
                  "coverage (--help for more)\n";
  return ExitUsage;
}
