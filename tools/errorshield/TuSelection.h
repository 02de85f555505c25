//===--- TuSelection.h - Which translation units a scan analyses ------------*- C++ -*-===//

#ifndef ERRORSHIELD_TOOLS_TUSELECTION_H
#define ERRORSHIELD_TOOLS_TUSELECTION_H

#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Support/Error.h"
#include <memory>
#include <string>
#include <vector>

namespace errorshield {

struct TuSelection {
  std::unique_ptr<clang::tooling::CompilationDatabase> Database;
  std::vector<std::string> Files; ///< Absolute, sorted, this shard's slice only.
};

/// The database is \p Fixed (the flags after `--`, like clang-tidy) when given, else the one at
/// \p BuildPath (a directory with compile_commands.json, or the file). \p Paths
/// (files or directories) narrow the TUs; with a fixed database they are the TUs. \p Shard "i/n"
/// keeps every n-th TU of the sorted list starting at the i-th (1-based), so shards are disjoint and
/// together cover every TU.
llvm::Expected<TuSelection> selectTranslationUnits(llvm::StringRef BuildPath,
                                                   const std::vector<std::string> &Paths,
                                                   llvm::StringRef Shard,
                                                   std::unique_ptr<clang::tooling::CompilationDatabase> Fixed);

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_TUSELECTION_H
