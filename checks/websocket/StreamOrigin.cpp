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

} // namespace clang::tidy::errorshield::ws
