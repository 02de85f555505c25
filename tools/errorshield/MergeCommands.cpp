//===--- MergeCommands.cpp - errorshield merge and errorshield manifests ------===//
//
// Both build a Report from something other than a scan (shard SARIF files; Kubernetes YAML) and
// then gate and write it exactly like a scan.
//
//===----------------------------------------------------------------------===//

#include "CatalogView.h"
#include "Commands.h"
#include "FindingBuilder.h"
#include "Manifests.h"
#include "SarifReader.h"
#include "llvm/Support/FileSystem.h"

namespace cl = llvm::cl;

namespace errorshield {

namespace {

cl::list<std::string> Inputs(cl::Positional, cl::OneOrMore, cl::sub(mergeCommand()),
                             cl::desc("<report.sarif>..."));
cl::list<std::string> ManifestPaths(cl::Positional, cl::OneOrMore, cl::sub(manifestsCommand()),
                                    cl::desc("<file or directory>..."));

} // namespace

int runMerge() {
  std::optional<ReportPlan> Plan = planReport();
  if (!Plan)
    return ExitUsage;
  Report Merged;
  for (const std::string &Input : Inputs) {
    llvm::Expected<Report> Part = readSarif(Input);
    if (!Part) {
      llvm::errs() << "errorshield: " << llvm::toString(Part.takeError()) << "\n";
      return ExitUsage;
    }
    if (Merged.ToolVersion.empty())
      Merged.ToolVersion = Part->ToolVersion;
    std::move(Part->Findings.begin(), Part->Findings.end(), std::back_inserter(Merged.Findings));
    std::move(Part->Units.begin(), Part->Units.end(), std::back_inserter(Merged.Units));
  }
  Merged.SourceRoot = sourceRoot();
  Merged.DocsBase = docsBase();
  // Shards can share headers: a header finding appears in several of them, once in the merge. The
  // occurrence numbers inside fingerprints are then counted over the whole set, as a full run does
  // (two shards may each have seen a different one of two identical lines of a header).
  sortAndDeduplicate(Merged.Findings);
  assignFingerprints(Merged.Findings, Merged.SourceRoot);
  std::sort(Merged.Units.begin(), Merged.Units.end(),
            [](const Unit &A, const Unit &B) { return A.File < B.File; });
  return finishReport(Merged, CatalogView::builtin(), *Plan);
}

int runManifests() {
  std::optional<ReportPlan> Plan = planReport();
  if (!Plan)
    return ExitUsage;
  const CatalogView &Catalog = CatalogView::builtin();
  Report R;
  R.ToolVersion = ERRORSHIELD_VERSION;
  R.SourceRoot = sourceRoot();
  R.DocsBase = docsBase();
  // Absolute paths: SARIF URIs and fingerprints must not depend on how a path was spelled.
  std::vector<std::string> Paths;
  for (const std::string &P : ManifestPaths) {
    if (!llvm::sys::fs::exists(P)) {
      llvm::errs() << "errorshield: " << P << ": no such file or directory\n";
      return ExitUsage;
    }
    Paths.push_back(absolutePath(P));
  }
  lintManifests(Paths, ManifestRules::fromCatalog(Catalog), Catalog, R);
  sortAndDeduplicate(R.Findings);
  assignFingerprints(R.Findings, R.SourceRoot);
  return finishReport(R, Catalog, *Plan);
}

} // namespace errorshield
