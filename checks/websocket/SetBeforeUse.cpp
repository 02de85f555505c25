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
  for (DynTypedNodeList Parents = Ctx.getParents(*S); !Parents.empty();
       Parents = Ctx.getParents(Parents[0]))
    if (const auto *F = Parents[0].get<FunctionDecl>())
      return outerFunction(F);
  return nullptr;
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

/// A setting runs in \p Function before \p Use: itself, or through a function it calls first.
bool setBefore(const FunctionDecl *Function, const Stmt *Use, llvm::ArrayRef<SettingSite> Settings,
               ASTContext &Ctx) {
  for (const SettingSite &S : Settings) {
    if (S.Function == Function && precedes(S.Call, Use, Ctx))
      return true;
    for (const CallExpr *Call : S.Function == Function ? std::vector<const CallExpr *>()
                                                       : callsOf(S.Function, Ctx))
      if (functionOf(Call, Ctx) == Function && precedes(Call, Use, Ctx))
        return true;
  }
  return false;
}

/// \p F is named somewhere other than as the callee of a call: a handler bound by address.
bool referencedUncalled(const FunctionDecl *F, ASTContext &Ctx) {
  using namespace ast_matchers;
  const auto Names = expr(anyOf(declRefExpr(to(functionDecl(equalsNode(F)))),
                                memberExpr(member(functionDecl(equalsNode(F))))));
  return match(findAll(Names.bind("ref")), Ctx).size() > callsOf(F, Ctx).size();
}

} // namespace

const FunctionDecl *entryReachingUnset(const FunctionDecl *Function, const Stmt *Use,
                                       llvm::ArrayRef<SettingSite> Settings, ASTContext &Ctx) {
  // Every object is made with it: set in a constructor, or in a helper a constructor calls.
  for (const SettingSite &S : Settings) {
    if (isa<CXXConstructorDecl>(S.Function))
      return nullptr;
    for (const CallExpr *Call : callsOf(S.Function, Ctx))
      if (isa_and_nonnull<CXXConstructorDecl>(functionOf(Call, Ctx)))
        return nullptr;
  }
  if (setBefore(Function, Use, Settings, Ctx))
    return nullptr;
  // Callers, breadth first, a few levels up.
  llvm::SmallVector<const FunctionDecl *, 4> Level{Function};
  llvm::SmallPtrSet<const FunctionDecl *, 8> Seen{Function};
  for (unsigned Depth = 0; Depth < 4 && !Level.empty(); ++Depth) {
    llvm::SmallVector<const FunctionDecl *, 4> Next;
    for (const FunctionDecl *F : Level) {
      const std::vector<const CallExpr *> Calls = callsOf(F, Ctx);
      if (Calls.empty())
        return F == Function || referencedUncalled(F, Ctx) || isa<CXXConstructorDecl>(F) ? nullptr
                                                                                          : F;
      for (const CallExpr *Call : Calls) {
        const FunctionDecl *Caller = functionOf(Call, Ctx);
        if (!Caller || setBefore(Caller, Call, Settings, Ctx))
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
