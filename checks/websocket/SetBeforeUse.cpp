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

/// Where \p F starts: its calls, and the places that name it without calling it (a handler bound
/// by address, `bind_front_handler(&session::on_accept, ...)`, runs after the code that binds it).
std::vector<const Expr *> startsOf(const FunctionDecl *F, ASTContext &Ctx) {
  using namespace ast_matchers;
  std::vector<const Expr *> Starts;
  for (const CallExpr *Call : callsOf(F, Ctx))
    Starts.push_back(Call);
  const auto Names = expr(anyOf(declRefExpr(to(functionDecl(equalsNode(F)))),
                                memberExpr(member(functionDecl(equalsNode(F))))));
  for (const BoundNodes &Bound : match(findAll(Names.bind("ref")), Ctx)) {
    const auto *Ref = Bound.getNodeAs<Expr>("ref");
    // The callee of one of the calls above is not another start; an argument is (a handler).
    const bool IsCallee = llvm::any_of(Starts, [&](const Expr *Start) {
      const auto *Call = dyn_cast<CallExpr>(Start);
      return Call && Call->getCallee() && contains(Call->getCallee(), Ref);
    });
    if (!IsCallee)
      Starts.push_back(Ref);
  }
  return Starts;
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
      const std::vector<const Expr *> Starts = startsOf(F, Ctx);
      if (Starts.empty())
        return F == Function || isa<CXXConstructorDecl>(F) ? nullptr : F;
      for (const Expr *Start : Starts) {
        const FunctionDecl *Caller = functionOf(Start, Ctx);
        if (!Caller || setBefore(Caller, Start, S, Ctx))
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
