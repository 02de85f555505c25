//===--- WritingHelper.cpp - A function that starts a write on the stream it is given ---===//

#include "websocket/WritingHelper.h"
#include "core/Matchers.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::errorshield::ws {

/// The parameter of \p F whose stream a top-level statement of \p F's body writes, unawaited.
static std::optional<unsigned> writtenParameter(const FunctionDecl *F,
                                                const WriteRecognizer &AsPendingWrite) {
  // The body may belong to a later redeclaration (a member declared in its class and defined out
  // of line); its parameters are the definition's, not the declaration's.
  const FunctionDecl *Definition = nullptr;
  const auto *Body = dyn_cast_or_null<CompoundStmt>(F->getBody(Definition));
  if (!Body ||
      F->getASTContext().getSourceManager().isInSystemHeader(Definition->getLocation()))
    return std::nullopt;
  for (const Stmt *S : Body->body()) {
    // A statement before the write that can return (`if (busy) return;`) decides whether it writes.
    if (findDescendant(S, [](const Stmt *D) {
          return isa<ReturnStmt, CoreturnStmt, CXXThrowExpr, GotoStmt>(D);
        }, isNestedCode))
      return std::nullopt;
    const auto *E = dyn_cast<Expr>(S);
    const auto *Call = E ? dyn_cast<CallExpr>(E->IgnoreImplicit()) : nullptr;
    std::optional<StreamCall> Write = Call ? AsPendingWrite(Call) : std::nullopt;
    const VarDecl *Root = Write ? rootVariable(Write->Object) : nullptr;
    const auto *Param = dyn_cast_or_null<ParmVarDecl>(Root);
    if (Param && Param->getDeclContext() == Definition)
      return Param->getFunctionScopeIndex();
  }
  return std::nullopt;
}

std::optional<StreamCall> WritingHelpers::asHelperWrite(const CallExpr *Call,
                                                        const WriteRecognizer &AsPendingWrite) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || isa<CXXOperatorCallExpr>(Call) || !Callee->getIdentifier())
    return std::nullopt;
  auto [It, Inserted] = ParamOf.try_emplace(Callee->getCanonicalDecl());
  if (Inserted)
    It->second = writtenParameter(Callee, AsPendingWrite);
  // A member function's parameters start at argument 0 too (the object is not an argument).
  if (!It->second || *It->second >= Call->getNumArgs())
    return std::nullopt;
  StreamCall Write;
  Write.Call = Call;
  Write.Object = Call->getArg(*It->second);
  Write.Method = Callee->getName().str();
  Write.Loc = Call->getCallee()->IgnoreParenImpCasts()->getExprLoc();
  Write.Args = llvm::ArrayRef(Call->getArgs(), Call->getNumArgs());
  return Write;
}

} // namespace clang::tidy::errorshield::ws
