//===--- CatalogCommands.cpp - errorshield explain and errorshield graph ------===//

#include "CatalogView.h"
#include "Commands.h"
#include "Graph.h"
#include "llvm/Support/FormatVariadic.h"

namespace cl = llvm::cl;

namespace errorshield {

namespace {

cl::opt<std::string> Subject(cl::Positional, cl::Required, cl::sub(explainCommand()),
                             cl::desc("<pattern id | check name>"));

enum class GraphFormat { Dot, Svg, Json };
cl::opt<GraphFormat> Format("format", cl::sub(graphCommand()), cl::desc("Output format"),
                            cl::init(GraphFormat::Dot),
                            cl::values(clEnumValN(GraphFormat::Dot, "dot", "Graphviz DOT"),
                                       clEnumValN(GraphFormat::Svg, "svg", "SVG (runs `dot`)"),
                                       clEnumValN(GraphFormat::Json, "json", "nodes and edges")));
cl::list<std::string> Highlight("highlight", cl::CommaSeparated, cl::sub(graphCommand()),
                                cl::desc("Pattern ids to highlight"));

void section(llvm::raw_ostream &OS, llvm::StringRef Title, llvm::StringRef Text) {
  if (Text.empty())
    return;
  OS << Title << ":\n";
  llvm::SmallVector<llvm::StringRef> Lines;
  Text.split(Lines, '\n');
  for (llvm::StringRef Line : Lines)
    OS << "  " << Line << "\n";
  OS << "\n";
}

std::string joined(const std::vector<std::string> &Items) {
  std::string Out;
  for (const std::string &I : Items)
    Out += (Out.empty() ? "" : ", ") + I;
  return Out;
}

} // namespace

int runExplain() {
  const CatalogView &Catalog = CatalogView::builtin();
  const PatternInfo *P = Catalog.lookup(Subject);
  if (!P) {
    llvm::errs() << "errorshield: no pattern or check named '" << Subject
                 << "'; known patterns:\n";
    for (const PatternInfo &Known : Catalog.patterns())
      llvm::errs() << "  " << Known.Id << "  " << Known.Check << "\n";
    return ExitUsage;
  }
  llvm::raw_ostream &OS = llvm::outs();
  OS << P->Id << "  " << P->Check << "\n" << P->ShortText << "\n\n";
  OS << llvm::formatv("level: {0}   precision: {1}   category: {2}   CWE: {3}\n\n", P->Level,
                      P->Precision, P->Category, P->Cwe.empty() ? "-" : joined(P->Cwe));
  section(OS, "What it is", P->FullText);
  section(OS, "Trigger (what the check matches)", P->Trigger);
  section(OS, "Context (where it shows up)", P->Context);
  section(OS, "Consequence", P->Consequence);
  section(OS, "Seen in the wild", P->Seed);
  section(OS, "Fix", P->FixText);
  section(OS, "BAD", P->FixBad);
  section(OS, "GOOD", P->FixGood);
  if (!P->Relations.empty()) {
    OS << "Related:\n";
    for (const Relation &R : P->Relations) {
      std::string Name;
      if (const PatternInfo *Other = Catalog.byId(R.Target))
        Name = Other->Check + ": " + Other->ShortText;
      else if (const ConsequenceInfo *C = Catalog.consequence(R.Target))
        Name = C->Name;
      OS << llvm::formatv("  {0,-16} {1,-22} {2}\n", R.Relation, R.Target, Name);
    }
    OS << "\n";
  }
  OS << "Docs: " << docsBase() << P->HelpUri << "\n";
  if (!P->ExampleBad.empty())
    OS << "Examples: " << P->ExampleBad << ", " << P->ExampleGood << "\n";
  return ExitClean;
}

int runGraph() {
  const CatalogView &Catalog = CatalogView::builtin();
  std::set<std::string> Ids(Highlight.begin(), Highlight.end());
  switch (Format) {
  case GraphFormat::Dot:
    llvm::outs() << graphDot(Catalog, Ids);
    return ExitClean;
  case GraphFormat::Json:
    llvm::outs() << llvm::formatv("{0:2}", graphJson(Catalog)) << "\n";
    return ExitClean;
  case GraphFormat::Svg:
    llvm::Expected<std::string> Svg = graphSvg(Catalog, Ids);
    if (!Svg) {
      llvm::errs() << "errorshield: " << llvm::toString(Svg.takeError()) << "\n";
      return ExitUsage;
    }
    llvm::outs() << *Svg;
    return ExitClean;
  }
  return ExitClean;
}

} // namespace errorshield
