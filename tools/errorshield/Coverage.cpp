//===--- Coverage.cpp - errorshield coverage ----------------------------------===//
//
// For every catalog pattern: is there a registered check, are there lit tests with positives,
// negatives and (for checks with fix-its) an applied fix, a docs page and examples? A pattern missing
// any of them fails the command, so a half-added check cannot land. With -p, it also scans a project
// and tells which patterns were found where.
//
//===----------------------------------------------------------------------===//

#include "CatalogView.h"
#include "Commands.h"
#include "FindingBuilder.h"
#include "clang-tidy/ClangTidyModule.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include <map>

namespace cl = llvm::cl;

namespace errorshield {

namespace {

cl::opt<std::string> Repository("repo", cl::sub(coverageCommand()),
                                cl::desc("The ErrorShield source tree (default: the one this "
                                         "binary was built from)"),
                                cl::init(ERRORSHIELD_SOURCE_DIR));

/// What the tests of one pattern exercise.
struct TestEvidence {
  bool Positive = false, Negative = false, FixIt = false;
};

void scanTestFile(llvm::StringRef Path, TestEvidence &E) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path);
  if (!Buffer)
    return;
  llvm::StringRef Text = (*Buffer)->getBuffer();
  static const llvm::Regex PinnedWarning("CHECK[-A-Za-z0-9]*:.*warning:");
  // A labelled realistic case (test/eval) marks its expected findings in comments.
  E.Positive |= PinnedWarning.match(Text) || Text.contains("// expect:") ||
                Text.contains("EXPECT:");
  // Every line not pinned is a negative once unexpected output fails the test.
  E.Negative |= Text.contains("implicit-check-not") || Text.contains("--allow-empty") ||
                Text.contains("// ok:");
  E.FixIt |= Text.contains("--fix");
}

TestEvidence evidence(const PatternInfo &P, llvm::StringRef Root, std::vector<std::string> &Missing) {
  TestEvidence E;
  for (const std::string &Test : P.Tests) {
    llvm::SmallString<256> Path(Root);
    llvm::sys::path::append(Path, Test);
    if (!llvm::sys::fs::exists(Path)) {
      Missing.push_back("test " + Test);
      continue;
    }
    if (!llvm::sys::fs::is_directory(Path)) {
      scanTestFile(Path, E);
      continue;
    }
    std::error_code EC;
    for (llvm::sys::fs::recursive_directory_iterator It(Path, EC), End; It != End && !EC;
         It.increment(EC))
      if (llvm::sys::fs::is_regular_file(It->path()))
        scanTestFile(It->path(), E);
  }
  return E;
}

bool exists(llvm::StringRef Root, llvm::StringRef Relative) {
  llvm::SmallString<256> Path(Root);
  llvm::sys::path::append(Path, Relative);
  return !Relative.empty() && llvm::sys::fs::exists(Path);
}

const char *mark(bool Ok) { return Ok ? "yes" : "NO"; }

} // namespace

int runCoverage() {
  const CatalogView &Catalog = CatalogView::builtin();
  clang::tidy::ClangTidyCheckFactories Factories;
  for (const auto &Module : clang::tidy::ClangTidyModuleRegistry::entries())
    Module.instantiate()->addCheckFactories(Factories);

  llvm::raw_ostream &OS = llvm::outs();
  OS << llvm::formatv("{0,-22} {1,-38} {2,-7} {3,-8} {4,-8} {5,-7} {6,-5} {7}\n", "pattern",
                      "check", "check", "positive", "negative", "fix-it", "docs", "examples");
  unsigned Incomplete = 0;
  for (const PatternInfo &P : Catalog.patterns()) {
    std::vector<std::string> Missing;
    bool Registered = P.Engine == "manifests" ? true : llvm::any_of(Factories, [&](const auto &F) { return F.getKey() == P.Check; });
    TestEvidence E = evidence(P, Repository, Missing);
    bool Docs = exists(Repository, P.HelpUri);
    bool Examples = exists(Repository, P.ExampleBad) && exists(Repository, P.ExampleGood);
    if (!Registered)
      Missing.push_back("registered check");
    if (!E.Positive)
      Missing.push_back("a positive test");
    if (!E.Negative)
      Missing.push_back("a negative test");
    if (P.FixIt && !E.FixIt)
      Missing.push_back("a test applying the fix-its");
    if (!Docs)
      Missing.push_back("docs page " + P.HelpUri);
    if (!Examples)
      Missing.push_back("BAD/GOOD examples");
    OS << llvm::formatv("{0,-22} {1,-38} {2,-7} {3,-8} {4,-8} {5,-7} {6,-5} {7}\n", P.Id, P.Check,
                        P.Engine == "manifests" ? "runner" : mark(Registered), mark(E.Positive),
                        mark(E.Negative), P.FixIt ? mark(E.FixIt) : "n/a", mark(Docs),
                        mark(Examples));
    for (const std::string &M : Missing)
      OS << "    missing: " << M << "\n";
    Incomplete += !Missing.empty();
  }
  OS << "errorshield coverage: " << Catalog.patterns().size() - Incomplete << "/"
     << Catalog.patterns().size() << " patterns complete\n";

  int Exit = Incomplete ? ExitGating : ExitClean;
  if (!buildPathGiven())
    return Exit;

  Report R;
  llvm::Expected<std::vector<TuResult>> Results = scanInto(R, nullptr);
  if (!Results) {
    llvm::errs() << "errorshield: " << llvm::toString(Results.takeError()) << "\n";
    return ExitUsage;
  }
  std::map<std::string, std::vector<const Finding *>> Found;
  for (const Finding &F : R.Findings)
    Found[F.PatternId.empty() ? F.Check : F.PatternId].push_back(&F);
  OS << "\nPatterns found in the scanned project (" << R.Units.size() << " unit(s)):\n";
  for (const PatternInfo &P : Catalog.patterns()) {
    auto It = Found.find(P.Id);
    OS << llvm::formatv("  {0,-22} {1,-38} {2} finding(s)\n", P.Id, P.Check,
                        It == Found.end() ? 0 : It->second.size());
    if (It != Found.end())
      for (const Finding *F : It->second)
        OS << "      " << relativePath(F->Where.File, R.SourceRoot) << ":" << F->Where.Line << ":"
           << F->Where.Column << "\n";
  }
  if (llvm::any_of(R.Units, [](const Unit &U) { return !U.Analysed; }))
    return ExitUnanalysed;
  return Exit;
}

} // namespace errorshield
