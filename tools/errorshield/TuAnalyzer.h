//===--- TuAnalyzer.h - One translation unit through clang-tidy, in process --*- C++ -*-===//
//
// What `clang-tidy file.cpp` does for one file, callable from any worker thread: each call owns its
// ClangTidyContext, diagnostics engine and file system (a physical file system with its own working
// directory: the process-wide one would chdir under other workers).
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_TOOLS_TUANALYZER_H
#define ERRORSHIELD_TOOLS_TUANALYZER_H

#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "clang/Tooling/CompilationDatabase.h"
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace errorshield {

/// A function definition's extent in one file, for the enclosing-function part of fingerprints.
struct FunctionExtent {
  unsigned Begin = 0, End = 0; ///< Byte offsets.
  std::string Name;            ///< Qualified name.
};
/// File path -> extents of the function definitions the TU saw there.
using FunctionIndex = std::map<std::string, std::vector<FunctionExtent>>;

/// Whether the parser may skip function bodies in system headers (see TuOptions).
enum class SkipBodies { Auto, Always, Never };

struct TuOptions {
  /// Makes the options provider for one TU (clang-tidy's FileOptionsProvider is not thread-safe, so
  /// every TU gets its own).
  std::function<std::unique_ptr<clang::tidy::ClangTidyOptionsProvider>()> MakeOptionsProvider;
  std::string ResourceDir; ///< Clang's builtin headers; the binary's own location has none.
  // The AST traversal (matchers and the parent map) always stays out of top-level declarations in
  // system headers unless SystemHeaders is set: clang-tidy's matchers ignore them anyway, and
  // checks that ask for parents would otherwise build a parent map over every Boost header.
  /// Let the parser skip function bodies in system headers, as clangd does for its preamble. Auto
  /// does so only for a TU whose enabled checks are all ErrorShield checks, which judge user code
  /// alone; other checks (the static analyzer, for one) may look into library bodies.
  SkipBodies SkipSystemFunctionBodies = SkipBodies::Auto;
};

struct TuResult {
  std::string File;
  bool Analysed = false;
  std::string Problem; ///< Why it could not be analysed: the first compiler error, or the tool's.
  std::vector<clang::tidy::ClangTidyError> Errors; ///< Findings and compiler diagnostics.
  FunctionIndex Functions;
  unsigned EnabledChecks = 0, EnabledErrorShieldChecks = 0; ///< By the TU's configuration.
  double Seconds = 0;
};

TuResult analyseTranslationUnit(const clang::tooling::CompilationDatabase &Database,
                                const std::string &File, const TuOptions &Options);

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_TUANALYZER_H
