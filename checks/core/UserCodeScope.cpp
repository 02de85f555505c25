//===--- UserCodeScope.cpp - Keep the AST traversal out of system headers ----===//

#include "core/UserCodeScope.h"
#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchers.h"

namespace clang::tidy::errorshield {

void UserCodeScope::registerOn(ast_matchers::MatchFinder &Finder) {
  Finder.addMatcher(ast_matchers::translationUnitDecl().bind("tu"), this);
}

void UserCodeScope::run(const ast_matchers::MatchFinder::MatchResult &Result) {
  limitTraversalToUserCode(*Result.Context);
}

void limitTraversalToUserCode(ASTContext &Ctx) {
  ArrayRef<Decl *> Scope = Ctx.getTraversalScope();
  // Already limited: by another ErrorShield check, by clangd, or by the errorshield runner.
  if (Scope.size() != 1 || !isa<TranslationUnitDecl>(Scope.front()))
    return;
  const SourceManager &SM = Ctx.getSourceManager();
  std::vector<Decl *> UserDecls;
  for (Decl *D : Ctx.getTranslationUnitDecl()->decls())
    if (!SM.isInSystemHeader(D->getLocation()))
      UserDecls.push_back(D);
  Ctx.setTraversalScope(UserDecls);
}

} // namespace clang::tidy::errorshield
