//===--- CatalogView.cpp - The knowledge graph as reports need it ------------===//

#include "CatalogView.h"
#include "Finding.h"
#include "core/Catalog.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"

namespace errorshield {
namespace {

std::string str(const llvm::json::Object *O, llvm::StringRef Key) {
  if (!O)
    return "";
  if (auto S = O->getString(Key))
    return S->str();
  return "";
}

std::string text(const llvm::json::Object *O, llvm::StringRef Key) {
  return str(O ? O->getObject(Key) : nullptr, "text");
}

std::vector<std::string> strings(const llvm::json::Object *O, llvm::StringRef Key) {
  std::vector<std::string> Out;
  if (const llvm::json::Array *A = O ? O->getArray(Key) : nullptr)
    for (const llvm::json::Value &V : *A)
      if (auto S = V.getAsString())
        Out.push_back(S->str());
  return Out;
}

PatternInfo readPattern(const llvm::json::Object &P) {
  PatternInfo I;
  I.Raw = &P;
  I.Id = str(&P, "id");
  I.Check = str(&P, "name");
  I.ShortText = text(&P, "shortDescription");
  I.FullText = text(&P, "fullDescription");
  I.HelpUri = str(&P, "helpUri");
  I.Level = str(P.getObject("defaultConfiguration"), "level");
  const llvm::json::Object *Props = P.getObject("properties");
  I.Category = str(Props, "category");
  I.Precision = str(Props, "precision");
  I.Seed = str(Props, "seed");
  I.Trigger = str(Props, "trigger");
  I.Context = str(Props, "context");
  I.Consequence = str(Props, "consequence");
  I.Engine = str(Props, "engine");
  if (I.Engine.empty())
    I.Engine = "clang-tidy";
  I.FixIt = Props && Props->getBoolean("fixIt").value_or(false);
  const llvm::json::Object *Fix = Props ? Props->getObject("fix") : nullptr;
  I.FixText = str(Fix, "text");
  I.FixBad = str(Fix, "bad");
  I.FixGood = str(Fix, "good");
  const llvm::json::Object *Examples = Props ? Props->getObject("examples") : nullptr;
  I.ExampleBad = str(Examples, "bad");
  I.ExampleGood = str(Examples, "good");
  I.Tags = strings(Props, "tags");
  I.Cwe = strings(Props, "cwe");
  I.Tests = strings(Props, "tests");
  if (const llvm::json::Array *Rels = P.getArray("relationships")) {
    for (const llvm::json::Value &V : *Rels) {
      const llvm::json::Object *R = V.getAsObject();
      if (!R)
        continue;
      Relation Rel;
      Rel.Target = str(R->getObject("target"), "id");
      Rel.Relation = str(R->getObject("properties"), "relation");
      std::vector<std::string> Kinds = strings(R, "kinds");
      Rel.Kind = Kinds.empty() ? "relevant" : Kinds.front();
      I.Relations.push_back(std::move(Rel));
    }
  }
  return I;
}

} // namespace

CatalogView::CatalogView(llvm::json::Value Parsed) : Json(std::move(Parsed)) {
  const llvm::json::Object *Root = Json.getAsObject();
  if (!Root)
    return;
  if (const llvm::json::Array *Ps = Root->getArray("patterns"))
    for (const llvm::json::Value &V : *Ps)
      if (const llvm::json::Object *P = V.getAsObject())
        Patterns.push_back(readPattern(*P));
  if (const llvm::json::Array *Cs = Root->getArray("consequences"))
    for (const llvm::json::Value &V : *Cs)
      if (const llvm::json::Object *C = V.getAsObject())
        Consequences.push_back({str(C, "id"), str(C, "name"), str(C, "description"),
                                strings(C, "cwe")});
}

const CatalogView &CatalogView::builtin() {
  // The bundled catalog is validated by the build's lint; failing to parse it is a build defect.
  static const CatalogView Builtin = [] {
    llvm::Expected<llvm::json::Value> Parsed = llvm::json::parse(clang::tidy::errorshield::Catalog::builtinText());
    if (!Parsed)
      llvm::report_fatal_error(llvm::Twine("errorshield: the bundled catalog is not JSON: ") +
                               llvm::toString(Parsed.takeError()));
    return CatalogView(std::move(*Parsed));
  }();
  return Builtin;
}

const PatternInfo *CatalogView::byCheck(llvm::StringRef Check) const {
  for (const PatternInfo &P : Patterns)
    if (P.Check == Check)
      return &P;
  return nullptr;
}

const PatternInfo *CatalogView::byId(llvm::StringRef Id) const {
  for (const PatternInfo &P : Patterns)
    if (llvm::StringRef(P.Id).equals_insensitive(Id))
      return &P;
  return nullptr;
}

const PatternInfo *CatalogView::lookup(llvm::StringRef IdOrName) const {
  if (const PatternInfo *P = byId(IdOrName))
    return P;
  if (const PatternInfo *P = byCheck(IdOrName))
    return P;
  return byCheck(("errorshield-" + IdOrName).str());
}

const PatternInfo *CatalogView::patternOf(const Finding &F) const {
  if (const PatternInfo *P = byCheck(F.Check))
    return P;
  return F.PatternId.empty() ? nullptr : byId(F.PatternId);
}

const ConsequenceInfo *CatalogView::consequence(llvm::StringRef Id) const {
  for (const ConsequenceInfo &C : Consequences)
    if (C.Id == Id)
      return &C;
  return nullptr;
}

int CatalogView::precisionRank(llvm::StringRef Precision) {
  return llvm::StringSwitch<int>(Precision)
      .Case("low", 1)
      .Case("medium", 2)
      .Case("high", 3)
      .Case("very-high", 4)
      .Default(0);
}

int CatalogView::levelRank(llvm::StringRef Level) {
  return llvm::StringSwitch<int>(Level)
      .Case("none", 0)
      .Case("note", 1)
      .Case("warning", 2)
      .Case("error", 3)
      .Default(-1);
}

} // namespace errorshield
