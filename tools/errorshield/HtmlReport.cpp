//===--- HtmlReport.cpp - One self-contained HTML page ----------------------===//
//
// The page is a single file with no external resources (CSS, script and the graph SVG are inline),
// so it can be attached to a CI run, mailed or opened offline. Element ids and classes are stable
// because tests and users' scripts select on them.
//
//===----------------------------------------------------------------------===//

#include "CatalogView.h"
#include "Graph.h"
#include "Reports.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include <map>
#include <set>
#include <tuple>

namespace errorshield {
namespace {

const char Style[] = R"css(
:root{--fg:#1f2328;--muted:#59636e;--panel:#f6f8fa;--line:#d1d9e0;--link:#0969da;
--error:#b42318;--warning:#9a5b00;--note:#1f5fa8;--ok:#1a7f37}
body{margin:0 auto;max-width:1200px;padding:24px;color:var(--fg);background:#fff;
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1{margin:0 0 4px}h2{margin-top:36px;border-bottom:1px solid var(--line)}a{color:var(--link)}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.meta,.function,#filter-count{color:var(--muted)}.graph-error{color:var(--error)}
.verdict{display:inline-block;padding:6px 14px;border-radius:6px;font-weight:600}
.verdict.ok{background:#dafbe1;color:var(--ok)}.verdict.fail{background:#ffebe9;color:var(--error)}
.totals{display:flex;flex-wrap:wrap;gap:12px}.totals dd{margin:0;font-size:24px;font-weight:600}
.totals div{min-width:150px;padding:8px 16px;background:var(--panel);border-radius:6px}
table{border-collapse:collapse;margin:12px 0}th{background:var(--panel)}
th,td{padding:6px 10px;border:1px solid var(--line);text-align:left}td.num{text-align:right}
.error{--level:var(--error)}.warning{--level:var(--warning)}.note{--level:var(--note)}
.badge{padding:1px 8px;border-radius:9px;color:#fff;font-size:12px;background:var(--level,#59636e)}
.finding{margin:16px 0;padding:12px 16px;border:1px solid var(--line);border-radius:6px}
.finding{border-left:5px solid var(--level,var(--muted))}.badge.gating{background:#57068c}
.finding>header{display:flex;flex-wrap:wrap;gap:8px;align-items:center}.message{font-weight:600}
pre{padding:8px 12px;overflow-x:auto;tab-size:4;background:var(--panel);border-radius:6px}
pre.excerpt{padding:8px 0}.excerpt .l{display:inline-block;box-sizing:border-box;min-width:100%;padding:0 12px}
.excerpt .hit{background:#fff1c2;box-shadow:inset 4px 0 var(--warning)}
.ln{display:inline-block;min-width:4ch;margin-right:14px;color:var(--muted);text-align:right}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px}
figure{margin:0;min-width:0}.bad figcaption{color:var(--error)}.good figcaption{color:var(--ok)}
figcaption{font-weight:700}details.explain>summary{cursor:pointer;color:var(--link)}
dl.facts dt{margin-top:8px;font-weight:600}dl.facts dd{margin:0}#filters{display:flex;gap:16px}
.graph-svg{overflow:auto;border:1px solid var(--line)}.graph-svg svg{max-width:100%;height:auto}
)css";

// Hides the articles that do not match the two selects; without script every finding shows.
const char Script[] = R"js(
(function(){var $=function(i){return document.getElementById(i)},p=$('filter-pattern'),
l=$('filter-level'),c=$('filter-count'),all=document.querySelectorAll('article.finding');
function apply(){var n=0;all.forEach(function(a){var s=(!p.value||a.dataset.check===p.value)&&
(!l.value||a.dataset.level===l.value);a.hidden=!s;n+=s;});c.textContent=n+' of '+all.length+
' shown';}p.addEventListener('change',apply);l.addEventListener('change',apply);apply();})();
)js";

std::string esc(llvm::StringRef S) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  llvm::printHTMLEscaped(S, OS); // & < > " ' : safe in text and in double-quoted attributes
  return Out;
}

/// A level as a CSS class: only the SARIF names get a colour, anything else stays neutral.
llvm::StringRef levelClass(llvm::StringRef Level) {
  return Level == "error" || Level == "warning" || Level == "note" ? Level : "other";
}

std::string where(const SourcePoint &P) {
  return P.File + ":" + std::to_string(P.Line) + ":" + std::to_string(P.Column);
}

/// The excerpt with line numbers; falls back to the single reported line when there is none.
void writeExcerpt(const Finding &F, llvm::raw_ostream &OS) {
  bool Full = !F.Excerpt.empty() && F.ExcerptFirstLine;
  llvm::StringRef Text = Full ? F.Excerpt : F.SourceLine;
  unsigned Line = Full ? F.ExcerptFirstLine : F.Where.Line;
  if (Text.empty())
    return;
  llvm::SmallVector<llvm::StringRef, 8> Lines;
  Text.rtrim("\r\n").split(Lines, '\n');
  OS << "<pre class=\"excerpt\"><code>";
  for (size_t I = 0; I < Lines.size(); ++I, ++Line)
    OS << "<span class=\"l" << (Line == F.Where.Line ? " hit" : "") << "\" data-line=\"" << Line
       << "\"><span class=\"ln\">" << Line << "</span>" << esc(Lines[I].rtrim('\r')) << "</span>\n";
  OS << "</code></pre>\n";
}

void writeFixes(const Finding &F, llvm::raw_ostream &OS) {
  if (F.Fixes.empty())
    return;
  OS << "<div class=\"fixes\"><strong>Suggested fix</strong><ul>\n";
  for (const Edit &E : F.Fixes) {
    // Line/column form when the producer knew it; a byte range otherwise.
    OS << "<li class=\"fix\"><code class=\"location\">" << esc(E.File) << ":";
    if (E.Start.Line)
      OS << E.Start.Line << ":" << E.Start.Column << "–" << E.End.Line << ":" << E.End.Column;
    else
      OS << "bytes " << E.Offset << "–" << E.Offset + E.Length;
    OS << "</code> " << (E.Replacement.empty() ? "delete" : "replace with");
    if (!E.Replacement.empty())
      OS << "<pre class=\"replacement\"><code>" << esc(E.Replacement) << "</code></pre>";
    OS << "</li>\n";
  }
  OS << "</ul></div>\n";
}

/// The catalog's explanation, collapsed so a page with many findings stays scannable.
void writeExplanation(const PatternInfo &P, const Report &R, const CatalogView &Catalog,
                      llvm::raw_ostream &OS) {
  OS << "<details class=\"explain\"><summary>Why this matters: <span class=\"short-description\">"
     << esc(P.ShortText) << "</span></summary>\n<p class=\"full-description\">" << esc(P.FullText)
     << "</p>\n<dl class=\"facts\">";
  auto Fact = [&](llvm::StringRef Title, llvm::StringRef Class, llvm::StringRef Text) {
    if (!Text.empty())
      OS << "<dt>" << Title << "</dt><dd class=\"" << Class << "\">" << esc(Text) << "</dd>";
  };
  Fact("Trigger", "trigger", P.Trigger);
  Fact("Consequence", "consequence", P.Consequence);
  Fact("Fix", "fix-text", P.FixText);
  OS << "</dl>\n";
  if (!P.FixBad.empty() || !P.FixGood.empty())
    OS << "<div class=\"pair\"><figure class=\"bad\"><figcaption>BAD</figcaption><pre><code>"
       << esc(P.FixBad) << "</code></pre></figure><figure class=\"good\"><figcaption>GOOD"
       << "</figcaption><pre><code>" << esc(P.FixGood) << "</code></pre></figure></div>\n";
  if (!P.Relations.empty()) {
    // Targets link to their node in the inline graph (Graph.cpp gives nodes id="graph-<id>").
    OS << "<p class=\"related\">Related: ";
    for (const Relation &Rel : P.Relations) {
      const PatternInfo *T = Catalog.byId(Rel.Target);
      const ConsequenceInfo *C = Catalog.consequence(Rel.Target);
      std::string Name = T ? " (" + T->Check + ")" : C ? " (" + C->Name + ")" : "";
      OS << (&Rel == &P.Relations.front() ? "" : " · ") << "<span class=\"relation\" "
         << "data-relation=\"" << esc(Rel.Relation) << "\">" << esc(Rel.Relation)
         << " <a href=\"#graph-" << esc(Rel.Target) << "\">" << esc(Rel.Target) << "</a>"
         << esc(Name) << "</span>";
    }
    OS << "</p>\n";
  }
  if (!P.HelpUri.empty())
    OS << "<p><a class=\"docs\" href=\"" << esc(R.DocsBase + P.HelpUri)
       << "\">Documentation: " << esc(P.Check) << "</a></p>\n";
  OS << "</details>\n";
}

void writeFinding(const Finding &F, size_t Index, const Report &R, const CatalogView &Catalog,
                  llvm::raw_ostream &OS) {
  const PatternInfo *P = Catalog.patternOf(F);
  llvm::StringRef Level = levelClass(F.Level);
  OS << "<article class=\"finding " << Level << "\" id=\"finding-" << Index << "\" data-check=\""
     << esc(F.Check) << "\" data-pattern=\"" << esc(P ? P->Id : F.PatternId) << "\" data-level=\""
     << esc(F.Level) << "\" data-gating=\"" << (F.Gating ? "true" : "false") << "\">\n<header>"
     << "<span class=\"badge " << Level << "\">" << esc(F.Level) << "</span>"
     << (F.Gating ? "<span class=\"badge gating\">gating</span>" : "")
     << "<code class=\"location\">" << esc(where(F.Where)) << "</code><span class=\"check\">"
     << esc(P ? P->Id + " " + F.Check : F.Check) << "</span></header>\n<p class=\"message\">"
     << esc(F.Message) << "</p>\n";
  if (!F.Function.empty())
    OS << "<p class=\"function\">in <code>" << esc(F.Function) << "</code></p>\n";
  writeExcerpt(F, OS);
  if (!F.Notes.empty()) {
    OS << "<ul class=\"notes\">\n";
    for (const Note &N : F.Notes) {
      OS << "<li class=\"note\">";
      if (!N.Where.File.empty())
        OS << "<code class=\"location\">" << esc(where(N.Where)) << "</code> ";
      OS << esc(N.Message) << "</li>\n";
    }
    OS << "</ul>\n";
  }
  writeFixes(F, OS);
  if (P)
    writeExplanation(*P, R, Catalog, OS);
  OS << "</article>\n";
}

/// Per pattern and severity; catalog patterns in catalog order, then other checks by name.
void writeSummaryTable(const Report &R, const CatalogView &Catalog, llvm::raw_ostream &OS) {
  struct Row {
    const PatternInfo *Pattern = nullptr;
    std::map<std::string, unsigned> ByLevel;
    unsigned Total = 0, Gating = 0;
  };
  // Keyed (catalog index or SIZE_MAX, check); byCheck/byId point into patterns(), so the index
  // is a pointer difference.
  std::map<std::pair<size_t, std::string>, Row> Rows;
  for (const Finding &F : R.Findings) {
    const PatternInfo *P = Catalog.patternOf(F);
    Row &X = Rows[{P ? size_t(P - Catalog.patterns().data()) : SIZE_MAX, P ? P->Check : F.Check}];
    X.Pattern = P;
    ++X.ByLevel[F.Level];
    ++X.Total;
    X.Gating += F.Gating;
  }
  OS << "<table id=\"summary-table\"><thead><tr><th>Pattern</th><th>Check</th><th>Precision</th>"
     << "<th>Error</th><th>Warning</th><th>Note</th><th>Total</th><th>Gating</th></tr></thead>"
     << "<tbody>\n";
  for (auto &[Key, X] : Rows) {
    OS << "<tr data-pattern=\"" << esc(X.Pattern ? X.Pattern->Id : "") << "\" data-check=\""
       << esc(Key.second) << "\"><td>" << esc(X.Pattern ? X.Pattern->Id : "—") << "</td><td>"
       << esc(Key.second) << "</td><td>" << esc(X.Pattern ? X.Pattern->Precision : "—") << "</td>";
    for (const char *Level : {"error", "warning", "note"})
      OS << "<td class=\"num\">" << X.ByLevel[Level] << "</td>";
    OS << "<td class=\"num\">" << X.Total << "</td><td class=\"num\">" << X.Gating << "</td>";
    OS << "</tr>\n";
  }
  OS << "</tbody></table>\n";
}

} // namespace

void writeHtml(const Report &R, const CatalogView &Catalog, llvm::raw_ostream &OS) {
  auto Sorted = llvm::to_vector(llvm::map_range(R.Findings, [](const Finding &F) { return &F; }));
  // File, line, column as asked; check and message only break ties, so reruns give the same page.
  llvm::stable_sort(Sorted, [](const Finding *A, const Finding *B) {
    return std::tie(A->Where.File, A->Where.Line, A->Where.Column, A->Check, A->Message) <
           std::tie(B->Where.File, B->Where.Line, B->Where.Column, B->Check, B->Message);
  });
  size_t Gating = llvm::count_if(R.Findings, [](const Finding &F) { return F.Gating; });
  size_t Failed = llvm::count_if(R.Units, [](const Unit &U) { return !U.Analysed; });

  OS << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
     << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
     << "<title>ErrorShield report</title>\n<style>" << Style << "</style>\n</head>\n<body>\n"
     << "<header>\n<h1>ErrorShield report</h1>\n<p class=\"meta\">";
  OS << (R.SourceRoot.empty() ? "" : "Source root <code>" + esc(R.SourceRoot) + "</code> · ")
     << "Generated by ErrorShield " << esc(R.ToolVersion);
  OS << "</p>\n<p id=\"verdict\" class=\"verdict "
     << (Gating ? "fail\">✖ " + std::to_string(Gating) + " gating finding(s)"
                : std::string("ok\">✔ No gating findings"))
     << "</p>\n</header>\n";

  OS << "<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"totals\">";
  auto Total = [&](llvm::StringRef Id, llvm::StringRef Title, size_t N) {
    OS << "<div><dt>" << Title << "</dt><dd id=\"" << Id << "\">" << N << "</dd></div>";
  };
  Total("total-findings", "Findings", R.Findings.size());
  Total("total-gating", "Gating", Gating);
  Total("total-units-analysed", "Units analysed", R.Units.size() - Failed);
  Total("total-units-failed", "Units failed", Failed);
  OS << "</dl>\n";
  writeSummaryTable(R, Catalog, OS);
  OS << "</section>\n";

  if (Failed) {
    OS << "<section id=\"failures\">\n<h2>Units not analysed</h2>\n<ul>\n";
    for (const Unit &U : R.Units)
      if (!U.Analysed)
        OS << "<li class=\"failure\"><code>" << esc(U.File) << "</code> — "
           << esc(U.Problem.empty() ? "unknown problem" : U.Problem) << "</li>\n";
    OS << "</ul>\n</section>\n";
  }

  std::set<std::string> Checks, Found; // checks for the filter; pattern ids for the graph
  for (const Finding &F : R.Findings) {
    Checks.insert(F.Check);
    if (const PatternInfo *P = Catalog.patternOf(F))
      Found.insert(P->Id);
  }
  OS << "<section id=\"findings\">\n<h2>Findings</h2>\n";
  if (Sorted.empty()) {
    OS << "<p>No findings.</p>\n";
  } else {
    OS << "<div id=\"filters\"><label>Pattern <select id=\"filter-pattern\"><option value=\"\">"
       << "All</option>";
    for (const std::string &C : Checks) {
      const PatternInfo *P = Catalog.byCheck(C);
      OS << "<option value=\"" << esc(C) << "\">" << esc(P ? P->Id + " " + C : C) << "</option>";
    }
    OS << "</select></label><label>Severity <select id=\"filter-level\"><option value=\"\">All"
       << "</option><option>error</option><option>warning</option><option>note</option></select>"
       << "</label><span id=\"filter-count\"></span></div>\n";
    for (size_t I = 0; I < Sorted.size(); ++I)
      writeFinding(*Sorted[I], I + 1, R, Catalog, OS);
  }
  OS << "</section>\n<section id=\"graph\">\n<h2>Knowledge graph</h2>\n<p class=\"meta\">Patterns "
     << "found in this scan are highlighted in red.</p>\n";
  // The report must be written even without Graphviz, so a failure becomes part of the page.
  if (llvm::Expected<std::string> Svg = graphSvg(Catalog, Found))
    OS << "<div class=\"graph-svg\">\n" << *Svg << "\n</div>\n";
  else
    OS << "<p class=\"graph-error\" id=\"graph-error\">The graph could not be drawn: "
       << esc(llvm::toString(Svg.takeError())) << "</p>\n";
  OS << "</section>\n"
     << (Sorted.empty() ? "" : "<script>" + std::string(Script) + "</script>\n")
     << "</body>\n</html>\n";
}

} // namespace errorshield
