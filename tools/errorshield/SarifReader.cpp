//===--- SarifReader.cpp - Findings back from an ErrorShield SARIF file ------===//
//
// Reads what SarifWriter writes (and tolerates other tools' SARIF for baselines: a result without our
// fingerprint still has a rule, a file and a line). Used by --baseline and by `errorshield merge`.
//
//===----------------------------------------------------------------------===//

#include "SarifReader.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

namespace errorshield {
namespace {

using llvm::json::Array;
using llvm::json::Object;

std::string text(const Object *O, llvm::StringRef Key) {
  const Object *Inner = O ? O->getObject(Key) : nullptr;
  auto S = Inner ? Inner->getString("text") : std::nullopt;
  return S ? S->str() : "";
}

unsigned number(const Object *O, llvm::StringRef Key) {
  auto N = O ? O->getInteger(Key) : std::nullopt;
  return N && *N > 0 ? static_cast<unsigned>(*N) : 0;
}

/// An artifactLocation back to an absolute path: SRCROOT-relative URIs are joined to the root.
std::string pathOf(const Object *Artifact, llvm::StringRef Root) {
  auto Uri = Artifact ? Artifact->getString("uri") : std::nullopt;
  if (!Uri)
    return "";
  llvm::StringRef U = *Uri;
  if (U.consume_front("file://"))
    return U.str();
  llvm::SmallString<256> Abs(Root);
  llvm::sys::path::append(Abs, U);
  return std::string(Abs);
}

SourcePoint pointOf(const Object *Physical, llvm::StringRef Root) {
  SourcePoint P;
  if (!Physical)
    return P;
  P.File = pathOf(Physical->getObject("artifactLocation"), Root);
  const Object *Region = Physical->getObject("region");
  P.Line = number(Region, "startLine");
  P.Column = number(Region, "startColumn");
  return P;
}

Finding readResult(const Object &Res, llvm::StringRef Root) {
  Finding F;
  const Object *Props = Res.getObject("properties");
  auto RuleId = Res.getString("ruleId");
  auto Check = Props ? Props->getString("check") : std::nullopt;
  F.Check = Check ? Check->str() : RuleId ? RuleId->str() : "";
  if (RuleId && RuleId->starts_with("ES-"))
    F.PatternId = RuleId->str();
  auto Level = Res.getString("level");
  F.Level = Level ? Level->str() : "warning";
  F.Message = text(&Res, "message");
  if (const Array *Locs = Res.getArray("locations"); Locs && !Locs->empty()) {
    const Object *Loc = (*Locs)[0].getAsObject();
    const Object *Physical = Loc ? Loc->getObject("physicalLocation") : nullptr;
    F.Where = pointOf(Physical, Root);
    const Object *Region = Physical ? Physical->getObject("region") : nullptr;
    F.SourceLine = text(Region, "snippet");
    const Object *Context = Physical ? Physical->getObject("contextRegion") : nullptr;
    F.Excerpt = text(Context, "snippet");
    F.ExcerptFirstLine = number(Context, "startLine");
    if (const Array *Logical = Loc ? Loc->getArray("logicalLocations") : nullptr)
      if (!Logical->empty())
        if (auto Name = (*Logical)[0].getAsObject()->getString("fullyQualifiedName"))
          F.Function = Name->str();
  }
  if (const Array *Related = Res.getArray("relatedLocations"))
    for (const llvm::json::Value &V : *Related)
      if (const Object *R = V.getAsObject())
        F.Notes.push_back({pointOf(R->getObject("physicalLocation"), Root), text(R, "message")});
  if (const Array *Fixes = Res.getArray("fixes"); Fixes && !Fixes->empty())
    if (const Array *Changes = (*Fixes)[0].getAsObject()->getArray("artifactChanges"))
      for (const llvm::json::Value &C : *Changes) {
        const Object *Change = C.getAsObject();
        std::string File = pathOf(Change->getObject("artifactLocation"), Root);
        if (const Array *Reps = Change->getArray("replacements"))
          for (const llvm::json::Value &RV : *Reps) {
            const Object *Rep = RV.getAsObject();
            const Object *Del = Rep->getObject("deletedRegion");
            Edit E;
            E.File = File;
            E.Offset = number(Del, "byteOffset");
            E.Length = number(Del, "byteLength");
            E.Start = {File, number(Del, "startLine"), number(Del, "startColumn")};
            E.End = {File, number(Del, "endLine"), number(Del, "endColumn")};
            E.Replacement = text(Rep, "insertedContent");
            F.Fixes.push_back(std::move(E));
          }
      }
  if (const Object *FP = Res.getObject("partialFingerprints"))
    if (auto V = FP->getString("errorshield/v1"))
      F.Fingerprint = V->str();
  if (Props)
    F.Gating = Props->getBoolean("gating").value_or(false);
  return F;
}

} // namespace

llvm::Expected<Report> readSarif(llvm::StringRef Path) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path);
  if (!Buffer)
    return llvm::createStringError(Path + ": " + Buffer.getError().message());
  llvm::Expected<llvm::json::Value> Json = llvm::json::parse((*Buffer)->getBuffer());
  if (!Json)
    return llvm::createStringError(Path + ": not JSON: " + llvm::toString(Json.takeError()));
  const Object *Log = Json->getAsObject();
  const Array *Runs = Log ? Log->getArray("runs") : nullptr;
  if (!Runs)
    return llvm::createStringError(Path + ": /runs: missing: not a SARIF log");
  Report R;
  for (const llvm::json::Value &RunValue : *Runs) {
    const Object *Run = RunValue.getAsObject();
    if (!Run)
      continue;
    std::string Root;
    if (const Object *Bases = Run->getObject("originalUriBaseIds"))
      if (const Object *Src = Bases->getObject("SRCROOT"))
        if (auto Uri = Src->getString("uri"))
          Root = llvm::StringRef(*Uri).drop_front(Uri->starts_with("file://") ? 7 : 0).rtrim('/').str();
    if (R.SourceRoot.empty())
      R.SourceRoot = Root;
    if (const Object *Driver = Run->getObject("tool") ? Run->getObject("tool")->getObject("driver") : nullptr)
      if (auto V = Driver->getString("version"))
        R.ToolVersion = V->str();
    if (const Array *Results = Run->getArray("results"))
      for (const llvm::json::Value &V : *Results)
        if (const Object *Res = V.getAsObject())
          R.Findings.push_back(readResult(*Res, Root));
    const Object *Props = Run->getObject("properties");
    if (const Array *Units = Props ? Props->getArray("units") : nullptr)
      for (const llvm::json::Value &V : *Units) {
        const Object *U = V.getAsObject();
        if (!U)
          continue;
        Unit Out;
        if (auto File = U->getString("file")) {
          llvm::SmallString<256> Abs(Root);
          if (!llvm::sys::path::is_absolute(*File))
            llvm::sys::path::append(Abs, *File);
          else
            Abs = *File;
          Out.File = std::string(Abs);
        }
        Out.Analysed = U->getBoolean("analysed").value_or(true);
        if (auto P = U->getString("problem"))
          Out.Problem = P->str();
        Out.Seconds = U->getNumber("seconds").value_or(0);
        R.Units.push_back(std::move(Out));
      }
  }
  return R;
}

} // namespace errorshield
