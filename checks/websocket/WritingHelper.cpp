//===--- WritingHelper.cpp - A function that starts a write on the stream it is given ---===//

#include "websocket/WritingHelper.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::errorshield::ws {

/// The stream a top-level statement of \p F's body writes, unawaited: one of its parameters, or,
/// for a lambda, a variable it captures (`auto push = [&ws](...) { ws.async_write(...); };`).
static WritingHelpers::Target writtenStream(const FunctionDecl *F,
                                            const WriteRecognizer &AsPendingWrite) {
  // The body may belong to a later redeclaration (a member declared in its class and defined out
  // of line); its parameters are the definition's, not the declaration's.
  const FunctionDecl *Definition = nullptr;
  const auto *Body = dyn_cast_or_null<CompoundStmt>(F->getBody(Definition));
  if (!Body ||
      F->getASTContext().getSourceManager().isInSystemHeader(Definition->getLocation()))
    return {};
  const auto *Method = dyn_cast<CXXMethodDecl>(Definition);
  const bool Lambda = Method && Method->getParent()->isLambda();
  for (const Stmt *S : Body->body()) {
    // A statement before the write that can return (`if (busy) return;`) decides whether it writes.
    if (findDescendant(S, [](const Stmt *D) {
          return isa<ReturnStmt, CoreturnStmt, CXXThrowExpr, GotoStmt>(D);
        }, isNestedCode))
      return {};
    const auto *E = dyn_cast<Expr>(S);
    const auto *Call = E ? dyn_cast<CallExpr>(E->IgnoreImplicit()) : nullptr;
    std::optional<StreamCall> Write = Call ? AsPendingWrite(Call) : std::nullopt;
    const VarDecl *Root = Write ? rootVariable(Write->Object) : nullptr;
    const auto *Param = dyn_cast_or_null<ParmVarDecl>(Root);
    if (Param && Param->getDeclContext() == Definition)
      return {Param->getFunctionScopeIndex(), nullptr};
    if (Lambda && Root && Root->getDeclContext() != Definition)
      return {std::nullopt, Write->Object};
  }
  return {};
}

std::optional<StreamCall> WritingHelpers::asHelperWrite(const CallExpr *Call,
                                                        const WriteRecognizer &AsPendingWrite) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Callee);
  const bool Lambda = Method && Method->getParent()->isLambda() && isa<CXXOperatorCallExpr>(Call);
  if (!Callee || (isa<CXXOperatorCallExpr>(Call) && !Lambda) ||
      (!Lambda && !Callee->getIdentifier()))
    return std::nullopt;
  auto [It, Inserted] = TargetOf.try_emplace(Callee->getCanonicalDecl());
  if (Inserted)
    It->second = writtenStream(Callee, AsPendingWrite);
  const Target &Written = It->second;
  StreamCall Write;
  Write.Call = Call;
  if (Lambda && Written.Captured) { // `push(1)`: the lambda held in `push` writes what it captured
    Write.Object = Written.Captured;
    Write.Loc = Call->getArg(0)->getExprLoc();
  } else if (Written.Param && !Lambda && *Written.Param < Call->getNumArgs()) {
    // A member function's parameters start at argument 0 too (the object is not an argument).
    Write.Object = Call->getArg(*Written.Param);
    Write.Loc = Call->getCallee()->IgnoreParenImpCasts()->getExprLoc();
  } else {
    return std::nullopt;
  }
  Write.Method = nameAtCall(Callee, Call);
  Write.Args = llvm::ArrayRef(Call->getArgs(), Call->getNumArgs());
  return Write;
}

} // namespace clang::tidy::errorshield::ws
