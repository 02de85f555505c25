//===--- SpawnedWriter.cpp - A coroutine spawned to write beside the writer ---===//

#include "websocket/SpawnedWriter.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/WriteQueue.h"
#include "clang/AST/ASTLambda.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::errorshield::ws {
namespace {

/// The innermost lambda around \p S, or null.
const LambdaExpr *enclosingLambda(const Stmt *S, ASTContext &Ctx) {
  for (DynTypedNodeList Parents = Ctx.getParents(*S); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    if (const auto *Lambda = Parents[0].get<LambdaExpr>())
      return Lambda;
    if (const auto *F = Parents[0].get<FunctionDecl>(); F && !isLambdaCallOperator(F))
      return nullptr;
  }
  return nullptr;
}

} // namespace

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

} // namespace clang::tidy::errorshield::ws
