//===--- BoundedBuffer.cpp - A read buffer that caps the message ----------===//

#include "websocket/BoundedBuffer.h"
#include "asio/CompletionHandlers.h"
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

/// The body of \p Read's completion handler when it calls \p Reader, the function that made the
/// read, again: each completion reads the next chunk, as a loop would.
const Stmt *rearmingHandler(const CallExpr *Read, const FunctionDecl *Reader,
                            const std::vector<std::string> &BindFunctions) {
  for (const asio::CompletionHandler &Handler : asio::completionHandlers(Read, BindFunctions))
    if (findDescendant(Handler.Body, [&](const Stmt *S) {
          const auto *Call = dyn_cast<CallExpr>(S);
          const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
          return Callee && Callee->getCanonicalDecl() == Reader->getCanonicalDecl();
        }))
      return Handler.Body;
  return nullptr;
}

} // namespace

bool isBoundedBuffer(const Expr *Buffer, const std::vector<std::string> &StaticTypes,
                     const std::vector<std::string> &DynamicTypes) {
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

bool isCappedChunkRead(const CallExpr *Read, const Expr *Buffer,
                       const std::vector<std::string> &StaticTypes,
                       const std::vector<std::string> &BindFunctions, ASTContext &Ctx) {
  // A buffer sequence made on the spot (`asio::buffer(chunk)`): each read holds what fits.
  if (!isTypeNamed(Buffer->IgnoreImplicit()->getType().getNonReferenceType(), StaticTypes))
    return false;
  // Read in a loop, the chunks add up to the whole message: the loop must compare a size
  // (`if (comment.size() + n > kMax)`) to cap them.
  const Stmt *Loop = nullptr;
  for (DynTypedNodeList Parents = Ctx.getParents(*Read); !Parents.empty() && !Loop;
       Parents = Ctx.getParents(Parents[0])) {
    if (Parents[0].get<LambdaExpr>())
      return true; // one chunk
    if (const auto *Function = Parents[0].get<FunctionDecl>()) {
      // A completion handler that starts the read again (`self->read_chunk()`) is the loop.
      Loop = rearmingHandler(Read, Function, BindFunctions);
      if (!Loop)
        return true; // one chunk
    }
    if (const auto *S = Parents[0].get<Stmt>(); S && isLoop(S))
      Loop = S;
  }
  if (!Loop)
    return true;
  return findDescendant(Loop, [](const Stmt *S) {
           const auto *Compare = dyn_cast<BinaryOperator>(S);
           return Compare && Compare->isRelationalOp();
         }) != nullptr;
}

} // namespace clang::tidy::errorshield::ws
