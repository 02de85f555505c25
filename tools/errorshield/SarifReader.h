//===--- SarifReader.h - Findings back from a SARIF file ------------------*- C++ -*-===//

#ifndef ERRORSHIELD_TOOLS_SARIFREADER_H
#define ERRORSHIELD_TOOLS_SARIFREADER_H

#include "Finding.h"
#include "llvm/Support/Error.h"

namespace errorshield {

/// Reads the findings and units of every run of a SARIF log. Paths come back absolute (SRCROOT
/// joined). Errors name the file and the JSON path.
llvm::Expected<Report> readSarif(llvm::StringRef Path);

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_SARIFREADER_H
