//===--- ClangdConfig.h - Making clangd run the ErrorShield checks --------*- C++ -*-===//
//
// clangd only runs the clang-tidy checks it has timing data for (FastCheckFilter: Strict, its
// default), and it has none for checks it was not built with. No command-line flag changes that, and
// a clangd config file is per user or per project, so the install step cannot ship it; instead
// `errorshield-clangd --install-config` writes the one setting, and the server says so on stderr
// (the editor's clangd log) when no config sets it.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_CLANGD_CLANGDCONFIG_H
#define ERRORSHIELD_CLANGD_CLANGDCONFIG_H

#include "llvm/ADT/StringRef.h"

namespace errorshield::clangd {

/// The errorshield-* checks registered in this binary.
unsigned registeredCheckCount();

/// Adds `Diagnostics: ClangTidy: FastCheckFilter: Loose` as its own YAML document to clangd's user
/// config (\p Where "user") or to `<Where>/.clangd`, unless the file already sets FastCheckFilter.
/// Returns the process exit code.
int installConfig(llvm::StringRef Where);

/// Prints a hint on stderr when neither the user config nor a .clangd above the working directory
/// sets FastCheckFilter.
void warnIfChecksFiltered();

} // namespace errorshield::clangd

#endif // ERRORSHIELD_CLANGD_CLANGDCONFIG_H
