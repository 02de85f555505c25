//===--- Fixes.cpp - --fix and --export-fixes ----------------------------------===//

#include "Fixes.h"
#include "clang/Tooling/DiagnosticsYaml.h"
#include "clang/Tooling/Core/Replacement.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <map>

namespace errorshield {

unsigned applyFixes(const std::vector<Finding> &Findings) {
  std::map<std::string, clang::tooling::Replacements> PerFile;
  unsigned Applied = 0;
  for (const Finding &F : Findings) {
    // A finding's edits are taken together or not at all: half a fix may not compile.
    std::map<std::string, clang::tooling::Replacements> Trial = PerFile;
    bool Conflict = false;
    for (const Edit &E : F.Fixes) {
      clang::tooling::Replacement R(E.File, E.Offset, E.Length, E.Replacement);
      if (llvm::Error Err = Trial[E.File].add(R)) {
        llvm::consumeError(std::move(Err));
        Conflict = true;
        break;
      }
    }
    if (Conflict) {
      llvm::errs() << "errorshield: fix of " << F.Where.File << ":" << F.Where.Line << " ["
                   << F.Check << "] conflicts with another fix; not applied\n";
      continue;
    }
    Applied += F.Fixes.size();
    PerFile = std::move(Trial);
  }
  for (const auto &[File, Replacements] : PerFile) {
    auto Buffer = llvm::MemoryBuffer::getFile(File);
    if (!Buffer) {
      llvm::errs() << "errorshield: cannot read " << File << " to fix it\n";
      continue;
    }
    llvm::Expected<std::string> Fixed =
        clang::tooling::applyAllReplacements((*Buffer)->getBuffer(), Replacements);
    if (!Fixed) {
      llvm::errs() << "errorshield: cannot fix " << File << ": " << llvm::toString(Fixed.takeError())
                   << "\n";
      continue;
    }
    std::error_code EC;
    llvm::raw_fd_ostream Out(File, EC);
    if (EC) {
      llvm::errs() << "errorshield: cannot write " << File << ": " << EC.message() << "\n";
      continue;
    }
    Out << *Fixed;
  }
  if (Applied)
    llvm::errs() << "errorshield: applied " << Applied << " fix-it edit(s) in " << PerFile.size()
                 << " file(s)\n";
  return Applied;
}

llvm::Error exportFixes(const std::vector<Finding> &Findings, llvm::StringRef Path) {
  clang::tooling::TranslationUnitDiagnostics Export;
  for (const Finding &F : Findings) {
    clang::tooling::DiagnosticMessage Message;
    Message.Message = F.Message;
    Message.FilePath = F.Where.File;
    Message.FileOffset = F.Offset;
    for (const Edit &E : F.Fixes)
      llvm::consumeError(Message.Fix[E.File].add(
          clang::tooling::Replacement(E.File, E.Offset, E.Length, E.Replacement)));
    clang::tooling::Diagnostic Diag(F.Check, Message, {},
                                    F.Level == "error" ? clang::tooling::Diagnostic::Error
                                                       : clang::tooling::Diagnostic::Warning,
                                    "");
    Export.Diagnostics.push_back(std::move(Diag));
  }
  std::error_code EC;
  llvm::raw_fd_ostream OS(Path, EC, llvm::sys::fs::OF_None);
  if (EC)
    return llvm::createStringError(Path + ": " + EC.message());
  llvm::yaml::Output YAML(OS);
  YAML << Export;
  return llvm::Error::success();
}

} // namespace errorshield
