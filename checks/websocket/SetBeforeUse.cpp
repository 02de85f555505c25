//===--- SetBeforeUse.cpp - A setting made on every path to a use ---------===//

#include "websocket/SetBeforeUse.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "clang/AST/DeclCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

namespace clang::tidy::errorshield::ws {
namespace {

/// The outer function whose code \p S is (a lambda counts as the function that spells it).
const FunctionDecl *functionOf(const Stmt *S, ASTContext &Ctx) {
  const FunctionDecl *F = enclosingFunctionDecl(S, Ctx, /*StopAtLambdas=*/false);
  return F ? outerFunction(F) : nullptr;
}

/// \p Earlier runs before \p Later on every path through their function: it comes first, in a
/// block that holds \p Later.
bool precedes(const Stmt *Earlier, const Stmt *Later, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  if (!SM.isBeforeInTranslationUnit(SM.getExpansionLoc(Earlier->getBeginLoc()),
                                    SM.getExpansionLoc(Later->getBeginLoc())))
    return false;
  for (DynTypedNodeList Parents = Ctx.getParents(*Earlier); !Parents.empty();
       Parents = Ctx.getParents(Parents[0]))
    if (const auto *Block = Parents[0].get<CompoundStmt>())
      return contains(Block, Later);
  return false;
}

/// The settings, each with the calls of the function that makes it (walked once: finding the
/// calls of a function walks the whole translation unit).
struct Setters {
  llvm::ArrayRef<SettingSite> Sites;
  std::vector<std::vector<const CallExpr *>> CallsOfSite;
};

/// A setting runs in \p Function before \p Use: itself, or through a function it calls first.
bool setBefore(const FunctionDecl *Function, const Stmt *Use, const Setters &S, ASTContext &Ctx) {
  for (size_t I = 0; I < S.Sites.size(); ++I) {
    if (S.Sites[I].Function == Function && precedes(S.Sites[I].Call, Use, Ctx))
      return true;
    if (S.Sites[I].Function != Function)
      for (const CallExpr *Call : S.CallsOfSite[I])
        if (functionOf(Call, Ctx) == Function && precedes(Call, Use, Ctx))
          return true;
  }
  return false;
}

/// \p F, called \p Calls times, is also named elsewhere: a handler bound by address.
bool referencedUncalled(const FunctionDecl *F, size_t Calls, ASTContext &Ctx) {
  using namespace ast_matchers;
  const auto Names = expr(anyOf(declRefExpr(to(functionDecl(equalsNode(F)))),
                                memberExpr(member(functionDecl(equalsNode(F))))));
  return match(findAll(Names.bind("ref")), Ctx).size() > Calls;
}

} // namespace

const FunctionDecl *entryReachingUnset(const FunctionDecl *Function, const Stmt *Use,
                                       llvm::ArrayRef<SettingSite> Settings, ASTContext &Ctx) {
  Setters S{Settings, {}};
  // Every object is made with it: set in a constructor, or in a helper a constructor calls.
  for (const SettingSite &Site : Settings) {
    if (isa<CXXConstructorDecl>(Site.Function))
      return nullptr;
    S.CallsOfSite.push_back(callsOf(Site.Function, Ctx));
    for (const CallExpr *Call : S.CallsOfSite.back())
      if (isa_and_nonnull<CXXConstructorDecl>(functionOf(Call, Ctx)))
        return nullptr;
  }
  if (setBefore(Function, Use, S, Ctx))
    return nullptr;
  // Callers, breadth first, a few levels up.
  llvm::SmallVector<const FunctionDecl *, 4> Level{Function};
  llvm::SmallPtrSet<const FunctionDecl *, 8> Seen{Function};
  for (unsigned Depth = 0; Depth < 4 && !Level.empty(); ++Depth) {
    llvm::SmallVector<const FunctionDecl *, 4> Next;
    for (const FunctionDecl *F : Level) {
      const std::vector<const CallExpr *> Calls = callsOf(F, Ctx);
      if (Calls.empty())
        return F == Function || referencedUncalled(F, Calls.size(), Ctx) ||
                       isa<CXXConstructorDecl>(F)
                   ? nullptr
                   : F;
      for (const CallExpr *Call : Calls) {
        const FunctionDecl *Caller = functionOf(Call, Ctx);
        if (!Caller || setBefore(Caller, Call, S, Ctx))
          continue;
        if (Seen.insert(Caller).second)
          Next.push_back(Caller);
      }
    }
    Level = std::move(Next);
  }
  return nullptr;
}

} // namespace clang::tidy::errorshield::ws
