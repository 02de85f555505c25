//===--- FindingBuilder.cpp - clang-tidy diagnostics to findings --------------===//

#include "FindingBuilder.h"
#include "CatalogView.h"
#include "SourceFiles.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include <algorithm>
#include <tuple>

using clang::tidy::ClangTidyError;

namespace errorshield {
namespace {

SourcePoint pointAt(SourceFiles &Sources, const std::string &File, unsigned Offset) {
  SourceFiles::Position P = Sources.position(File, Offset);
  return {File, P.Line, P.Column};
}

std::string enclosingFunction(const FunctionIndex &Index, const std::string &File,
                              unsigned Offset) {
  auto It = Index.find(File);
  if (It == Index.end())
    return "";
  const FunctionExtent *Best = nullptr;
  for (const FunctionExtent &F : It->second)
    if (F.Begin <= Offset && Offset <= F.End && (!Best || F.End - F.Begin < Best->End - Best->Begin))
      Best = &F;
  return Best ? Best->Name : "";
}

std::vector<Edit> editsOf(const llvm::StringMap<clang::tooling::Replacements> &Fix,
                          llvm::StringRef BuildDirectory, SourceFiles &Sources) {
  std::vector<Edit> Edits;
  for (const auto &FileFix : Fix) {
    for (const clang::tooling::Replacement &R : FileFix.second) {
      Edit E;
      E.File = absolutePath(R.getFilePath(), BuildDirectory);
      E.Offset = R.getOffset();
      E.Length = R.getLength();
      E.Start = pointAt(Sources, E.File, E.Offset);
      E.End = pointAt(Sources, E.File, E.Offset + E.Length);
      E.Replacement = R.getReplacementText().str();
      Edits.push_back(std::move(E));
    }
  }
  std::sort(Edits.begin(), Edits.end(), [](const Edit &A, const Edit &B) {
    return std::tie(A.File, A.Offset, A.Length) < std::tie(B.File, B.Offset, B.Length);
  });
  return Edits;
}

} // namespace

void appendFindings(const TuResult &TU, const CatalogView &Catalog, SourceFiles &Sources,
                    std::vector<Finding> &Out) {
  for (const ClangTidyError &Error : TU.Errors) {
    if (llvm::StringRef(Error.DiagnosticName).starts_with("clang-diagnostic-") &&
        Error.DiagLevel == ClangTidyError::Error)
      continue; // A compiler error: the TU's Problem.
    if (Error.Message.FilePath.empty())
      continue; // Not attached to a file (e.g. a configuration warning); nothing to gate on.
    Finding F;
    F.Check = Error.DiagnosticName;
    const PatternInfo *Pattern = Catalog.byCheck(F.Check);
    F.PatternId = Pattern ? Pattern->Id : "";
    F.Level = Error.DiagLevel == ClangTidyError::Error || Error.IsWarningAsError ? "error"
              : Pattern && !Pattern->Level.empty()                             ? Pattern->Level
                                                                               : "warning";
    F.Message = Error.Message.Message;
    std::string File = absolutePath(Error.Message.FilePath, Error.BuildDirectory);
    F.Offset = Error.Message.FileOffset;
    F.Where = pointAt(Sources, File, F.Offset);
    F.SourceLine = Sources.lineText(File, F.Where.Line);
    F.Excerpt = Sources.excerpt(File, F.Where.Line, 3, 2, F.ExcerptFirstLine);
    F.Function = enclosingFunction(TU.Functions, File, F.Offset);
    for (const clang::tooling::DiagnosticMessage &N : Error.Notes) {
      std::string NoteFile = N.FilePath.empty() ? File : absolutePath(N.FilePath, Error.BuildDirectory);
      F.Notes.push_back({pointAt(Sources, NoteFile, N.FileOffset), N.Message});
    }
    F.Fixes = editsOf(Error.Message.Fix, Error.BuildDirectory, Sources);
    Out.push_back(std::move(F));
  }
}

std::vector<std::string> configProblems(const TuResult &TU) {
  std::vector<std::string> Problems;
  for (const ClangTidyError &Error : TU.Errors)
    if (Error.Message.FilePath.empty())
      Problems.push_back(Error.Message.Message + " [" + Error.DiagnosticName + "]");
  return Problems;
}

void sortAndDeduplicate(std::vector<Finding> &Findings) {
  auto Key = [](const Finding &F) {
    return std::tie(F.Where.File, F.Where.Line, F.Where.Column, F.Check, F.Message);
  };
  std::stable_sort(Findings.begin(), Findings.end(),
                   [&](const Finding &A, const Finding &B) { return Key(A) < Key(B); });
  Findings.erase(std::unique(Findings.begin(), Findings.end(),
                             [&](const Finding &A, const Finding &B) { return Key(A) == Key(B); }),
                 Findings.end());
}

std::string absolutePath(llvm::StringRef Path, llvm::StringRef Base) {
  llvm::SmallString<256> Abs(Path);
  if (!llvm::sys::path::is_absolute(Abs)) {
    if (Base.empty()) {
      llvm::sys::fs::make_absolute(Abs);
    } else {
      Abs = Base;
      llvm::sys::path::append(Abs, Path);
    }
  }
  llvm::sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
  return std::string(Abs);
}

std::string relativePath(llvm::StringRef File, llvm::StringRef Root) {
  llvm::SmallString<256> Path(File);
  if (!Root.empty() && llvm::sys::path::replace_path_prefix(Path, Root, ""))
    return llvm::StringRef(Path).ltrim('/').str();
  return std::string(File);
}

Report withRelativePaths(const Report &R) {
  Report Out = R;
  auto Fix = [&](std::string &File) { File = relativePath(File, R.SourceRoot); };
  for (Finding &F : Out.Findings) {
    Fix(F.Where.File);
    for (Note &N : F.Notes)
      Fix(N.Where.File);
    for (Edit &E : F.Fixes) {
      Fix(E.File);
      Fix(E.Start.File);
      Fix(E.End.File);
    }
  }
  for (Unit &U : Out.Units)
    Fix(U.File);
  return Out;
}

void assignFingerprints(std::vector<Finding> &Findings, llvm::StringRef Root) {
  llvm::StringMap<unsigned> Occurrences;
  for (Finding &F : Findings) {
    std::string Line;
    for (char C : F.SourceLine)
      if (!llvm::isSpace(C))
        Line += C;
    std::string Key = F.Check + '\0' + relativePath(F.Where.File, Root) + '\0' + Line + '\0' +
                      F.Function;
    unsigned Occurrence = Occurrences[Key]++;
    Key += '\0' + std::to_string(Occurrence);
    auto Hash = llvm::SHA256::hash(llvm::arrayRefFromStringRef(Key));
    F.Fingerprint = llvm::toHex(llvm::ArrayRef<uint8_t>(Hash).take_front(16), /*LowerCase=*/true);
  }
}

} // namespace errorshield
