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
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace cl = llvm::cl;

namespace errorshield {

namespace {

cl::list<std::string> Inputs(cl::Positional, cl::OneOrMore, cl::sub(mergeCommand()),
                             cl::desc("<report.sarif>..."));
cl::list<std::string> ManifestPaths(cl::Positional, cl::OneOrMore, cl::sub(manifestsCommand()),
                                    cl::desc("<file or directory>..."));

} // namespace

int runMerge() {
  if (int Exit = checkReportOptions())
    return Exit;
  Report Merged;
  llvm::StringSet<> Seen;
  for (const std::string &Input : Inputs) {
    llvm::Expected<Report> Part = readSarif(Input);
    if (!Part) {
      llvm::errs() << "errorshield: " << llvm::toString(Part.takeError()) << "\n";
      return ExitUsage;
    }
    if (Merged.ToolVersion.empty())
      Merged.ToolVersion = Part->ToolVersion;
    // Shards can share headers: a header finding appears in several of them once each.
    for (Finding &F : Part->Findings) {
      std::string Key = F.Fingerprint.empty() ? F.Check + "|" + F.Where.File + "|" +
                                                    std::to_string(F.Where.Line) + "|" + F.Message
                                              : F.Fingerprint;
      if (Seen.insert(Key).second)
        Merged.Findings.push_back(std::move(F));
    }
    std::move(Part->Units.begin(), Part->Units.end(), std::back_inserter(Merged.Units));
  }
  Merged.SourceRoot = sourceRoot();
  Merged.DocsBase = docsBase();
  sortAndDeduplicate(Merged.Findings);
  std::sort(Merged.Units.begin(), Merged.Units.end(),
            [](const Unit &A, const Unit &B) { return A.File < B.File; });
  return finishReport(Merged, CatalogView::builtin());
}

int runManifests() {
  if (int Exit = checkReportOptions())
    return Exit;
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
    llvm::SmallString<256> Abs(P);
    llvm::sys::fs::make_absolute(Abs);
    llvm::sys::path::remove_dots(Abs, true);
    Paths.push_back(std::string(Abs));
  }
  lintManifests(Paths, ManifestRules::fromCatalog(Catalog), Catalog, R);
  sortAndDeduplicate(R.Findings);
  assignFingerprints(R.Findings, R.SourceRoot);
  return finishReport(R, Catalog);
}

} // namespace errorshield
