//===--- OriginDecision.cpp - Whether a handshake depends on its Origin ---===//

#include "websocket/OriginDecision.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::errorshield::ws {

/// True when \p Branch leaves the function or loop, or accepts the handshake itself: a decision
/// was made there.
static bool actsOnDecision(const Stmt *Branch, const std::vector<std::string> &AcceptMethods) {
  return Branch && findDescendant(Branch, [&](const Stmt *S) {
           if (isa<ReturnStmt, CoreturnStmt, CXXThrowExpr, BreakStmt, ContinueStmt>(S))
             return true;
           const auto *Call = dyn_cast<CallExpr>(S);
           return Call && llvm::is_contained(AcceptMethods, calleeName(Call));
         }, isNestedCode) != nullptr;
}

static bool decides(const Expr *Use, ASTContext &Ctx, const std::vector<std::string> &Accept,
                    unsigned Depth);

/// True when \p Call hands the value to a function that cannot stop the handshake: it returns
/// nothing, its body is here, and that body neither throws nor ends the program or the
/// connection (`log_line("upgrade from", req[http::field::origin])`).
static bool onlyRecords(const CallExpr *Call) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  const FunctionDecl *Definition = nullptr;
  if (isa<CXXOperatorCallExpr>(Call) || !Callee || !Callee->getReturnType()->isVoidType() ||
      !Callee->hasBody(Definition))
    return false;
  return !findDescendant(Definition->getBody(), [](const Stmt *S) {
    if (isa<CXXThrowExpr>(S))
      return true;
    const auto *Inner = dyn_cast<CallExpr>(S);
    const std::string Name = Inner ? calleeName(Inner) : "";
    return Name == "exit" || Name == "abort" || Name == "terminate" || Name == "close" ||
           Name == "shutdown" || Name == "cancel";
  });
}

/// True when a use of local \p Var in its function can decide.
static bool anyUseDecides(const VarDecl *Var, ASTContext &Ctx,
                          const std::vector<std::string> &Accept, unsigned Depth) {
  const auto *Function = dyn_cast<FunctionDecl>(Var->getDeclContext());
  if (!Function || !Function->getBody() || Depth == 0)
    return true; // not followed: assume it decides
  return findDescendant(Function->getBody(), [&](const Stmt *S) {
           const auto *Ref = dyn_cast<DeclRefExpr>(S);
           return Ref && Ref->getDecl() == Var && decides(Ref, Ctx, Accept, Depth - 1);
         }) != nullptr;
}

static bool decides(const Expr *Use, ASTContext &Ctx, const std::vector<std::string> &Accept,
                    unsigned Depth) {
  DynTypedNode Child = DynTypedNode::create(*Use);
  for (int Hops = 0; Hops < 32; ++Hops) {
    DynTypedNodeList Parents = Ctx.getParents(Child);
    if (Parents.empty())
      return true;
    const DynTypedNode Parent = Parents[0];
    const Stmt *ChildStmt = Child.get<Stmt>();
    if (const auto *Var = Parent.get<VarDecl>())
      return Var->isLocalVarDecl() ? anyUseDecides(Var, Ctx, Accept, Depth) : true;
    const auto *S = Parent.get<Stmt>();
    if (!S || isa<LambdaExpr, CompoundStmt, ReturnStmt, CoreturnStmt>(S))
      return true; // a statement of its own (a validator that throws), a result, or unknown
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
        Op && Op->getOperator() == OO_LessLess && Op->getNumArgs() == 2 &&
        Op->getArg(0) != ChildStmt)
      return false; // streamed into a log line
    if (const auto *Call = dyn_cast<CallExpr>(S);
        Call && Call->getCallee() != ChildStmt && onlyRecords(Call))
      return false; // handed to a logger
    if (const auto *Member = dyn_cast<MemberExpr>(S)) {
      const std::string Name = Member->getMemberNameInfo().getAsString();
      if (Name == "empty" || Name == "size" || Name == "length")
        return false; // a presence test
    }
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      if (ChildStmt != If->getCond())
        return true;
      return actsOnDecision(If->getThen(), Accept) || actsOnDecision(If->getElse(), Accept);
    }
    Child = Parent;
  }
  return true;
}

bool decidesOnOrigin(const Expr *Read, ASTContext &Ctx,
                     const std::vector<std::string> &AcceptMethods) {
  return decides(Read, Ctx, AcceptMethods, /*Depth=*/3);
}

} // namespace clang::tidy::errorshield::ws
