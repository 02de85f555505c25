//===--- ClangdConfig.cpp - Making clangd run the ErrorShield checks ----------===//

#include "ClangdConfig.h"
#include "clang-tidy/ClangTidyModule.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>
#include <string>

namespace errorshield::clangd {
namespace {

constexpr const char *Setting = "# errorshield-clangd: also run clang-tidy checks clangd has no timing\n"
                                "# data for, such as the ErrorShield checks (known-slow ones stay off).\n"
                                "Diagnostics:\n"
                                "  ClangTidy:\n"
                                "    FastCheckFilter: Loose\n";

std::optional<std::string> userConfigPath() {
  llvm::SmallString<256> Path;
  if (!llvm::sys::path::user_config_directory(Path))
    return std::nullopt;
  llvm::sys::path::append(Path, "clangd", "config.yaml");
  return std::string(Path);
}

bool setsFastCheckFilter(llvm::StringRef Path) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path);
  return Buffer && (*Buffer)->getBuffer().contains("FastCheckFilter");
}

} // namespace

unsigned registeredCheckCount() {
  clang::tidy::ClangTidyCheckFactories Factories;
  for (const auto &Module : clang::tidy::ClangTidyModuleRegistry::entries())
    Module.instantiate()->addCheckFactories(Factories);
  unsigned Count = 0;
  for (const auto &Factory : Factories)
    Count += Factory.getKey().starts_with("errorshield-");
  return Count;
}

int installConfig(llvm::StringRef Where) {
  std::string Path;
  if (Where == "user") {
    std::optional<std::string> User = userConfigPath();
    if (!User) {
      llvm::errs() << "errorshield-clangd: cannot find the user config directory\n";
      return 2;
    }
    Path = *User;
  } else {
    llvm::SmallString<256> Project(Where);
    llvm::sys::path::append(Project, ".clangd");
    Path = std::string(Project);
  }
  if (setsFastCheckFilter(Path)) {
    llvm::outs() << Path << " already sets FastCheckFilter; left unchanged\n";
    return 0;
  }
  if (std::error_code EC = llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path))) {
    llvm::errs() << "errorshield-clangd: cannot create the directory of " << Path << ": "
                 << EC.message() << "\n";
    return 2;
  }
  bool Existed = llvm::sys::fs::exists(Path);
  std::error_code EC;
  llvm::raw_fd_ostream OS(Path, EC, llvm::sys::fs::OF_Append | llvm::sys::fs::OF_Text);
  if (EC) {
    llvm::errs() << "errorshield-clangd: cannot write " << Path << ": " << EC.message() << "\n";
    return 2;
  }
  // A separate document (fragment), so the settings already in the file stay as they are.
  OS << (Existed ? "\n---\n" : "") << Setting;
  llvm::outs() << "added FastCheckFilter: Loose to " << Path << "\n";
  return 0;
}

void warnIfChecksFiltered() {
  std::optional<std::string> User = userConfigPath();
  if (User && setsFastCheckFilter(*User))
    return;
  llvm::SmallString<256> Dir;
  if (!llvm::sys::fs::current_path(Dir))
    for (llvm::StringRef D = Dir; !D.empty(); D = llvm::sys::path::parent_path(D)) {
      llvm::SmallString<256> Project(D);
      llvm::sys::path::append(Project, ".clangd");
      if (setsFastCheckFilter(Project))
        return;
    }
  llvm::errs() << "errorshield-clangd: no clangd config sets FastCheckFilter, so clangd's default "
                  "(Strict) drops the ErrorShield checks; run `errorshield-clangd --install-config` "
                  "or add 'Diagnostics: {ClangTidy: {FastCheckFilter: Loose}}' to the project's "
                  ".clangd\n";
}

} // namespace errorshield::clangd
