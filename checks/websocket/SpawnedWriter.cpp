//===--- SpawnedWriter.cpp - A coroutine spawned to write beside the writer ---===//

#include "websocket/SpawnedWriter.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/WriteQueue.h"
#include "clang/AST/ASTLambda.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::errorshield::ws {

std::optional<RivalWriter> rivalOfSpawnedWrite(const CallExpr *Write, const FieldDecl *Stream,
                                               const WriteRecognizer &AsWrite,
                                               const std::vector<std::string> &SpawnFunctions,
                                               ASTContext &Ctx) {
  const LambdaExpr *Lambda = enclosingLambda(Write, Ctx);
  const auto *Spawn = Lambda ? parentThroughWrappers(Lambda, Ctx).get<CallExpr>() : nullptr;
  const auto *Record = dyn_cast<CXXRecordDecl>(Stream->getParent());
  if (!Spawn || !isListedCall(Spawn, SpawnFunctions) || !Record)
    return std::nullopt;
  for (const FunctionDecl *Method : definedMethods(Record)) {
    const Stmt *Other = findDescendant(Method->getBody(), [&](const Stmt *S) {
      const auto *Call = dyn_cast<CallExpr>(S);
      std::optional<StreamCall> W = Call && Call != Write ? AsWrite(Call) : std::nullopt;
      const FieldDecl *Field = W ? namedField(W->Object) : nullptr;
      return Field && Field->getName() == Stream->getName() && sameClass(Field, Stream) &&
             !contains(Lambda, Call);
    });
    if (Other)
      return RivalWriter{Spawn, cast<CallExpr>(Other)};
  }
  return std::nullopt;
}

/// The first call in \p F's body for which \p Matches holds and which names \p Stream.
static const CallExpr *callOnStream(const FunctionDecl *F, const FieldDecl *Stream,
                                    llvm::function_ref<const Expr *(const CallExpr *)> ObjectOf) {
  const Stmt *Found = findDescendant(F->getBody(), [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    const Expr *Object = Call ? ObjectOf(Call) : nullptr;
    const FieldDecl *Field = Object ? namedField(Object) : nullptr;
    return Field && Field->getName() == Stream->getName() && sameClass(Field, Stream);
  });
  return cast_or_null<CallExpr>(Found);
}

std::optional<RivalWriter> parallelWriterOf(const CallExpr *Write, const FieldDecl *Stream,
                                            const WriteRecognizer &AsWrite,
                                            llvm::function_ref<bool(const CallExpr *)> IsRead,
                                            ASTContext &Ctx) {
  const auto *Record = dyn_cast<CXXRecordDecl>(Stream->getParent());
  const FunctionDecl *Coroutine = enclosingFunctionDecl(Write, Ctx, /*StopAtLambdas=*/true);
  if (!Record || !Coroutine)
    return std::nullopt;
  auto Writes = [&](const CallExpr *Call) -> const Expr * {
    std::optional<StreamCall> W = AsWrite(Call);
    return W ? W->Object : nullptr;
  };
  auto Reads = [&](const CallExpr *Call) -> const Expr * {
    std::optional<StreamCall> R = IsRead(Call) ? asMemberCall(Call) : std::nullopt;
    return R ? R->Object : nullptr;
  };
  const FunctionDecl *Self = Coroutine->getCanonicalDecl();
  if (!callOnStream(Coroutine, Stream, Reads))
    return std::nullopt;
  // `co_await (reader() || writer())` in a member function: the operands' callees.
  for (const FunctionDecl *Method : definedMethods(Record)) {
    const Stmt *Group = findDescendant(Method->getBody(), [&](const Stmt *S) {
      const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
      if (!Op || Op->getNumArgs() != 2 ||
          (Op->getOperator() != OO_AmpAmp && Op->getOperator() != OO_PipePipe))
        return false;
      const auto *A = dyn_cast<CallExpr>(stripConversions(Op->getArg(0)));
      const auto *B = dyn_cast<CallExpr>(stripConversions(Op->getArg(1)));
      return A && B && A->getDirectCallee() && B->getDirectCallee() &&
             (A->getDirectCallee()->getCanonicalDecl() == Self ||
              B->getDirectCallee()->getCanonicalDecl() == Self);
    });
    if (!Group)
      continue;
    const auto *Op = cast<CXXOperatorCallExpr>(Group);
    const auto *A = cast<CallExpr>(stripConversions(Op->getArg(0)));
    const auto *B = cast<CallExpr>(stripConversions(Op->getArg(1)));
    const FunctionDecl *Other =
        A->getDirectCallee()->getCanonicalDecl() == Self ? B->getDirectCallee() : A->getDirectCallee();
    const FunctionDecl *Definition = nullptr;
    if (!Other->hasBody(Definition) || callOnStream(Definition, Stream, Reads))
      continue;
    if (const CallExpr *Rival = callOnStream(Definition, Stream, Writes))
      return RivalWriter{Op, Rival};
  }
  return std::nullopt;
}

} // namespace clang::tidy::errorshield::ws
