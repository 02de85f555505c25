//===--- StreamOrigin.cpp - Where a stream is made ------------------------===//

#include "websocket/StreamOrigin.h"
#include "websocket/StreamModel.h"
#include "core/Matchers.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::errorshield::ws {

const ValueDecl *ownedStreamDeclaration(const Expr *Object) {
  if (!ownedObject(Object))
    return nullptr;
  const ValueDecl *D = declNamedBy(throughPointers(Object));
  const auto *Var = dyn_cast_or_null<VarDecl>(D);
  if (Var && (isa<ParmVarDecl>(Var) || Var->getType()->isReferenceType() ||
              Var->getType()->isPointerType()))
    return nullptr; // an alias of a stream declared elsewhere
  return Var || isa_and_nonnull<FieldDecl>(D) ? D : nullptr;
}

SourceLocation streamMadeAt(const ValueDecl *Declared, llvm::ArrayRef<SourceLocation> Creations,
                            SourceLocation Use, const std::vector<std::string> &StreamTypes,
                            const SourceManager &SM) {
  if (!Declared)
    return Use;
  SourceLocation At = Declared->getLocation();
  const auto *Var = dyn_cast<VarDecl>(Declared);
  if (!isTypeNamed(Declared->getType(), StreamTypes) && !(Var && Var->hasInit())) {
    if (Creations.size() != 1)
      return Use;
    At = Creations.front();
  }
  if (At.isMacroID() || SM.getFileID(At) != SM.getFileID(SM.getExpansionLoc(Use)))
    return Use;
  return At;
}

const VarDecl *factoryResult(const ValueDecl *Declared) {
  const auto *Var = dyn_cast_or_null<VarDecl>(Declared);
  if (!Var || !Var->hasLocalStorage() || isa<ParmVarDecl>(Var) || !Var->getInit())
    return nullptr;
  const auto *Call = dyn_cast<CallExpr>(stripConversions(Var->getInit()));
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  const FunctionDecl *Factory = Callee ? Callee->getDefinition() : nullptr;
  if (!Factory || !Factory->getBody() ||
      Factory->getASTContext().getSourceManager().isInSystemHeader(Factory->getLocation()))
    return nullptr; // std::make_shared and the like: the stream is made right here
  const VarDecl *Returned = nullptr;
  bool OneLocal = true;
  findDescendant(
      Factory->getBody(),
      [&](const Stmt *S) {
        const auto *Return = dyn_cast<ReturnStmt>(S);
        if (!Return)
          return false;
        const Expr *Value = Return->getRetValue();
        const auto *Ref = Value ? dyn_cast<DeclRefExpr>(stripConversions(Value)) : nullptr;
        const auto *Local = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
        if (!Local || !Local->hasLocalStorage() || isa<ParmVarDecl>(Local) ||
            (Returned && Returned != Local))
          OneLocal = false;
        Returned = Local;
        return false;
      },
      [](const Stmt *S) { return isa<LambdaExpr>(S); });
  return OneLocal ? Returned : nullptr;
}

} // namespace clang::tidy::errorshield::ws
