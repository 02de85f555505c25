//===--- FrameTypeFlags.cpp - A frame type chosen by a flag beside the payload ---===//
//
// A write queue often carries the frame type beside the payload: a `bool binary` parameter of
// `enqueue(bytes, binary)`, or a field of the record queued (`Outgoing{bytes, false}`), that the
// writer hands to `binary()`. The half of WsFrameTypeCheck that finds a constant flag calling
// bytes text, or text binary.
//
//===----------------------------------------------------------------------===//

#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "websocket/WsFrameTypeCheck.h"

namespace clang::tidy::errorshield {

/// The constant a `bool` parameter or field named for the frame type (`binary`, `is_text_`) is
/// given, if it is one; \p SaysBinary tells whether that constant calls the payload binary.
static std::optional<bool> frameTypeFlag(const ValueDecl *Flag, const Expr *Value, bool &SaysBinary,
                                         ASTContext &Ctx) {
  const StringRef Name = Flag->getName().rtrim('_');
  bool On = false;
  if (!Value || !Flag->getType()->isBooleanType() || Value->isValueDependent() ||
      !(Name.ends_with_insensitive("binary") || Name.ends_with_insensitive("text")) ||
      !Value->EvaluateAsBooleanCondition(On, Ctx))
    return std::nullopt;
  SaysBinary = On == Name.ends_with_insensitive("binary");
  return On;
}

void WsFrameTypeCheck::noteFlaggedOperands(SourceLocation Loc, const std::string &Target,
                                           const ValueDecl *Flag, bool On, bool SaysBinary,
                                           llvm::ArrayRef<const Expr *> Operands,
                                           unsigned FlagIndex, const Expr *At,
                                           const FunctionDecl *Function) {
  for (unsigned J = 0; J < Operands.size(); ++J) {
    const PayloadSource Source =
        J == FlagIndex ? PayloadSource{} : payloadOf(Operands[J], At, Function);
    if (Source.Kind != Payload::None && (Source.Kind == Payload::SerializedText) == SaysBinary)
      Flagged.push_back({Loc, Target, Flag->getName(), Source, On});
  }
}

void WsFrameTypeCheck::noteFlaggedPayload(const CallExpr *Call, const FunctionDecl *Function,
                                          ASTContext &Ctx) {
  // The callee must be here to see that it keeps the flag (a declaration alone may only log it).
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || !Function || !Callee->getBody() || Call->getNumArgs() != Callee->getNumParams())
    return;
  const llvm::ArrayRef<const Expr *> Args(Call->getArgs(), Call->getNumArgs());
  for (unsigned I = 0; I < Args.size(); ++I) {
    const ParmVarDecl *Param = Callee->getParamDecl(I);
    bool SaysBinary = false;
    if (std::optional<bool> On = frameTypeFlag(Param, Args[I], SaysBinary, Ctx);
        On && refersTo(Callee->getBody(), Param))
      noteFlaggedOperands(ws::calleeLoc(Call), Callee->getNameAsString(), Param, *On, SaysBinary,
                          Args, I, Call, Function);
  }
}

void WsFrameTypeCheck::noteFlaggedRecord(const InitListExpr *Init, const FunctionDecl *Function,
                                         ASTContext &Ctx) {
  // The semantic form only: one init per named field, in order (brace elision undone).
  const auto *Record = Init->getType()->getAsCXXRecordDecl();
  if (!Record || !Function || Record->getNumBases() > 0 || Record->isUnion() ||
      !Init->isSemanticForm() || Init->isTransparent())
    return;
  llvm::SmallVector<const FieldDecl *, 4> Fields;
  for (const FieldDecl *Field : Record->fields())
    if (!Field->isUnnamedBitField())
      Fields.push_back(Field);
  const llvm::ArrayRef<const Expr *> Inits(Init->getInits(), Init->getNumInits());
  for (unsigned I = 0; I < Fields.size() && I < Inits.size(); ++I) {
    bool SaysBinary = false;
    if (std::optional<bool> On = frameTypeFlag(Fields[I], Inits[I], SaysBinary, Ctx))
      noteFlaggedOperands(Init->getBeginLoc(), Record->getNameAsString(), Fields[I], *On,
                          SaysBinary, Inits, I, Init, Function);
  }
}

} // namespace clang::tidy::errorshield
