//===--- CompletionHandlers.cpp - Code that runs as an Asio completion handler ---===//

#include "asio/CompletionHandlers.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "clang/AST/DeclTemplate.h"

namespace clang::tidy::errorshield::asio {

bool isInitiatingCall(const CallExpr *Call, llvm::StringRef Prefix) {
  return !Prefix.empty() && StringRef(calleeName(Call)).starts_with(Prefix);
}

/// The function `&C::f` (or `&f`, `C::f`) designates, resolved or a single unresolved candidate.
static const FunctionDecl *boundFunction(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *AddrOf = dyn_cast<UnaryOperator>(E); AddrOf && AddrOf->getOpcode() == UO_AddrOf)
    E = AddrOf->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<FunctionDecl>(Ref->getDecl());
  if (const auto *Lookup = dyn_cast<OverloadExpr>(E); Lookup && Lookup->getNumDecls() == 1)
    return (*Lookup->decls_begin())->getUnderlyingDecl()->getAsFunction();
  return nullptr;
}

static const LambdaExpr *lambdaOf(const Expr *E) {
  E = stripConversions(E);
  if (const auto *Lambda = dyn_cast<LambdaExpr>(E))
    return Lambda;
  // A lambda held in a local variable first: `auto on_done = [..](..){..}; t.async_wait(on_done);`
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
        Var && Var->isLocalVarDecl() && Var->getInit())
      return dyn_cast<LambdaExpr>(stripConversions(Var->getInit()));
  return nullptr;
}

/// The lambdas stored in the data member that \p E names through `this`
/// (`tick_handler_ = [this](error_code) {...};`, then `tick_.async_wait(tick_handler_)`): a
/// std::function member re-armed as its own handler.
static llvm::SmallVector<const LambdaExpr *, 2> lambdasInMember(const Expr *E) {
  const auto *Member = dyn_cast<MemberExpr>(stripConversions(E));
  const auto *Field = Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr;
  if (!Field || !isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts()))
    return {};
  return lambdasStoredIn(Field);
}

/// True when \p Call is one of \p BindFunctions; unresolved binders in templates are recognised by
/// their unqualified name.
static bool isBinder(const CallExpr *Call, const std::vector<std::string> &BindFunctions) {
  if (isListedCall(Call, BindFunctions))
    return true;
  const std::string Name = calleeName(Call);
  return !Name.empty() && !Call->getDirectCallee() &&
         llvm::any_of(BindFunctions, [&](const std::string &Listed) {
           return Listed == Name || StringRef(Listed).ends_with("::" + Name);
         });
}

static void collect(const Expr *Arg, const std::vector<std::string> &BindFunctions,
                    std::vector<CompletionHandler> &Out, unsigned Depth) {
  if (!Arg || Depth > 3)
    return;
  if (const LambdaExpr *Lambda = lambdaOf(Arg)) {
    Out.push_back({Lambda->getCallOperator(), Lambda->getBody(), Lambda->getBeginLoc()});
    return;
  }
  if (llvm::SmallVector<const LambdaExpr *, 2> Stored = lambdasInMember(Arg); !Stored.empty()) {
    for (const LambdaExpr *Lambda : Stored)
      Out.push_back({Lambda->getCallOperator(), Lambda->getBody(), Lambda->getBeginLoc()});
    return;
  }
  const auto *Bind = dyn_cast<CallExpr>(stripConversions(Arg));
  if (!Bind || !isBinder(Bind, BindFunctions))
    return;
  for (const Expr *Inner : Bind->arguments()) {
    if (const FunctionDecl *F = boundFunction(Inner)) {
      const FunctionDecl *Definition = nullptr;
      if (F->hasBody(Definition))
        Out.push_back({Definition, Definition->getBody(), Inner->getBeginLoc()});
      return;
    }
    collect(Inner, BindFunctions, Out, Depth + 1); // bind_executor(strand, handler)
  }
}

std::vector<CompletionHandler> completionHandlers(const CallExpr *Call,
                                                  const std::vector<std::string> &BindFunctions) {
  std::vector<CompletionHandler> Out;
  for (const Expr *Arg : Call->arguments())
    collect(Arg, BindFunctions, Out, 0);
  return Out;
}

} // namespace clang::tidy::errorshield::asio
