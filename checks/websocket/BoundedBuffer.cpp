//===--- BoundedBuffer.cpp - A read buffer that caps the message ----------===//

#include "websocket/BoundedBuffer.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::errorshield::ws {
namespace {

/// \p Init constructs the buffer with a size: `flat_buffer(limit)`, `buf_{32 * KiB}`.
bool constructedWithLimit(const Expr *Init) {
  const auto *Construct =
      Init ? dyn_cast<CXXConstructExpr>(Init->IgnoreImplicit()->IgnoreParens()) : nullptr;
  if (const auto *List = Init ? dyn_cast<InitListExpr>(Init->IgnoreImplicit()) : nullptr;
      List && List->getNumInits() == 1)
    Construct = dyn_cast<CXXConstructExpr>(List->getInit(0)->IgnoreImplicit());
  return Construct && Construct->getNumArgs() >= 1 &&
         !isa<CXXDefaultArgExpr>(Construct->getArg(0)) &&
         Construct->getArg(0)->IgnoreImpCasts()->getType()->isIntegerType();
}

} // namespace

bool isBoundedBuffer(const Expr *Buffer, const std::vector<std::string> &StaticTypes,
                     const std::vector<std::string> &DynamicTypes) {
  // A buffer sequence made on the spot (`asio::buffer(chunk)` for read_some) holds what fits.
  if (isTypeNamed(Buffer->IgnoreImplicit()->getType().getNonReferenceType(), StaticTypes))
    return true;
  const ValueDecl *D = declNamedBy(Buffer);
  if (!D)
    return false;
  QualType T = D->getType().getNonReferenceType();
  if (isTypeNamed(T, StaticTypes))
    return true;
  if (!isTypeNamed(T, DynamicTypes))
    return false;
  if (const auto *Var = dyn_cast<VarDecl>(D))
    return constructedWithLimit(Var->getInit());
  const auto *Field = dyn_cast<FieldDecl>(D);
  if (!Field)
    return false;
  if (constructedWithLimit(Field->getInClassInitializer()))
    return true;
  const auto *Record = dyn_cast<CXXRecordDecl>(Field->getParent());
  if (!Record)
    return false;
  // Every constructor that is written out must set the limit.
  bool AnyConstructor = false;
  for (const CXXConstructorDecl *Ctor : Record->ctors()) {
    if (Ctor->isImplicit() || !Ctor->hasBody())
      continue;
    AnyConstructor = true;
    if (llvm::none_of(Ctor->inits(), [&](const CXXCtorInitializer *Init) {
          return Init->getMember() == Field && constructedWithLimit(Init->getInit());
        }))
      return false;
  }
  return AnyConstructor;
}

} // namespace clang::tidy::errorshield::ws
