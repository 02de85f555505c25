//===--- UserCodeScope.h - Keep the AST traversal out of system headers --*- C++ -*-===//
//
// clang-tidy's matchers already skip declarations in system headers (unless SystemHeaders is set),
// but the first check that asks the ASTContext for a node's parents still builds the parent map of
// the whole translation unit: every Boost and standard header. On a Beast TU that is the largest
// cost of running the checks. Before anything below the translation unit is visited, this callback
// limits the traversal scope to the top-level declarations outside system headers, which is what
// clangd does for every check it runs. Matches do not change (those declarations were skipped
// anyway); parents above a top-level declaration are no longer reported.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_CORE_USERCODESCOPE_H
#define ERRORSHIELD_CORE_USERCODESCOPE_H

#include "clang/ASTMatchers/ASTMatchFinder.h"

namespace clang::tidy::errorshield {

/// Limits \p Ctx's traversal scope (matchers, parent map) to the top-level declarations outside
/// system headers, unless something (clangd, the runner, another check) limited it already.
void limitTraversalToUserCode(ASTContext &Ctx);

class UserCodeScope : public ast_matchers::MatchFinder::MatchCallback {
public:
  /// Matches the translation unit itself, which the match finder visits before its children.
  void registerOn(ast_matchers::MatchFinder &Finder);
  void run(const ast_matchers::MatchFinder::MatchResult &Result) override;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_CORE_USERCODESCOPE_H
