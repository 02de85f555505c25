//===--- scanCommand().cpp - errorshield scan -----------------------------------===//
//
// Runs the enabled checks on every selected translation unit of a compile database, in parallel, in
// this process, and hands the findings to the shared reporting step.
//
//===----------------------------------------------------------------------===//

#include "CatalogView.h"
#include "Commands.h"
#include "FindingBuilder.h"
#include "Fixes.h"
#include "Progress.h"
#include "SourceFiles.h"
#include "TuAnalyzer.h"
#include "TuSelection.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include <sys/resource.h>

namespace cl = llvm::cl;
using namespace clang::tidy;

namespace errorshield {

namespace {

cl::OptionCategory ScanCategory("Scan options");
cl::opt<std::string> BuildPath("p", cl::sub(scanCommand()), cl::sub(coverageCommand()), cl::cat(ScanCategory),
                               cl::desc("Build directory containing compile_commands.json, or the "
                                        "file itself (or give the flags after --)"));
cl::list<std::string> Paths(cl::Positional, cl::sub(scanCommand()), cl::sub(coverageCommand()), cl::cat(ScanCategory),
                            cl::desc("[files or directories...] (default: every TU)"));
cl::opt<std::string> Checks("checks", cl::sub(scanCommand()), cl::sub(coverageCommand()), cl::cat(ScanCategory),
                            cl::desc("clang-tidy check globs, appended to the configuration's "
                                     "(default configuration: -*,errorshield-*)"));
cl::opt<std::string> Config("config", cl::sub(scanCommand()), cl::sub(coverageCommand()), cl::cat(ScanCategory),
                            cl::desc("Inline YAML/JSON configuration, as clang-tidy --config"));
cl::opt<std::string> ConfigFile("config-file", cl::sub(scanCommand()), cl::sub(coverageCommand()), cl::cat(ScanCategory),
                                cl::desc("A .clang-tidy-format file used instead of the "
                                         ".clang-tidy files found next to the sources"));
cl::opt<std::string> HeaderFilter("header-filter", cl::sub(scanCommand()), cl::sub(coverageCommand()), cl::cat(ScanCategory),
                                  cl::desc("Regex of headers whose findings are shown, as "
                                           "clang-tidy --header-filter"));
cl::opt<bool> SystemHeaders("system-headers", cl::sub(scanCommand()), cl::cat(ScanCategory),
                            cl::desc("Also report findings in system headers"));
cl::list<std::string> ExtraArgs("extra-arg", cl::sub(scanCommand()), cl::sub(coverageCommand()), cl::cat(ScanCategory),
                                cl::desc("Compiler argument to append"));
cl::list<std::string> ExtraArgsBefore("extra-arg-before", cl::sub(scanCommand()),
                                      cl::cat(ScanCategory),
                                      cl::desc("Compiler argument to prepend"));
cl::opt<unsigned> Jobs("j", cl::Prefix, cl::sub(scanCommand()), cl::sub(coverageCommand()), cl::cat(ScanCategory),
                       cl::desc("Parallel workers (default: all cores)"), cl::init(0));
cl::opt<std::string> Shard("shard", cl::sub(scanCommand()), cl::cat(ScanCategory),
                           cl::desc("i/n: analyse only the i-th of n deterministic slices of the "
                                    "TUs (merge the reports with `errorshield merge`)"));
cl::opt<bool> Fix("fix", cl::sub(scanCommand()), cl::cat(ScanCategory),
                  cl::desc("Apply the fix-its of the reported findings"));
cl::opt<std::string> ExportFixes("export-fixes", cl::sub(scanCommand()), cl::cat(ScanCategory),
                                 cl::desc("Write the fix-its as clang-apply-replacements YAML"));
cl::opt<SkipBodies> SkipSystemBodies(
    "skip-system-bodies", cl::sub(scanCommand()), cl::sub(coverageCommand()), cl::cat(ScanCategory),
    cl::desc("Skip parsing function bodies in system headers (faster; findings in user code are "
             "unchanged for ErrorShield checks)"),
    cl::init(SkipBodies::Auto),
    cl::values(clEnumValN(SkipBodies::Auto, "auto", "when every enabled check is an ErrorShield "
                                                    "check (default)"),
               clEnumValN(SkipBodies::Always, "always", "always"),
               clEnumValN(SkipBodies::Never, "never", "never: parse exactly like clang-tidy")));
cl::opt<ProgressStyle> ProgressArg(
    "progress", cl::sub(scanCommand()), cl::sub(coverageCommand()), cl::cat(ScanCategory), cl::desc("Progress display"),
    cl::init(ProgressStyle::Auto),
    cl::values(clEnumValN(ProgressStyle::Auto, "auto", "a bar on a terminal, lines otherwise"),
               clEnumValN(ProgressStyle::Bar, "bar", "a bar"),
               clEnumValN(ProgressStyle::Lines, "lines", "one line per TU"),
               clEnumValN(ProgressStyle::None, "none", "nothing")));
cl::opt<std::string> ResourceDir("resource-dir", cl::sub(scanCommand()), cl::sub(coverageCommand()), cl::cat(ScanCategory),
                                 cl::desc("Clang's resource directory (builtin headers)"),
                                 cl::init(ERRORSHIELD_CLANG_RESOURCE_DIR));

/// The options provider clang-tidy's own main would build from the same flags.
llvm::Expected<std::function<std::unique_ptr<ClangTidyOptionsProvider>()>> optionsProvider() {
  ClangTidyGlobalOptions Global;
  ClangTidyOptions Defaults = ClangTidyOptions::getDefaults();
  Defaults.Checks = "-*,errorshield-*";
  ClangTidyOptions Overrides;
  if (Checks.getNumOccurrences())
    Overrides.Checks = Checks;
  if (HeaderFilter.getNumOccurrences())
    Overrides.HeaderFilterRegex = HeaderFilter;
  if (SystemHeaders.getNumOccurrences())
    Overrides.SystemHeaders = SystemHeaders;
  if (!ExtraArgs.empty())
    Overrides.ExtraArgs = std::vector<std::string>(ExtraArgs.begin(), ExtraArgs.end());
  if (!ExtraArgsBefore.empty())
    Overrides.ExtraArgsBefore =
        std::vector<std::string>(ExtraArgsBefore.begin(), ExtraArgsBefore.end());

  std::optional<ClangTidyOptions> Fixed;
  std::string Source = "--config";
  std::string Text = Config;
  if (!ConfigFile.empty()) {
    auto Buffer = llvm::MemoryBuffer::getFile(ConfigFile);
    if (!Buffer)
      return llvm::createStringError("--config-file " + ConfigFile + ": " +
                                     Buffer.getError().message());
    Source = ConfigFile;
    Text = (*Buffer)->getBuffer().str();
  }
  if (!Text.empty()) {
    llvm::ErrorOr<ClangTidyOptions> Parsed =
        parseConfiguration(llvm::MemoryBufferRef(Text, Source));
    if (!Parsed)
      return llvm::createStringError(Source + ": invalid configuration: " +
                                     Parsed.getError().message());
    Fixed = *Parsed;
  }
  return [=]() -> std::unique_ptr<ClangTidyOptionsProvider> {
    if (Fixed)
      return std::make_unique<ConfigOptionsProvider>(Global, Defaults, *Fixed, Overrides);
    return std::make_unique<FileOptionsProvider>(Global, Defaults, Overrides);
  };
}

size_t peakRssBytes() {
  struct rusage Usage;
  getrusage(RUSAGE_SELF, &Usage);
  return static_cast<size_t>(Usage.ru_maxrss) * 1024;
}

} // namespace

bool buildPathGiven() { return !BuildPath.empty(); }

llvm::Expected<std::vector<TuResult>> scanInto(Report &R,
                                               std::unique_ptr<clang::tooling::CompilationDatabase> Fixed) {
  llvm::Expected<TuSelection> Selection = selectTranslationUnits(
      BuildPath, std::vector<std::string>(Paths.begin(), Paths.end()), Shard, std::move(Fixed));
  if (!Selection)
    return Selection.takeError();
  auto MakeProvider = optionsProvider();
  if (!MakeProvider)
    return MakeProvider.takeError();
  TuOptions Options;
  Options.MakeOptionsProvider = *MakeProvider;
  Options.ResourceDir = ResourceDir;
  Options.SkipSystemFunctionBodies = SkipSystemBodies;

  const CatalogView &Catalog = CatalogView::builtin();
  const std::vector<std::string> &Files = Selection->Files;
  std::vector<TuResult> Results(Files.size());
  std::vector<std::vector<Finding>> PerTu(Files.size());
  SourceFiles Sources;
  Progress Bar(Files.size(), ProgressArg);
  {
    llvm::DefaultThreadPool Pool(llvm::hardware_concurrency(Jobs));
    for (size_t I = 0; I < Files.size(); ++I)
      Pool.async([&, I] {
        Results[I] = analyseTranslationUnit(*Selection->Database, Files[I], Options);
        appendFindings(Results[I], Catalog, Sources, PerTu[I]);
        Bar.finished(Files[I], Results[I].Seconds, PerTu[I].size(), Results[I].Analysed);
      });
    Pool.wait();
  }
  Bar.done();

  // Like clang-tidy, running no check at all is a configuration error; a configuration that leaves
  // ErrorShield's checks out (a project `.clang-tidy` starting with -*) is worth a warning.
  if (llvm::all_of(Results, [](const TuResult &TU) { return TU.EnabledChecks == 0; }))
    return llvm::createStringError("no checks enabled (see --checks and .clang-tidy)");
  size_t Without = llvm::count_if(Results, [](const TuResult &TU) {
    return TU.EnabledErrorShieldChecks == 0;
  });
  if (Without)
    llvm::errs() << "errorshield: warning: the configuration enables no errorshield-* check for "
                 << Without << " of " << Results.size()
                 << " TU(s); add errorshield-* to Checks in .clang-tidy or pass --checks\n";
  R.ToolVersion = ERRORSHIELD_VERSION;
  R.SourceRoot = sourceRoot();
  R.DocsBase = docsBase();
  size_t Peak = peakRssBytes();
  for (size_t I = 0; I < Files.size(); ++I) {
    std::move(PerTu[I].begin(), PerTu[I].end(), std::back_inserter(R.Findings));
    R.Units.push_back({Files[I], Results[I].Analysed, Results[I].Problem, Results[I].Seconds, Peak});
    for (std::string &Problem : configProblems(Results[I]))
      if (llvm::find(R.ConfigProblems, Problem) == R.ConfigProblems.end())
        R.ConfigProblems.push_back(std::move(Problem));
  }
  // Threads share one process, so this is the peak of all workers together; -j1 gives one worker's.
  unsigned Workers = std::min<size_t>(llvm::hardware_concurrency(Jobs).compute_thread_count(),
                                      std::max<size_t>(Files.size(), 1));
  llvm::errs() << llvm::formatv("errorshield: peak memory {0} MiB for {1} worker(s)\n", Peak >> 20,
                                Workers);
  sortAndDeduplicate(R.Findings);
  assignFingerprints(R.Findings, R.SourceRoot);
  return std::move(Results);
}

int runScan(std::unique_ptr<clang::tooling::CompilationDatabase> Fixed) {
  std::optional<ReportPlan> Plan = planReport();
  if (!Plan)
    return ExitUsage;
  Report R;
  llvm::Expected<std::vector<TuResult>> Results = scanInto(R, std::move(Fixed));
  if (!Results) {
    llvm::errs() << "errorshield: " << llvm::toString(Results.takeError()) << "\n";
    return ExitUsage;
  }
  int Exit = finishReport(R, CatalogView::builtin(), *Plan);
  if (Exit == ExitUsage)
    return Exit;
  if (!ExportFixes.empty())
    if (llvm::Error E = exportFixes(R.Findings, ExportFixes)) {
      llvm::errs() << "errorshield: --export-fixes: " << llvm::toString(std::move(E)) << "\n";
      return ExitUsage;
    }
  if (Fix)
    applyFixes(R.Findings);
  return Exit;
}

} // namespace errorshield
