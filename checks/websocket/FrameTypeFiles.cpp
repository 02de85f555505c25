//===--- FrameTypeFiles.cpp - errorshield-ws-frame-type: bytes read from files ===//
//
// A file opened in binary mode holds bytes, whatever type they are read into: a `std::string`
// built from `std::istreambuf_iterator<char>(in)` over `std::ifstream in(path, std::ios::binary)`
// is a JPEG, not text. Sent in text mode it goes out as a text frame that peers reject unless it
// happens to be valid UTF-8.
//
//===----------------------------------------------------------------------===//

#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/WsFrameTypeCheck.h"

namespace clang::tidy::errorshield {

/// True when \p S names the binary open mode (`std::ios::binary`, `std::ios_base::binary`).
static bool namesBinaryMode(const Stmt *S) {
  return findDescendant(S, [](const Stmt *D) {
           const auto *Ref = dyn_cast<DeclRefExpr>(D);
           const auto *Named = Ref ? Ref->getDecl() : nullptr;
           return Named && Named->getIdentifier() && Named->getName() == "binary" &&
                  isa<CXXRecordDecl>(Named->getDeclContext());
         }) != nullptr;
}

const VarDecl *WsFrameTypeCheck::binaryFileStream(const Expr *E) const {
  const Expr *Stream = stripConversions(E);
  const auto *Ref = dyn_cast<DeclRefExpr>(Stream);
  const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  if (!Var || !Var->isLocalVarDecl() || !ws::isTypeNamed(Var->getType(), FileStreamTypes))
    return nullptr;
  if (Var->getInit() && namesBinaryMode(Var->getInit()))
    return Var; // std::ifstream in(path, std::ios::binary);
  const auto *Function = dyn_cast<FunctionDecl>(Var->getDeclContext());
  const bool Opened = Function && Function->getBody() &&
                      findDescendant(Function->getBody(), [&](const Stmt *S) {
                        const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
                        return Call && calleeName(Call) == "open" &&
                               refersTo(Call->getImplicitObjectArgument(), Var) &&
                               namesBinaryMode(Call);
                      });
  return Opened ? Var : nullptr; // in.open(path, std::ios::in | std::ios::binary);
}

const VarDecl *WsFrameTypeCheck::builtFromBinaryFile(const Expr *E) const {
  const VarDecl *Found = nullptr;
  findDescendant(E, [&](const Stmt *S) {
    const auto *Construct = dyn_cast<CXXConstructExpr>(S);
    const auto *Iterator =
        Construct ? Construct->getType()->getAsCXXRecordDecl() : nullptr;
    if (Iterator && Iterator->getIdentifier() && Iterator->getName() == "istreambuf_iterator" &&
        Construct->getNumArgs() == 1)
      Found = binaryFileStream(Construct->getArg(0));
    return Found != nullptr;
  });
  return Found;
}

bool WsFrameTypeCheck::filledFromBinaryFile(const ValueDecl *Buffer,
                                            const FunctionDecl *Function) const {
  const auto *Var = dyn_cast<VarDecl>(Buffer);
  if (!Var || !Var->isLocalVarDecl())
    return false;
  if (Var->getInit() && builtFromBinaryFile(Var->getInit()))
    return true;
  // in.read(chunk.data(), n): the buffer the stream reads into.
  return Function && Function->getBody() &&
         findDescendant(Function->getBody(), [&](const Stmt *S) {
           const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
           return Call && calleeName(Call) == "read" && Call->getNumArgs() >= 1 &&
                  binaryFileStream(Call->getImplicitObjectArgument()) &&
                  refersTo(Call->getArg(0), Var);
         });
}

bool WsFrameTypeCheck::returnsBinaryFile(const FunctionDecl *Callee) const {
  const FunctionDecl *Definition = nullptr;
  if (!Callee || !Callee->hasBody(Definition))
    return false;
  return findDescendant(Definition->getBody(), [&](const Stmt *S) {
           const auto *Return = dyn_cast<ReturnStmt>(S);
           const Expr *Value = Return ? Return->getRetValue() : nullptr;
           if (!Value)
             return false;
           if (builtFromBinaryFile(Value))
             return true; // return std::string(std::istreambuf_iterator<char>(in), {});
           const auto *Ref = dyn_cast<DeclRefExpr>(stripConversions(Value));
           return Ref && filledFromBinaryFile(Ref->getDecl(), Definition); // return bytes;
         }) != nullptr;
}

} // namespace clang::tidy::errorshield
