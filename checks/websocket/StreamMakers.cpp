//===--- StreamMakers.cpp - Who made a stream a function receives by value -===//

#include "websocket/StreamMakers.h"
#include "clang/AST/ExprCXX.h"
#include "core/Matchers.h"
#include "llvm/ADT/DenseMap.h"

namespace clang::tidy::errorshield::ws {
namespace {

/// True when \p Arg constructs its object right there from arguments of other types.
bool madeOnTheSpot(const Expr *Arg) {
  Arg = Arg->IgnoreImplicit();
  if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(Arg))
    Arg = Cast->getSubExpr()->IgnoreImplicit();
  const auto *Construct = dyn_cast<CXXConstructExpr>(Arg);
  if (!Construct || Construct->getNumArgs() == 0 ||
      Construct->getConstructor()->isCopyOrMoveConstructor())
    return false;
  const QualType Made = Construct->getType().getCanonicalType().getUnqualifiedType();
  return llvm::none_of(Construct->arguments(), [&](const Expr *From) {
    return From->getType().getNonReferenceType().getCanonicalType().getUnqualifiedType() == Made;
  });
}

} // namespace

bool alwaysPassedFresh(const FunctionDecl *Function, const ParmVarDecl *Param) {
  if (!Function || !Param || Function->isTemplated())
    return false;
  ASTContext &Ctx = Function->getASTContext();
  // The translation unit is searched once per function; the cache lives as long as its AST.
  static const ASTContext *CachedFor = nullptr;
  static llvm::DenseMap<const FunctionDecl *, bool> Cache;
  if (CachedFor != &Ctx) {
    Cache.clear();
    CachedFor = &Ctx;
  }
  const FunctionDecl *Canonical = Function->getCanonicalDecl();
  if (auto It = Cache.find(Canonical); It != Cache.end())
    return It->second;
  const unsigned Index = Param->getFunctionScopeIndex();
  const std::vector<const CallExpr *> Calls = callsOf(Canonical, Ctx);
  const bool Fresh = !Calls.empty() && llvm::all_of(Calls, [&](const CallExpr *Call) {
    return Index < Call->getNumArgs() && madeOnTheSpot(Call->getArg(Index));
  });
  Cache[Canonical] = Fresh;
  return Fresh;
}

} // namespace clang::tidy::errorshield::ws
