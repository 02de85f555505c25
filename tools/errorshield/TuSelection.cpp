//===--- TuSelection.cpp - Which translation units a scan analyses ------------===//

#include "TuSelection.h"
#include "FindingBuilder.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <algorithm>

using namespace clang::tooling;

namespace errorshield {
namespace {

bool isUnder(llvm::StringRef File, llvm::StringRef Dir) {
  return File == Dir || (File.starts_with(Dir) && File.size() > Dir.size() && File[Dir.size()] == '/');
}

llvm::Expected<std::unique_ptr<CompilationDatabase>> loadDatabase(llvm::StringRef BuildPath) {
  // A gate must not quietly scan another project: no search in parent directories (unlike
  // clang-tidy), and a malformed database is reported as such.
  if (!llvm::sys::fs::exists(BuildPath))
    return llvm::createStringError("-p " + BuildPath + ": no such file or directory");
  llvm::SmallString<256> File(BuildPath);
  if (llvm::sys::fs::is_directory(File))
    llvm::sys::path::append(File, "compile_commands.json");
  std::string Error;
  std::unique_ptr<CompilationDatabase> DB;
  if (llvm::sys::fs::is_regular_file(File))
    DB = JSONCompilationDatabase::loadFromFile(File, Error, JSONCommandLineSyntax::AutoDetect);
  else
    DB = CompilationDatabase::loadFromDirectory(BuildPath, Error);
  if (!DB)
    return llvm::createStringError("-p " + BuildPath + ": no compile database: " + Error);
  return std::move(DB);
}

} // namespace

llvm::Expected<TuSelection> selectTranslationUnits(llvm::StringRef BuildPath,
                                                   const std::vector<std::string> &Paths,
                                                   llvm::StringRef Shard,
                                                   std::unique_ptr<CompilationDatabase> Fixed) {
  unsigned ShardIndex = 1, ShardCount = 1;
  if (!Shard.empty()) {
    auto [I, N] = Shard.split('/');
    if (I.getAsInteger(10, ShardIndex) || N.getAsInteger(10, ShardCount) || ShardCount == 0 ||
        ShardIndex == 0 || ShardIndex > ShardCount)
      return llvm::createStringError("--shard " + Shard + ": expected i/n with 1 <= i <= n");
  }
  TuSelection Selection;
  std::vector<std::string> Wanted;
  for (const std::string &P : Paths) {
    if (!llvm::sys::fs::exists(P))
      return llvm::createStringError(P + ": no such file or directory");
    Wanted.push_back(absolutePath(P));
  }
  if (Fixed) {
    if (Wanted.empty())
      return llvm::createStringError("no files to analyse: name them before `--`");
    Selection.Database = std::move(Fixed);
    for (const std::string &P : Wanted) {
      if (llvm::sys::fs::is_directory(P))
        return llvm::createStringError(P + ": with flags after `--`, name files, not directories");
      Selection.Files.push_back(P);
    }
  } else {
    if (BuildPath.empty())
      return llvm::createStringError("no compile database: pass -p <build dir> or flags after `--`");
    auto DB = loadDatabase(BuildPath);
    if (!DB)
      return DB.takeError();
    Selection.Database = std::move(*DB);
    for (const std::string &File : Selection.Database->getAllFiles()) {
      std::string Abs = absolutePath(File);
      if (Wanted.empty() || llvm::any_of(Wanted, [&](const std::string &W) { return isUnder(Abs, W); }))
        Selection.Files.push_back(Abs);
    }
    if (Selection.Files.empty())
      return llvm::createStringError(Wanted.empty() ? "the compile database lists no file"
                                                    : "no translation unit of the compile "
                                                      "database matches the given paths");
  }
  std::sort(Selection.Files.begin(), Selection.Files.end());
  Selection.Files.erase(std::unique(Selection.Files.begin(), Selection.Files.end()),
                        Selection.Files.end());
  std::vector<std::string> Slice;
  for (size_t I = 0; I < Selection.Files.size(); ++I)
    if (I % ShardCount == ShardIndex - 1)
      Slice.push_back(Selection.Files[I]);
  Selection.Files = std::move(Slice);
  return std::move(Selection);
}

} // namespace errorshield
