//===--- Graph.cpp - The knowledge graph drawn ------------------------------===//
//
// Nodes and edges come straight from the catalog, in catalog order, so the same catalog always
// gives byte-identical DOT/SVG/JSON (reports and golden tests can be diffed).
//
//===----------------------------------------------------------------------===//

#include "Graph.h"
#include "CatalogView.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

namespace errorshield {
namespace {

/// A DOT string literal. Newlines become DOT's centred line break so multi-line texts survive.
std::string dotQuote(llvm::StringRef S) {
  std::string Out = "\"";
  for (char C : S) {
    if (C == '"' || C == '\\')
      Out += '\\';
    if (C == '\n')
      Out += "\\n";
    else if (C != '\r')
      Out += C;
  }
  return Out + "\"";
}

/// Escaping for DOT's HTML-like labels (the legend), which are XML.
std::string xmlEscape(llvm::StringRef S) {
  std::string Out;
  for (char C : S) {
    switch (C) {
    case '&':
      Out += "&amp;";
      break;
    case '<':
      Out += "&lt;";
      break;
    case '>':
      Out += "&gt;";
      break;
    case '"':
      Out += "&quot;";
      break;
    default:
      Out += C;
    }
  }
  return Out;
}

/// Pastel fills with dark text keep every label readable; one hue per catalog category.
llvm::StringRef categoryColour(llvm::StringRef Category) {
  static const std::pair<const char *, const char *> Colours[] = {
      {"lifetime", "#d7e3fc"},      {"concurrency", "#e4d7f5"},
      {"numeric", "#fde2c4"},       {"io", "#d4efe9"},
      {"websocket", "#d5ecd4"},     {"protocol", "#fbe7a1"},
      {"serialization", "#f5d5e6"}, {"deployment", "#dcdcdc"}};
  for (const auto &[Name, Colour] : Colours)
    if (Category == Name)
      return Colour;
  return "#eeeeee";
}

/// Relations that hold both ways; the catalog may store them on both patterns, but one line is
/// enough in a picture and two opposite arrows would suggest an order that does not exist.
bool isSymmetric(llvm::StringRef Relation) {
  return Relation == "often-co-occurs" || Relation == "same-root-cause" || Relation == "related";
}

constexpr llvm::StringRef HighlightFill = "#ffcdd2", HighlightLine = "#b71c1c";

/// Every node id of the graph, so edges to ids the catalog does not define (an extra catalog may
/// name them) are dropped instead of becoming unstyled phantom nodes.
std::set<std::string> nodeIds(const CatalogView &Catalog) {
  std::set<std::string> Ids;
  for (const PatternInfo &P : Catalog.patterns())
    Ids.insert(P.Id);
  for (const ConsequenceInfo &C : Catalog.consequences())
    Ids.insert(C.Id);
  return Ids;
}

void writeLegend(const CatalogView &Catalog, bool AnyHighlight, llvm::raw_ostream &OS) {
  // Only categories that occur, in first-seen catalog order, so the legend matches the picture.
  std::vector<std::string> Categories;
  for (const PatternInfo &P : Catalog.patterns())
    if (llvm::find(Categories, P.Category) == Categories.end())
      Categories.push_back(P.Category);
  OS << "  subgraph cluster_legend {\n    label=\"Legend\"; fontsize=11; color=\"#999999\";\n"
     << "    legend [shape=plaintext, fontsize=10, label=<<table border=\"0\" cellspacing=\"3\""
     << " cellborder=\"0\">\n";
  auto Row = [&](llvm::StringRef Fill, llvm::StringRef Text, bool Bold = false) {
    OS << "      <tr><td bgcolor=\"" << Fill
       << "\" border=\"1\" width=\"18\"></td><td align=\"left\">" << (Bold ? "<b>" : "")
       << xmlEscape(Text) << (Bold ? "</b>" : "") << "</td></tr>\n";
  };
  if (AnyHighlight)
    Row(HighlightFill, "found in this scan", /*Bold=*/true);
  for (const std::string &Category : Categories)
    Row(categoryColour(Category), "pattern: " + (Category.empty() ? "uncategorised" : Category));
  Row("#ffffff", "ellipse: consequence");
  Row("#ffffff", "solid arrow: causes");
  Row("#ffffff", "dashed line: related / often-co-occurs / same-root-cause");
  OS << "    </table>>];\n  }\n";
}

} // namespace

std::string graphDot(const CatalogView &Catalog, const std::set<std::string> &Highlight) {
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  // Left to right: patterns form the first rank and consequences the second, so the picture reads
  // "code shape -> what goes wrong".
  OS << "digraph errorshield {\n"
     << "  graph [rankdir=LR, nodesep=0.25, ranksep=1.2, fontname=\"Helvetica\"];\n"
     << "  node [fontname=\"Helvetica\", fontsize=10, color=\"#555555\"];\n"
     << "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#777777\", fontcolor=\"#555555\"];\n";

  for (const PatternInfo &P : Catalog.patterns()) {
    bool Hit = Highlight.count(P.Id);
    OS << "  " << dotQuote(P.Id) << " [id=" << dotQuote("graph-" + P.Id) << ", shape=box, style=\""
       << (Hit ? "filled,rounded,bold" : "filled,rounded") << "\", fillcolor=\""
       << (Hit ? HighlightFill : categoryColour(P.Category)) << "\"";
    if (Hit)
      OS << ", color=\"" << HighlightLine << "\", penwidth=2.5, fontname=\"Helvetica-Bold\"";
    // dotQuote turns the newline into DOT's centred line break.
    OS << ", label=" << dotQuote(P.Id + "\n" + P.Check) << ", tooltip=" << dotQuote(P.ShortText)
       << "];\n";
  }
  for (const ConsequenceInfo &C : Catalog.consequences()) {
    bool Hit = Highlight.count(C.Id);
    OS << "  " << dotQuote(C.Id) << " [id=" << dotQuote("graph-" + C.Id)
       << ", shape=ellipse, style=\"" << (Hit ? "filled,bold" : "filled") << "\", fillcolor=\""
       << (Hit ? HighlightFill : "#ffffff") << "\"";
    if (Hit)
      OS << ", color=\"" << HighlightLine << "\", penwidth=2.5, fontname=\"Helvetica-Bold\"";
    OS << ", label=" << dotQuote(C.Id + "\n" + C.Name) << ", tooltip=" << dotQuote(C.Description)
       << "];\n";
  }

  std::set<std::string> Ids = nodeIds(Catalog);
  std::set<std::tuple<std::string, std::string, std::string>> Drawn; // symmetric edges drawn
  for (const PatternInfo &P : Catalog.patterns()) {
    for (const Relation &R : P.Relations) {
      if (!Ids.count(R.Target))
        continue;
      bool Symmetric = isSymmetric(R.Relation);
      if (Symmetric) {
        if (!Drawn.emplace(std::min(P.Id, R.Target), std::max(P.Id, R.Target), R.Relation).second)
          continue;
      }
      bool Hit = Highlight.count(P.Id) || (Symmetric && Highlight.count(R.Target));
      OS << "  " << dotQuote(P.Id) << " -> " << dotQuote(R.Target)
         << " [label=" << dotQuote(R.Relation);
      if (R.Relation == "causes")
        OS << ", style=solid";
      else if (Symmetric)
        // constraint=false keeps pattern-to-pattern links from pulling patterns into new ranks.
        OS << ", style=dashed, dir=none, constraint=false";
      else
        OS << ", style=dotted, constraint=false"; // mitigates and anything newer: directed
      if (Hit)
        OS << ", color=\"" << HighlightLine << "\", penwidth=1.8";
      OS << "];\n";
    }
  }
  writeLegend(Catalog, !Highlight.empty(), OS);
  OS << "}\n";
  return Text;
}

llvm::Expected<std::string> graphSvg(const CatalogView &Catalog,
                                     const std::set<std::string> &Highlight) {
  llvm::ErrorOr<std::string> Dot = llvm::sys::findProgramByName("dot");
  if (!Dot)
    return llvm::createStringError(Dot.getError(),
                                   "Graphviz 'dot' was not found on PATH; install Graphviz "
                                   "(e.g. apt-get install graphviz) to draw the knowledge graph");

  // Files rather than pipes: ExecuteAndWait only redirects to paths, and a file cannot deadlock
  // on a full pipe buffer however large the SVG gets. FileRemover deletes them on every path out.
  auto Fail = [](std::error_code EC, const llvm::Twine &What) {
    return llvm::createStringError(EC, "cannot draw the knowledge graph: " + What + ": " +
                                           EC.message());
  };
  llvm::SmallString<128> InPath, OutPath, ErrPath;
  int InFD = -1;
  if (std::error_code EC =
          llvm::sys::fs::createTemporaryFile("errorshield-graph", "dot", InFD, InPath))
    return Fail(EC, "temporary DOT file");
  llvm::FileRemover RemoveIn(InPath);
  {
    llvm::raw_fd_ostream In(InFD, /*shouldClose=*/true);
    In << graphDot(Catalog, Highlight);
    In.close();
    if (In.has_error()) {
      std::error_code EC = In.error();
      In.clear_error();
      return Fail(EC, llvm::Twine("writing ") + InPath);
    }
  }
  if (std::error_code EC = llvm::sys::fs::createTemporaryFile("errorshield-graph", "svg", OutPath))
    return Fail(EC, "temporary SVG file");
  llvm::FileRemover RemoveOut(OutPath);
  if (std::error_code EC = llvm::sys::fs::createTemporaryFile("errorshield-graph", "err", ErrPath))
    return Fail(EC, "temporary error file");
  llvm::FileRemover RemoveErr(ErrPath);

  llvm::StringRef Args[] = {*Dot, "-Tsvg", InPath};
  std::optional<llvm::StringRef> Redirects[] = {llvm::StringRef(""), llvm::StringRef(OutPath),
                                                llvm::StringRef(ErrPath)};
  std::string ErrMsg;
  // A bounded wait: a report must never hang on a wedged Graphviz.
  int RC = llvm::sys::ExecuteAndWait(*Dot, Args, std::nullopt, Redirects, /*SecondsToWait=*/120,
                                     /*MemoryLimit=*/0, &ErrMsg);
  if (RC != 0) {
    std::string Detail = ErrMsg;
    if (auto Err = llvm::MemoryBuffer::getFile(ErrPath, /*IsText=*/true))
      if (llvm::StringRef Stderr = (*Err)->getBuffer().trim(); !Stderr.empty())
        Detail += (Detail.empty() ? "" : "; ") + Stderr.str();
    return llvm::createStringError(std::make_error_code(std::errc::io_error),
                                   "'" + *Dot + " -Tsvg' failed (exit code " + std::to_string(RC) +
                                       ")" + (Detail.empty() ? "" : ": " + Detail));
  }
  auto Out = llvm::MemoryBuffer::getFile(OutPath, /*IsText=*/true,
                                         /*RequiresNullTerminator=*/false);
  if (!Out)
    return Fail(Out.getError(), llvm::Twine("reading ") + OutPath);

  // Inline <svg> in HTML must not carry an XML declaration, DOCTYPE or leading comments; skip
  // those constructs one by one instead of searching for "<svg", which could match inside them.
  llvm::StringRef Svg = (*Out)->getBuffer();
  while (true) {
    Svg = Svg.ltrim();
    llvm::StringRef Close = Svg.starts_with("<?")          ? "?>"
                            : Svg.starts_with("<!--")      ? "-->"
                            : Svg.starts_with("<!DOCTYPE") ? ">"
                                                           : "";
    if (Close.empty())
      break;
    size_t End = Svg.find(Close);
    Svg = End == llvm::StringRef::npos ? llvm::StringRef() : Svg.drop_front(End + Close.size());
  }
  if (!Svg.starts_with("<svg"))
    return llvm::createStringError(std::make_error_code(std::errc::io_error),
                                   "'" + *Dot + " -Tsvg' produced no <svg> element");
  return Svg.rtrim().str();
}

llvm::json::Value graphJson(const CatalogView &Catalog) {
  llvm::json::Array Nodes, Edges;
  for (const PatternInfo &P : Catalog.patterns())
    Nodes.push_back(llvm::json::Object{{"id", P.Id},
                                       {"kind", "pattern"},
                                       {"label", P.Check},
                                       {"category", P.Category},
                                       {"level", P.Level},
                                       {"precision", P.Precision},
                                       {"description", P.ShortText},
                                       {"helpUri", P.HelpUri}});
  for (const ConsequenceInfo &C : Catalog.consequences())
    Nodes.push_back(llvm::json::Object{{"id", C.Id},
                                       {"kind", "consequence"},
                                       {"label", C.Name},
                                       {"description", C.Description},
                                       {"cwe", llvm::json::Array(C.Cwe)}});
  // Edges exactly as stored (both directions of a symmetric relation if the catalog has both):
  // JSON is data for tools, not a picture, so nothing is merged away.
  std::set<std::string> Ids = nodeIds(Catalog);
  for (const PatternInfo &P : Catalog.patterns())
    for (const Relation &R : P.Relations)
      if (Ids.count(R.Target))
        Edges.push_back(llvm::json::Object{
            {"from", P.Id}, {"to", R.Target}, {"relation", R.Relation}, {"kind", R.Kind}});
  return llvm::json::Object{{"nodes", std::move(Nodes)}, {"edges", std::move(Edges)}};
}

} // namespace errorshield
