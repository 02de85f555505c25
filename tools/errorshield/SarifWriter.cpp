//===--- SarifWriter.cpp - SARIF 2.1.0 output ----------------------------------===//
//
// Rules come from the catalog (its entries are already SARIF reportingDescriptors); consequences are
// a taxonomy so rule relationships can point at them. Everything a report needs is written, so that
// SarifReader can rebuild the Report for baselines and merges.
//
//===----------------------------------------------------------------------===//

#include "CatalogView.h"
#include "FindingBuilder.h"
#include "Reports.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"

namespace errorshield {
namespace {

using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

constexpr const char *Taxonomy = "ErrorShieldConsequences";

// By value: a json::Value made from a StringRef does not copy the characters.
Object messageText(std::string Text) { return Object{{"text", std::move(Text)}}; }

/// GitHub code scanning ranks security results by this number (CVSS-like, 0-10).
std::string securitySeverity(const PatternInfo &P) {
  if (P.Level == "error")
    return "8.0";
  if (P.Level == "warning")
    return P.Precision == "high" || P.Precision == "very-high" ? "6.5" : "5.0";
  return "3.0";
}

Object rule(const PatternInfo &P, llvm::StringRef DocsBase) {
  Object Props{{"category", P.Category},
               {"precision", P.Precision},
               {"tags", Array(P.Tags)},
               {"cwe", Array(P.Cwe)},
               {"security-severity", securitySeverity(P)},
               {"engine", P.Engine}};
  Array Relationships;
  for (const Relation &R : P.Relations) {
    Object Target{{"id", R.Target}};
    if (llvm::StringRef(R.Target).starts_with("CQ-"))
      Target["toolComponent"] = Object{{"name", Taxonomy}};
    Relationships.push_back(Object{{"target", std::move(Target)},
                                   {"kinds", Array{R.Kind}},
                                   {"properties", Object{{"relation", R.Relation}}}});
  }
  Object Help{{"text", P.FixText}, {"markdown", "**Fix:** " + P.FixText + "\n\nBAD:\n```cpp\n" +
                                                    P.FixBad + "\n```\nGOOD:\n```cpp\n" +
                                                    P.FixGood + "\n```"}};
  return Object{{"id", P.Id},
                {"name", P.Check},
                {"shortDescription", messageText(P.ShortText)},
                {"fullDescription", messageText(P.FullText)},
                {"help", std::move(Help)},
                {"helpUri", DocsBase.str() + P.HelpUri},
                {"defaultConfiguration", Object{{"level", P.Level}}},
                {"relationships", std::move(Relationships)},
                {"properties", std::move(Props)}};
}

Object artifact(llvm::StringRef File, const Report &R) {
  std::string Rel = relativePath(File, R.SourceRoot);
  if (Rel != File)
    return Object{{"uri", Rel}, {"uriBaseId", "SRCROOT"}};
  return Object{{"uri", "file://" + File.str()}};
}

Object region(const SourcePoint &P) {
  Object Region{{"startLine", std::max(1u, P.Line)}};
  if (P.Column)
    Region["startColumn"] = P.Column;
  return Region;
}

Object physical(const SourcePoint &P, const Report &R) {
  return Object{{"artifactLocation", artifact(P.File, R)}, {"region", region(P)}};
}

Object result(const Finding &F, const Report &R, llvm::StringMap<unsigned> &RuleIndex) {
  Object Loc = physical(F.Where, R);
  Object *Region = Loc.getObject("region");
  (*Region)["snippet"] = messageText(F.SourceLine);
  if (!F.Excerpt.empty()) {
    unsigned Last = F.ExcerptFirstLine + llvm::StringRef(F.Excerpt).count('\n');
    Loc["contextRegion"] = Object{{"startLine", F.ExcerptFirstLine},
                                  {"endLine", Last},
                                  {"snippet", messageText(F.Excerpt)}};
  }
  Object Location{{"physicalLocation", std::move(Loc)}};
  if (!F.Function.empty())
    Location["logicalLocations"] =
        Array{Object{{"fullyQualifiedName", F.Function}, {"kind", "function"}}};

  Array Related;
  for (const Note &N : F.Notes)
    Related.push_back(Object{{"id", Related.size() + 1},
                             {"physicalLocation", physical(N.Where, R)},
                             {"message", messageText(N.Message)}});
  Array Fixes;
  if (!F.Fixes.empty()) {
    Array Changes;
    for (const Edit &E : F.Fixes) {
      Object Deleted{{"startLine", E.Start.Line}, {"startColumn", E.Start.Column},
                     {"endLine", E.End.Line},     {"endColumn", E.End.Column},
                     {"byteOffset", E.Offset},    {"byteLength", E.Length}};
      Changes.push_back(Object{
          {"artifactLocation", artifact(E.File, R)},
          {"replacements", Array{Object{{"deletedRegion", std::move(Deleted)},
                                        {"insertedContent", messageText(E.Replacement)}}}}});
    }
    Fixes.push_back(Object{{"description", messageText("clang-tidy fix-it of " + F.Check)},
                           {"artifactChanges", std::move(Changes)}});
  }
  std::string RuleId = F.PatternId.empty() ? F.Check : F.PatternId;
  Object Result{{"ruleId", RuleId},
                {"ruleIndex", RuleIndex.lookup(RuleId)},
                {"level", F.Level},
                {"message", messageText(F.Message)},
                {"locations", Array{std::move(Location)}},
                {"partialFingerprints", Object{{"errorshield/v1", F.Fingerprint}}},
                {"properties", Object{{"check", F.Check}, {"gating", F.Gating}}}};
  if (!Related.empty())
    Result["relatedLocations"] = std::move(Related);
  if (!Fixes.empty())
    Result["fixes"] = std::move(Fixes);
  return Result;
}

} // namespace

void writeSarif(const Report &R, const CatalogView &Catalog, llvm::raw_ostream &OS) {
  Array Rules;
  llvm::StringMap<unsigned> RuleIndex;
  for (const PatternInfo &P : Catalog.patterns()) {
    RuleIndex[P.Id] = Rules.size();
    Rules.push_back(rule(P, R.DocsBase));
  }
  for (const Finding &F : R.Findings) // Checks outside the catalog get a minimal rule.
    if (F.PatternId.empty() && !RuleIndex.count(F.Check)) {
      RuleIndex[F.Check] = Rules.size();
      Rules.push_back(Object{{"id", F.Check}, {"name", F.Check},
                             {"properties", Object{{"engine", "clang-tidy"}}}});
    }
  Array Taxa;
  for (const ConsequenceInfo &C : Catalog.consequences())
    Taxa.push_back(Object{{"id", C.Id}, {"name", C.Name},
                          {"shortDescription", messageText(C.Description)}});

  Array Results;
  for (const Finding &F : R.Findings)
    Results.push_back(result(F, R, RuleIndex));

  Array Notifications, Units;
  bool AllAnalysed = true;
  for (const Unit &U : R.Units) {
    Units.push_back(Object{{"file", relativePath(U.File, R.SourceRoot)},
                           {"analysed", U.Analysed},
                           {"problem", U.Problem},
                           {"seconds", U.Seconds}});
    if (U.Analysed)
      continue;
    AllAnalysed = false;
    Notifications.push_back(Object{
        {"level", "error"},
        {"message", messageText(relativePath(U.File, R.SourceRoot) + ": " + U.Problem)},
        {"locations", Array{Object{{"physicalLocation",
                                    Object{{"artifactLocation", artifact(U.File, R)}}}}}}});
  }

  Object Run{
      {"tool", Object{{"driver", Object{{"name", "ErrorShield"},
                                        {"version", R.ToolVersion},
                                        {"informationUri", R.DocsBase + "README.md"},
                                        {"rules", std::move(Rules)}}}}},
      {"taxonomies", Array{Object{{"name", Taxonomy}, {"taxa", std::move(Taxa)}}}},
      {"originalUriBaseIds",
       Object{{"SRCROOT", Object{{"uri", "file://" + R.SourceRoot + "/"}}}}},
      {"invocations", Array{Object{{"executionSuccessful", AllAnalysed},
                                   {"toolExecutionNotifications", std::move(Notifications)}}}},
      {"results", std::move(Results)},
      {"properties", Object{{"units", std::move(Units)}}}};
  Value Log = Object{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                     {"version", "2.1.0"},
                     {"runs", Array{std::move(Run)}}};
  OS << llvm::formatv("{0:2}", Log) << "\n";
}

} // namespace errorshield
