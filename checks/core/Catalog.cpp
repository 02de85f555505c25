//===--- Catalog.cpp - The ErrorShield pattern catalog ----------------------===//

#include "core/Catalog.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include <mutex>

namespace clang::tidy::errorshield {
namespace {

const char BuiltinCatalogText[] =
#include "BuiltinCatalog.inc"
    ;

/// Appends one RFC 6901 reference token to a JSON pointer.
std::string child(llvm::StringRef Pointer, llvm::StringRef Token) {
  std::string Out = Pointer.str() + "/";
  for (char C : Token) {
    if (C == '~')
      Out += "~0";
    else if (C == '/')
      Out += "~1";
    else
      Out += C;
  }
  return Out;
}

std::string child(llvm::StringRef Pointer, size_t Index) {
  return Pointer.str() + "/" + std::to_string(Index);
}

/// Reads a catalog document, remembering the file name so every error can name it.
class CatalogReader {
public:
  CatalogReader(llvm::StringRef FileName, bool IsExtra) : FileName(FileName), IsExtra(IsExtra) {}

  llvm::Error read(const llvm::json::Value &Root, std::vector<Pattern> &Out) const {
    const auto *Obj = Root.getAsObject();
    if (!Obj)
      return problem("", "expected an object with a \"patterns\" array");
    const llvm::json::Value *Patterns = Obj->get("patterns");
    if (!Patterns)
      return IsExtra ? llvm::Error::success()
                     : problem("/patterns", "missing required array");
    const auto *Arr = Patterns->getAsArray();
    if (!Arr)
      return problem("/patterns", "expected an array");
    for (size_t I = 0; I < Arr->size(); ++I) {
      Pattern P;
      if (llvm::Error E = readPattern((*Arr)[I], child("/patterns", I), P))
        return E;
      Out.push_back(std::move(P));
    }
    return llvm::Error::success();
  }

private:
  llvm::Error problem(llvm::StringRef Pointer, const llvm::Twine &What) const {
    // An empty pointer is the whole document (RFC 6901); print it so the position is never ambiguous.
    return llvm::createStringError(llvm::formatv("{0}: {1}: {2}", FileName,
                                                 Pointer.empty() ? "(document root)" : Pointer,
                                                 What.str())
                                       .str());
  }

  llvm::Error readString(const llvm::json::Object &Obj, llvm::StringRef Key,
                         llvm::StringRef Pointer, bool Required, std::string &Out) const {
    const llvm::json::Value *V = Obj.get(Key);
    if (!V)
      return Required ? problem(child(Pointer, Key), "missing required string")
                      : llvm::Error::success();
    std::optional<llvm::StringRef> S = V->getAsString();
    if (!S || S->trim().empty())
      return problem(child(Pointer, Key), "expected a non-empty string");
    Out = S->str();
    return llvm::Error::success();
  }

  llvm::Error readOptionValue(const llvm::json::Value &V, llvm::StringRef Pointer,
                              std::vector<std::string> &Out) const {
    if (std::optional<llvm::StringRef> S = V.getAsString()) {
      Out.push_back(S->str());
    } else if (std::optional<bool> B = V.getAsBoolean()) {
      Out.push_back(*B ? "true" : "false");
    } else if (std::optional<int64_t> I = V.getAsInteger()) {
      Out.push_back(std::to_string(*I));
    } else if (std::optional<double> D = V.getAsNumber()) {
      Out.push_back(llvm::formatv("{0}", *D).str());
    } else if (const auto *Arr = V.getAsArray()) {
      for (size_t I = 0; I < Arr->size(); ++I) {
        std::optional<llvm::StringRef> Item = (*Arr)[I].getAsString();
        if (!Item || Item->empty())
          return problem(child(Pointer, I), "expected a non-empty string in an option list");
        if (Item->contains(';'))
          return problem(child(Pointer, I), "option values must not contain ';'");
        Out.push_back(Item->str());
      }
    } else {
      return problem(Pointer, "expected a string, number, boolean or array of strings");
    }
    return llvm::Error::success();
  }

  llvm::Error readPattern(const llvm::json::Value &V, llvm::StringRef Pointer, Pattern &P) const {
    const auto *Obj = V.getAsObject();
    if (!Obj)
      return problem(Pointer, "expected a pattern object");
    // An extra catalog may extend a built-in pattern by id alone; a new pattern must be complete,
    // which the caller checks once it knows whether the id is new.
    if (llvm::Error E = readString(*Obj, "id", Pointer, /*Required=*/true, P.Id))
      return E;
    if (llvm::Error E = readString(*Obj, "name", Pointer, !IsExtra, P.CheckName))
      return E;
    if (llvm::Error E = readString(*Obj, "helpUri", Pointer, !IsExtra, P.HelpUri))
      return E;
    if (const llvm::json::Value *Cfg = Obj->get("defaultConfiguration")) {
      const auto *CfgObj = Cfg->getAsObject();
      if (!CfgObj)
        return problem(child(Pointer, "defaultConfiguration"), "expected an object");
      if (llvm::Error E = readString(*CfgObj, "level", child(Pointer, "defaultConfiguration"),
                                     /*Required=*/false, P.Level))
        return E;
      if (!P.Level.empty() && !llvm::is_contained({"none", "note", "warning", "error"}, P.Level))
        return problem(child(child(Pointer, "defaultConfiguration"), "level"),
                       "expected one of none, note, warning, error");
    }
    const llvm::json::Value *Props = Obj->get("properties");
    if (!Props)
      return llvm::Error::success();
    std::string PropsPtr = child(Pointer, "properties");
    const auto *PropsObj = Props->getAsObject();
    if (!PropsObj)
      return problem(PropsPtr, "expected an object");
    const llvm::json::Value *Options = PropsObj->get("options");
    if (!Options)
      return llvm::Error::success();
    std::string OptionsPtr = child(PropsPtr, "options");
    const auto *OptionsObj = Options->getAsObject();
    if (!OptionsObj)
      return problem(OptionsPtr, "expected an object mapping option names to values");
    for (const auto &[Key, Value] : *OptionsObj) {
      std::vector<std::string> Values;
      if (llvm::Error E = readOptionValue(Value, child(OptionsPtr, Key), Values))
        return E;
      if (!Value.getAsArray())
        P.ScalarOptions.insert(Key);
      P.Options[Key.str()] = std::move(Values);
    }
    return llvm::Error::success();
  }

  std::string FileName;
  bool IsExtra;
};

} // namespace

llvm::Expected<Catalog> Catalog::parse(llvm::StringRef Json, llvm::StringRef FileName,
                                       bool IsExtra) {
  llvm::Expected<llvm::json::Value> Root = llvm::json::parse(Json);
  if (!Root)
    return llvm::createStringError(
        llvm::formatv("{0}: (document root): invalid JSON: {1}", FileName,
                      llvm::toString(Root.takeError()))
            .str());
  Catalog Result;
  if (llvm::Error E = CatalogReader(FileName, IsExtra).read(*Root, Result.Patterns))
    return std::move(E);
  return Result;
}

llvm::StringRef Catalog::builtinText() { return BuiltinCatalogText; }

const Catalog &Catalog::builtin() {
  // The built-in text is validated against the schema by the test suite, so a failure here is a
  // build defect; it still must not crash the host, hence an empty catalog and a message.
  static const Catalog Builtin = [] {
    llvm::Expected<Catalog> C = parse(BuiltinCatalogText, "<built-in catalog>", false);
    if (C)
      return std::move(*C);
    llvm::errs() << "errorshield: " << llvm::toString(C.takeError()) << "\n";
    return Catalog();
  }();
  return Builtin;
}

void Catalog::extendWith(const Catalog &Extra) {
  for (const Pattern &Add : Extra.Patterns) {
    Pattern *Existing = nullptr;
    for (Pattern &P : Patterns)
      if (P.Id == Add.Id)
        Existing = &P;
    if (!Existing) {
      Patterns.push_back(Add);
      continue;
    }
    for (const auto &Opt : Add.Options) {
      std::vector<std::string> &Values = Existing->Options[Opt.getKey()];
      // A scalar (a prefix, a threshold) cannot be extended, only replaced.
      if (Existing->ScalarOptions.contains(Opt.getKey()) || Add.ScalarOptions.contains(Opt.getKey()))
        Values.clear();
      for (const std::string &V : Opt.getValue())
        if (!llvm::is_contained(Values, V))
          Values.push_back(V);
    }
  }
}

const Pattern *Catalog::findByCheckName(llvm::StringRef CheckName) const {
  for (const Pattern &P : Patterns)
    if (P.CheckName == CheckName)
      return &P;
  return nullptr;
}

const Pattern *Catalog::findById(llvm::StringRef Id) const {
  for (const Pattern &P : Patterns)
    if (P.Id == Id)
      return &P;
  return nullptr;
}

/// A new pattern in an extra catalog must say which check it belongs to and where its docs are.
static llvm::Error checkNewPatternsComplete(const Catalog &Extra, const Catalog &Base,
                                            llvm::StringRef FileName) {
  for (size_t I = 0; I < Extra.patterns().size(); ++I) {
    const Pattern &P = Extra.patterns()[I];
    if (Base.findById(P.Id))
      continue;
    for (auto [Field, Value] : {std::pair<const char *, llvm::StringRef>{"name", P.CheckName},
                                {"helpUri", P.HelpUri}})
      if (Value.empty())
        return llvm::createStringError(llvm::formatv("{0}: /patterns/{1}/{2}: missing required "
                                                     "string (new pattern '{3}')",
                                                     FileName, I, Field, P.Id)
                                           .str());
  }
  return llvm::Error::success();
}

static LoadedCatalog loadUncached(llvm::StringRef ExtraPath) {
  LoadedCatalog Result;
  auto Builtin = std::make_shared<Catalog>(Catalog::builtin());
  Result.Effective = Builtin;
  if (ExtraPath.empty())
    return Result;
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Buffer =
      llvm::MemoryBuffer::getFile(ExtraPath, /*IsText=*/true);
  if (!Buffer) {
    Result.Problem = llvm::formatv("{0}: (document root): cannot read extra catalog: {1}",
                                   ExtraPath, Buffer.getError().message())
                         .str();
    return Result;
  }
  llvm::Expected<Catalog> Extra = Catalog::parse((*Buffer)->getBuffer(), ExtraPath, true);
  llvm::Error Incomplete =
      Extra ? checkNewPatternsComplete(*Extra, *Builtin, ExtraPath) : Extra.takeError();
  if (Incomplete) {
    Result.Problem = llvm::toString(std::move(Incomplete)) +
                     " (the built-in catalog stays in force)";
    return Result;
  }
  auto Merged = std::make_shared<Catalog>(*Builtin);
  Merged->extendWith(*Extra);
  Result.Effective = std::move(Merged);
  return Result;
}

LoadedCatalog loadCatalog(llvm::StringRef ExtraPath) {
  // clangd builds checks on several threads and for every edit; one parse per file version serves
  // them all, and an edited extra catalog (new modification time) is read again.
  static std::mutex Mutex;
  static llvm::StringMap<LoadedCatalog> Cache;
  std::string Key = ExtraPath.str();
  llvm::sys::fs::file_status Status;
  if (!ExtraPath.empty() && !llvm::sys::fs::status(ExtraPath, Status))
    Key += "@" + std::to_string(Status.getLastModificationTime().time_since_epoch().count());
  std::lock_guard<std::mutex> Lock(Mutex);
  auto It = Cache.find(Key);
  if (It == Cache.end())
    It = Cache.try_emplace(Key, loadUncached(ExtraPath)).first;
  return It->second;
}

} // namespace clang::tidy::errorshield
