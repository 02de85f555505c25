//===--- ReportOutput.cpp - Baseline, changed lines, gate, formats, summary ---===//
//
// The last step of every reporting subcommand, so scan, merge and manifests gate and write reports
// the same way.
//
//===----------------------------------------------------------------------===//

#include "CatalogView.h"
#include "Commands.h"
#include "FindingBuilder.h"
#include "Gate.h"
#include "Reports.h"
#include "SarifReader.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"
#include <map>

namespace cl = llvm::cl;

namespace errorshield {
namespace {

cl::OptionCategory ReportCategory("Report options");
#define ES_REPORTING_SUBS cl::sub(scanCommand()), cl::sub(mergeCommand()), cl::sub(manifestsCommand())

cl::list<std::string> Formats("format", cl::CommaSeparated, ES_REPORTING_SUBS, cl::cat(ReportCategory),
                              cl::desc("Report formats, several allowed: text,sarif,json,md,html "
                                       "(default: text)"));
cl::opt<std::string> Output("output", ES_REPORTING_SUBS, cl::cat(ReportCategory),
                            cl::desc("(-o) The report file, or its stem when several formats are asked "
                                     "for (<stem>.txt/.sarif/.json/.md/.html); default: stdout for "
                                     "one format, 'errorshield-report' for several"));
cl::alias OutputShort("o", cl::aliasopt(Output), cl::desc("Alias for --output"));
cl::opt<std::string> Baseline("baseline", ES_REPORTING_SUBS, cl::cat(ReportCategory),
                              cl::desc("A previous SARIF report: its findings are neither reported "
                                       "nor gated"));
cl::opt<std::string> ChangedLinesArg(
    "changed-lines", ES_REPORTING_SUBS, cl::cat(ReportCategory),
    cl::desc("A unified diff file or a git range (e.g. origin/main...HEAD): only findings on "
             "changed lines gate"));
cl::list<std::string> GateArgs("gate", ES_REPORTING_SUBS, cl::cat(ReportCategory),
                               cl::desc("Which findings fail the run (repeatable, any may match); "
                                        "default: \"level>=warning,precision>=high\". Terms: "
                                        "level, precision, category, tag, check, pattern, all, "
                                        "none"));
cl::opt<std::string> SourceRootArg("source-root", ES_REPORTING_SUBS, cl::cat(ReportCategory),
                                   cl::desc("Directory report paths are relative to (default: "
                                            "the current directory)"));
cl::opt<std::string> DocsBaseArg("docs-base", ES_REPORTING_SUBS, cl::sub(explainCommand()),
                                 cl::cat(ReportCategory),
                                 cl::desc("URI prefix for documentation links (default: the "
                                          "installed docs, else the source tree)"));

const std::map<std::string, std::string> Extensions = {
    {"text", "txt"}, {"sarif", "sarif"}, {"json", "json"}, {"md", "md"}, {"html", "html"}};

void write(const std::string &Format, const Report &R, const CatalogView &C, llvm::raw_ostream &OS) {
  if (Format == "text")
    writeText(R, C, OS);
  else if (Format == "sarif")
    writeSarif(R, C, OS);
  else if (Format == "json")
    writeJson(R, C, OS);
  else if (Format == "md")
    writeMarkdown(R, C, OS);
  else
    writeHtml(R, C, OS);
}

/// Drops the findings the baseline has. Matching is by fingerprint; results of other tools (no
/// fingerprint) match on rule, file and line.
void applyBaseline(Report &R, const Report &Old) {
  llvm::StringSet<> Known;
  for (const Finding &F : Old.Findings)
    Known.insert(!F.Fingerprint.empty()
                     ? F.Fingerprint
                     : F.Check + "|" + relativePath(F.Where.File, Old.SourceRoot) + "|" +
                           std::to_string(F.Where.Line));
  std::vector<Finding> Kept;
  for (Finding &F : R.Findings) {
    std::string ByLine = F.Check + "|" + relativePath(F.Where.File, R.SourceRoot) + "|" +
                         std::to_string(F.Where.Line);
    if (Known.count(F.Fingerprint) || Known.count(ByLine))
      ++R.BaselineMatched;
    else
      Kept.push_back(std::move(F));
  }
  R.Findings = std::move(Kept);
}

void printSummary(const Report &R) {
  std::map<std::string, std::pair<unsigned, unsigned>> PerCheck; // check -> (findings, gating)
  unsigned Gating = 0, Failed = 0;
  for (const Finding &F : R.Findings) {
    auto &[All, Gates] = PerCheck[F.PatternId.empty() ? F.Check : F.PatternId + " " + F.Check];
    ++All;
    Gates += F.Gating;
    Gating += F.Gating;
  }
  for (const Unit &U : R.Units)
    Failed += !U.Analysed;
  llvm::raw_ostream &OS = llvm::errs();
  for (const auto &[Name, Counts] : PerCheck)
    OS << llvm::formatv("  {0,-52} {1,4} finding(s) {2,4} gating\n", Name, Counts.first,
                        Counts.second);
  OS << "errorshield: " << R.Findings.size() << " finding(s), " << Gating << " gating; "
     << R.Units.size() - Failed << "/" << R.Units.size() << " unit(s) analysed";
  if (R.BaselineMatched)
    OS << "; " << R.BaselineMatched << " in the baseline";
  if (R.OutsideChangedLines)
    OS << "; " << R.OutsideChangedLines << " outside the changed lines";
  OS << "\n";
}

} // namespace

std::string sourceRoot() {
  return llvm::StringRef(absolutePath(SourceRootArg.empty() ? "." : SourceRootArg.getValue()))
      .rtrim('/')
      .str();
}

std::string docsBase() {
  if (!DocsBaseArg.empty())
    return llvm::StringRef(DocsBaseArg).ends_with("/") ? DocsBaseArg.getValue() : DocsBaseArg + "/";
  std::string Exe = llvm::sys::fs::getMainExecutable("errorshield", (void *)&docsBase);
  llvm::SmallString<256> Installed(llvm::sys::path::parent_path(llvm::sys::path::parent_path(Exe)));
  llvm::sys::path::append(Installed, "share", "doc", "errorshield");
  if (llvm::sys::fs::is_directory(Installed + "/docs"))
    return "file://" + std::string(Installed) + "/";
  return "file://" ERRORSHIELD_SOURCE_DIR "/";
}

std::optional<ReportPlan> planReport() {
  ReportPlan Plan;
  Plan.Formats.assign(Formats.begin(), Formats.end());
  if (Plan.Formats.empty())
    Plan.Formats.push_back("text");
  for (const std::string &F : Plan.Formats)
    if (!Extensions.count(F)) {
      llvm::errs() << "errorshield: unknown --format '" << F << "': text, sarif, json, md or html\n";
      return std::nullopt;
    }
  std::vector<std::string> GateValues(GateArgs.begin(), GateArgs.end());
  if (GateValues.empty())
    GateValues.push_back(Gate::Default);
  llvm::Expected<Gate> TheGate = Gate::parse(GateValues);
  if (!TheGate) {
    llvm::errs() << "errorshield: " << llvm::toString(TheGate.takeError()) << "\n";
    return std::nullopt;
  }
  Plan.TheGate = std::move(*TheGate);
  if (!Baseline.empty()) {
    llvm::Expected<Report> Old = readSarif(Baseline);
    if (!Old) {
      llvm::errs() << "errorshield: --baseline " << llvm::toString(Old.takeError()) << "\n";
      return std::nullopt;
    }
    Plan.Baseline = std::move(*Old);
  }
  if (!ChangedLinesArg.empty()) {
    llvm::Expected<ChangedLines> Changed = ChangedLines::load(ChangedLinesArg, sourceRoot());
    if (!Changed) {
      llvm::errs() << "errorshield: " << llvm::toString(Changed.takeError()) << "\n";
      return std::nullopt;
    }
    Plan.Changed = std::move(*Changed);
  }
  return Plan;
}

int finishReport(Report &R, const CatalogView &Catalog, const ReportPlan &Plan) {
  if (Plan.Baseline)
    applyBaseline(R, *Plan.Baseline);
  const std::vector<std::string> &Wanted = Plan.Formats;
  bool AnyGating = false;
  for (Finding &F : R.Findings) {
    bool OnChangedLine = !Plan.Changed || Plan.Changed->contains(F.Where.File, F.Where.Line);
    R.OutsideChangedLines += !OnChangedLine;
    F.Gating = OnChangedLine && Plan.TheGate.selects(F, Catalog);
    AnyGating |= F.Gating;
  }

  // Pages for people show paths relative to the source root; text stays absolute like clang-tidy's,
  // and SARIF/JSON make their own paths relative.
  Report Shown = withRelativePaths(R);
  for (const std::string &Format : Wanted) {
    std::string Path = Output;
    if (Wanted.size() > 1)
      Path = (Output.empty() ? std::string("errorshield-report") : Output.getValue()) + "." +
             Extensions.at(Format);
    if (Path.empty() || Path == "-") {
      write(Format, Format == "md" || Format == "html" ? Shown : R, Catalog, llvm::outs());
      continue;
    }
    std::error_code EC;
    llvm::ToolOutputFile File(Path, EC, llvm::sys::fs::OF_Text);
    if (EC) {
      llvm::errs() << "errorshield: cannot write " << Path << ": " << EC.message() << "\n";
      return ExitUsage;
    }
    write(Format, Format == "md" || Format == "html" ? Shown : R, Catalog, File.os());
    File.keep();
    llvm::errs() << "errorshield: wrote " << Path << "\n";
  }
  printSummary(R);
  for (const std::string &Problem : R.ConfigProblems)
    llvm::errs() << "errorshield: configuration error: " << Problem << "\n";
  if (!R.ConfigProblems.empty())
    return ExitUsage;
  if (llvm::any_of(R.Units, [](const Unit &U) { return !U.Analysed; }))
    return ExitUnanalysed;
  return AnyGating ? ExitGating : ExitClean;
}

} // namespace errorshield
