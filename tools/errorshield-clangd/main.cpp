//===--- main.cpp - errorshield-clangd: clangd 22 with the ErrorShield checks --===//
//
// Stock clangd cannot load clang-tidy plugins (clangd issue #1458), so an editor user could not see
// these checks at all. This binary is Debian's clangd 22 (libclangdMain) with the check objects
// linked in: their static registration adds the ErrorShield module to clang-tidy's registry, which
// clangd's own tidy integration reads. Everything else is stock clangd, tweaks included.
//
//===----------------------------------------------------------------------===//

#include "ClangdConfig.h"
#include "clang/Basic/Version.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

namespace clang::clangd {
// Defined in libclangdMain.a; Debian ships no header for it.
int clangdMain(int Argc, char *Argv[]);
} // namespace clang::clangd

int main(int Argc, char *Argv[]) {
  std::vector<char *> Args(Argv, Argv + Argc);
  bool HasResourceDir = false;
  for (llvm::StringRef Arg : llvm::ArrayRef<char *>(Argv, Argc).drop_front()) {
    if (Arg == "--version" || Arg == "-version") {
      llvm::outs() << "errorshield-clangd " ERRORSHIELD_VERSION
                   << " (clangd with the ErrorShield clang-tidy checks, "
                   << errorshield::clangd::registeredCheckCount() << " errorshield-* checks)\n"
                   << clang::getClangFullVersion() << "\n";
      return 0;
    }
    if (Arg.consume_front("--install-config"))
      return errorshield::clangd::installConfig(Arg.consume_front("=") ? Arg : "user");
    HasResourceDir |= Arg.starts_with("--resource-dir") || Arg.starts_with("-resource-dir");
  }
  // This binary does not live next to Clang's builtin headers (<stddef.h>, intrinsics): point at them
  // unless the user did.
  static std::string ResourceDir = "--resource-dir=" ERRORSHIELD_CLANG_RESOURCE_DIR;
  if (!HasResourceDir)
    Args.push_back(ResourceDir.data());
  errorshield::clangd::warnIfChecksFiltered();
  Args.push_back(nullptr);
  return clang::clangd::clangdMain(static_cast<int>(Args.size()) - 1, Args.data());
}
