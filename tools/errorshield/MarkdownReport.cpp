//===--- MarkdownReport.cpp - A pull-request comment -------------------------===//
//
// Sized for a PR comment (GitHub caps them at 65536 characters): a verdict first, because that is
// what a reviewer needs, then counts per pattern, then a bounded list of findings with doc links.
//
//===----------------------------------------------------------------------===//

#include "CatalogView.h"
#include "Reports.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include <algorithm>
#include <map>
#include <tuple>

namespace errorshield {
namespace {

/// Findings listed in the comment at most; the tables above still count all of them.
constexpr size_t MaxListedFindings = 50;
/// Failed units listed at most; one broken compile database can fail thousands.
constexpr size_t MaxListedFailures = 20;

/// Text that may contain Markdown or HTML syntax (check messages quote code such as `a_b<T>`).
/// Backslash escapes keep it literal; '<' especially, since GitHub renders inline HTML. Pipes are
/// escaped too, which is what a table cell needs.
std::string mdEscape(llvm::StringRef S) {
  std::string Out;
  for (char C : S) {
    if (C == '\n' || C == '\r') {
      Out += ' '; // a newline would end a list item or a table row
      continue;
    }
    if (llvm::StringRef("\\`*_[]<>|~").contains(C))
      Out += '\\';
    Out += C;
  }
  return Out;
}

/// An inline code span; the fence is longer than any backtick run inside, as CommonMark requires.
std::string codeSpan(llvm::StringRef S) {
  size_t Longest = 0, Run = 0;
  for (char C : S) {
    Run = C == '`' ? Run + 1 : 0;
    Longest = std::max(Longest, Run);
  }
  std::string Fence(Longest + 1, '`');
  std::string Pad = S.starts_with("`") || S.ends_with("`") ? " " : "";
  return Fence + Pad + S.str() + Pad + Fence;
}

/// A link destination: spaces and parentheses would end it early.
std::string urlEscape(llvm::StringRef S) {
  std::string Out;
  for (char C : S) {
    if (C == ' ')
      Out += "%20";
    else if (C == '(')
      Out += "%28";
    else if (C == ')')
      Out += "%29";
    else
      Out += C;
  }
  return Out;
}

struct PatternRow {
  const PatternInfo *Pattern = nullptr; ///< null for a check outside the catalog
  std::string Check, Level;             ///< Level: the most severe level actually reported
  unsigned Count = 0, Gating = 0;
};

/// One row per pattern with findings: catalog patterns in catalog order, then other checks by name.
std::vector<PatternRow> patternRows(const Report &R, const CatalogView &Catalog) {
  std::vector<PatternRow> Rows;
  std::map<std::string, PatternRow> Others;
  auto Count = [](PatternRow &Row, const Finding &F) {
    ++Row.Count;
    Row.Gating += F.Gating;
    if (Row.Level.empty() || CatalogView::levelRank(F.Level) > CatalogView::levelRank(Row.Level))
      Row.Level = F.Level;
  };
  for (const PatternInfo &P : Catalog.patterns()) {
    PatternRow Row{&P, P.Check, "", 0, 0};
    for (const Finding &F : R.Findings)
      if (Catalog.patternOf(F) == &P)
        Count(Row, F);
    if (Row.Count)
      Rows.push_back(std::move(Row));
  }
  for (const Finding &F : R.Findings)
    if (!Catalog.patternOf(F)) {
      PatternRow &Row = Others[F.Check];
      Row.Check = F.Check;
      Count(Row, F);
    }
  for (auto &[Name, Row] : Others)
    Rows.push_back(std::move(Row));
  return Rows;
}

/// Writes up to \p Budget findings as a list and takes what it used from the budget.
void writeFindingList(llvm::ArrayRef<const Finding *> Findings, const Report &R,
                      const CatalogView &Catalog, size_t &Budget, llvm::raw_ostream &OS) {
  size_t Shown = std::min(Budget, Findings.size());
  for (const Finding *F : Findings.take_front(Shown)) {
    OS << "- "
       << codeSpan(F->Where.File + ":" + std::to_string(F->Where.Line) + ":" +
                   std::to_string(F->Where.Column))
       << " — " << mdEscape(F->Message);
    if (const PatternInfo *P = Catalog.patternOf(*F); P && !P->HelpUri.empty())
      OS << " — [" << mdEscape(P->Id) << "](" << urlEscape(R.DocsBase + P->HelpUri) << ")";
    OS << "\n";
  }
  if (Shown < Findings.size())
    OS << "- … and " << Findings.size() - Shown << " more\n";
  Budget -= Shown;
}

} // namespace

void writeMarkdown(const Report &R, const CatalogView &Catalog, llvm::raw_ostream &OS) {
  std::vector<const Finding *> Gating, NotGating;
  for (const Finding &F : R.Findings)
    (F.Gating ? Gating : NotGating).push_back(&F);
  // File, line, column: the order a reviewer walks a diff in; check and message break ties so the
  // comment is identical run to run (an updated comment then only changes when findings do).
  auto ByPlace = [](const Finding *A, const Finding *B) {
    return std::tie(A->Where.File, A->Where.Line, A->Where.Column, A->Check, A->Message) <
           std::tie(B->Where.File, B->Where.Line, B->Where.Column, B->Check, B->Message);
  };
  llvm::stable_sort(Gating, ByPlace);
  llvm::stable_sort(NotGating, ByPlace);

  std::vector<const Unit *> Failed;
  for (const Unit &U : R.Units)
    if (!U.Analysed)
      Failed.push_back(&U);
  size_t Analysed = R.Units.size() - Failed.size();

  OS << "# ErrorShield report\n\n";
  if (Gating.empty())
    OS << "**✅ No gating findings**";
  else
    OS << "**❌ " << Gating.size() << " gating finding(s)**";
  OS << " · " << R.Findings.size() << " finding(s) · " << Analysed << " unit(s) analysed, "
     << Failed.size() << " failed\n\n";

  if (!Failed.empty()) {
    // Failed units matter even with no findings: a unit that was not analysed proves nothing.
    OS << "## Units not analysed\n\n";
    for (const Unit *U : llvm::ArrayRef(Failed).take_front(MaxListedFailures))
      OS << "- " << codeSpan(U->File) << " — "
         << mdEscape(U->Problem.empty() ? "unknown problem" : U->Problem) << "\n";
    if (Failed.size() > MaxListedFailures)
      OS << "- … and " << Failed.size() - MaxListedFailures << " more\n";
    OS << "\n";
  }

  if (R.Findings.empty()) {
    OS << "No findings.\n\n";
  } else {
    OS << "## Findings per pattern\n\n"
       << "| Pattern | Check | Level | Precision | Findings | Gating |\n"
       << "|---|---|---|---|--:|--:|\n";
    for (const PatternRow &Row : patternRows(R, Catalog))
      OS << "| " << (Row.Pattern ? mdEscape(Row.Pattern->Id) : "—") << " | " << mdEscape(Row.Check)
         << " | " << mdEscape(Row.Level) << " | "
         << (Row.Pattern && !Row.Pattern->Precision.empty() ? mdEscape(Row.Pattern->Precision)
                                                            : "—")
         << " | " << Row.Count << " | " << Row.Gating << " |\n";
    OS << "\n";

    // One budget for both lists, gating first: those are the ones that block the merge.
    size_t Budget = MaxListedFindings;
    if (!Gating.empty()) {
      OS << "## Gating findings\n\n";
      writeFindingList(Gating, R, Catalog, Budget, OS);
      OS << "\n";
    }
    if (!NotGating.empty()) {
      OS << "## Not gating\n\n"
         << "_Reported for information; these do not fail the gate._\n\n";
      writeFindingList(NotGating, R, Catalog, Budget, OS);
      OS << "\n";
    }
  }

  if (!R.ToolVersion.empty())
    OS << "_ErrorShield " << mdEscape(R.ToolVersion) << "_\n";
}

} // namespace errorshield
