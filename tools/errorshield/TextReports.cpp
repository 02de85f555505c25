//===--- TextReports.cpp - clang-style text and plain JSON ---------------------===//

#include "CatalogView.h"
#include "FindingBuilder.h"
#include "Reports.h"
#include "llvm/Support/JSON.h"

namespace errorshield {
namespace {

void caretLine(llvm::raw_ostream &OS, llvm::StringRef Line, unsigned Column) {
  OS << Line << "\n";
  for (unsigned I = 1; I < Column && I <= Line.size(); ++I)
    OS << (Line[I - 1] == '\t' ? '\t' : ' ');
  OS << "^\n";
}

llvm::json::Object point(const SourcePoint &P, llvm::StringRef Root) {
  return llvm::json::Object{
      {"file", relativePath(P.File, Root)}, {"line", P.Line}, {"column", P.Column}};
}

} // namespace

void writeText(const Report &R, const CatalogView &Catalog, llvm::raw_ostream &OS) {
  unsigned Gating = 0;
  for (const Finding &F : R.Findings) {
    Gating += F.Gating;
    // The same shape as clang-tidy's output, so editors and problem matchers parse it.
    OS << F.Where.File << ":" << F.Where.Line << ":" << F.Where.Column << ": " << F.Level << ": "
       << F.Message << " [" << F.Check << "]\n";
    if (!F.SourceLine.empty())
      caretLine(OS, F.SourceLine, F.Where.Column);
    for (const Note &N : F.Notes)
      OS << N.Where.File << ":" << N.Where.Line << ":" << N.Where.Column << ": note: "
         << N.Message << "\n";
  }
  unsigned Failed = 0;
  for (const Unit &U : R.Units)
    if (!U.Analysed) {
      ++Failed;
      OS << U.File << ": error: could not be analysed: " << U.Problem << "\n";
    }
  OS << "errorshield: " << R.Findings.size() << " finding(s), " << Gating << " gating, in "
     << R.Units.size() - Failed << " analysed unit(s)";
  if (Failed)
    OS << "; " << Failed << " unit(s) could not be analysed";
  OS << "\n";
}

void writeJson(const Report &R, const CatalogView &Catalog, llvm::raw_ostream &OS) {
  llvm::json::Array Findings, Units;
  for (const Finding &F : R.Findings) {
    llvm::json::Array Notes, Fixes;
    for (const Note &N : F.Notes)
      Notes.push_back(llvm::json::Object{{"location", point(N.Where, R.SourceRoot)},
                                         {"message", N.Message}});
    for (const Edit &E : F.Fixes)
      Fixes.push_back(llvm::json::Object{{"file", relativePath(E.File, R.SourceRoot)},
                                         {"offset", E.Offset},
                                         {"length", E.Length},
                                         {"replacement", E.Replacement}});
    const PatternInfo *P = Catalog.patternOf(F);
    Findings.push_back(llvm::json::Object{
        {"check", F.Check},
        {"pattern", F.PatternId},
        {"level", F.Level},
        {"precision", P ? P->Precision : ""},
        {"category", P ? P->Category : ""},
        {"message", F.Message},
        {"location", point(F.Where, R.SourceRoot)},
        {"function", F.Function},
        {"fingerprint", F.Fingerprint},
        {"gating", F.Gating},
        {"notes", std::move(Notes)},
        {"fixes", std::move(Fixes)}});
  }
  for (const Unit &U : R.Units)
    Units.push_back(llvm::json::Object{{"file", relativePath(U.File, R.SourceRoot)},
                                       {"analysed", U.Analysed},
                                       {"problem", U.Problem},
                                       {"seconds", U.Seconds}});
  llvm::json::Object Root{{"tool", "errorshield"},
                          {"version", R.ToolVersion},
                          {"sourceRoot", R.SourceRoot},
                          {"findings", std::move(Findings)},
                          {"units", std::move(Units)}};
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Root))) << "\n";
}

} // namespace errorshield
