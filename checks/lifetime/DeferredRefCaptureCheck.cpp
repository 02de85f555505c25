//===--- DeferredRefCaptureCheck.cpp - errorshield-deferred-ref-capture ----===//
//
// Matchers and reporting. Which deferral a match is, and whether it is really deferred (a joined
// thread, a waited-for future, an io_context run in scope), is decided in
// DeferredRefCaptureDeferral.cpp.
//
//===----------------------------------------------------------------------===//

#include "lifetime/DeferredRefCaptureCheck.h"
#include "core/Matchers.h"
#include "lifetime/CaptureKinds.h"
#include "lifetime/GuardDisarm.h"
#include "lifetime/ScopeAnalysis.h"
#include "clang/AST/ASTContext.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringExtras.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {
namespace {

AST_MATCHER_P(LambdaExpr, capturesAtRiskByReference, std::vector<std::string>, ValueTypes) {
  return llvm::any_of(Node.captures(), [&](const LambdaCapture &C) {
    return capturedLocalByReference(C) || memberBoundByReference(C) ||
           capturedValueParamByReference(C, ValueTypes);
  });
}

/// A class whose destructor calls one of its own data members (`~Guard() { if (active) f(); }`):
/// a scope guard, whatever its name.
AST_MATCHER(CXXRecordDecl, callsStoredCallableInDestructor) {
  const CXXDestructorDecl *Dtor = Node.getDestructor();
  const Stmt *Body = Dtor ? Dtor->getBody() : nullptr;
  if (!Body)
    return false;
  auto IsOwnField = [&](const Expr *E) {
    const auto *Member = dyn_cast<MemberExpr>(stripConversions(E));
    const auto *Field = Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr;
    return Field && Field->getParent() == &Node;
  };
  return findDescendant(Body, [&](const Stmt *S) {
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S))
      return Op->getOperator() == OO_Call && IsOwnField(Op->getArg(0));
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call)
      return false;
    if (IsOwnField(Call->getCallee()))
      return true; // a function-pointer member
    const auto *Callee = dyn_cast_or_null<FunctionDecl>(Call->getCalleeDecl());
    return Callee && Callee->isInStdNamespace() && Callee->getName() == "invoke" &&
           Call->getNumArgs() > 0 && IsOwnField(Call->getArg(0));
  });
}

/// True when the by-reference capture \p C can become a copy of \p Copied: spelled outside a
/// macro, copyable, and not modified by the lambda's body, which names it \p InBody.
bool canCopyInstead(const LambdaExpr *Lambda, const LambdaCapture &C, const VarDecl *Copied,
                    const VarDecl *InBody, ASTContext &Ctx) {
  return !C.getLocation().isMacroID() && isCopyable(Copied) &&
         !lambdaModifies(Lambda, InBody, Ctx);
}

/// Where the diagnostic for one capture goes: the `&` of `&x`, or the introducer of `[&]`.
SourceLocation captureLoc(const LambdaExpr *Lambda, const LambdaCapture &C,
                          const SourceManager &SM) {
  if (!C.isExplicit() || C.getLocation().isMacroID())
    return Lambda->getIntroducerRange().getBegin();
  const char *Name = SM.getCharacterData(C.getLocation());
  int Offset = -1;
  while (isWhitespace(Name[Offset]))
    --Offset;
  return Name[Offset] == '&' ? C.getLocation().getLocWithOffset(Offset) : C.getLocation();
}

} // namespace

DeferredRefCaptureCheck::DeferredRefCaptureCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), GuardTypes(listOption("GuardTypes")),
      GuardFactories(listOption("GuardFactories")),
      GuardDismissMethods(listOption("GuardDismissMethods")), ThreadTypes(listOption("ThreadTypes")),
      AutoJoiningThreadTypes(listOption("AutoJoiningThreadTypes")),
      AsyncFunctions(listOption("AsyncFunctions")),
      DeferredExecutionFunctions(listOption("DeferredExecutionFunctions")),
      AsyncOperationPrefix(stringOption("AsyncOperationPrefix")),
      HandlerWrappers(listOption("HandlerWrappers")),
      TaskSubmitMethods(listOption("TaskSubmitMethods")),
      CallableStorageMethods(listOption("CallableStorageMethods")),
      ExecutionContextTypes(listOption("ExecutionContextTypes")),
      ContextRunMethods(listOption("ContextRunMethods")),
      ValueParameterTypes(listOption("ValueParameterTypes")) {}

void DeferredRefCaptureCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "GuardTypes", GuardTypes);
  storeList(Opts, "GuardFactories", GuardFactories);
  storeList(Opts, "GuardDismissMethods", GuardDismissMethods);
  storeList(Opts, "ThreadTypes", ThreadTypes);
  storeList(Opts, "AutoJoiningThreadTypes", AutoJoiningThreadTypes);
  storeList(Opts, "AsyncFunctions", AsyncFunctions);
  storeList(Opts, "DeferredExecutionFunctions", DeferredExecutionFunctions);
  Options.store(Opts, "AsyncOperationPrefix", AsyncOperationPrefix);
  storeList(Opts, "HandlerWrappers", HandlerWrappers);
  storeList(Opts, "TaskSubmitMethods", TaskSubmitMethods);
  storeList(Opts, "CallableStorageMethods", CallableStorageMethods);
  storeList(Opts, "ExecutionContextTypes", ExecutionContextTypes);
  storeList(Opts, "ContextRunMethods", ContextRunMethods);
  storeList(Opts, "ValueParameterTypes", ValueParameterTypes);
}

void DeferredRefCaptureCheck::registerCheckMatchers(MatchFinder *Finder) {
  using namespace matchers;
  auto RefCapturingLambda = lambdaExpr(capturesAtRiskByReference(ValueParameterTypes)).bind("lambda");
  // The lambda itself, or a local initialised with it (`auto closer = [&]{...}; guard(closer)`).
  auto LambdaValue = expr(ignoringConversions(expr(anyOf(
      RefCapturingLambda,
      declRefExpr(to(varDecl(hasLocalStorage(),
                             hasInitializer(ignoringConversions(RefCapturingLambda)))))))));
  // A completion handler: the lambda, possibly wrapped (bind_executor, bind_front_handler...).
  auto Handler = expr(anyOf(
      LambdaValue, ignoringConversions(callExpr(
                       callee(functionDecl(hasAnyListedName(HandlerWrappers))),
                       hasAnyArgument(LambdaValue)))));
  auto RecordNamed = [](const std::vector<std::string> &Names) {
    return qualType(hasUnqualifiedDesugaredType(
        recordType(hasDeclaration(cxxRecordDecl(hasAnyListedName(Names))))));
  };

  // 1. Deferred cleanup: a local guard object that runs the lambda when its scope ends.
  auto GuardRecord =
      cxxRecordDecl(anyOf(hasAnyListedName(GuardTypes), callsStoredCallableInDestructor()));
  // Constructed from the lambda, or an aggregate holding it (`Finally undo{[&] {...}};`).
  auto GuardMadeFromLambda = ignoringConversions(expr(anyOf(
      LambdaValue, callExpr(hasAnyArgument(LambdaValue)),
      cxxConstructExpr(hasAnyArgument(LambdaValue)), initListExpr(has(LambdaValue)))));
  auto GuardFromFactory = ignoringConversions(callExpr(
      callee(functionDecl(hasAnyListedName(GuardFactories))), hasAnyArgument(LambdaValue)));
  Finder->addMatcher(
      varDecl(hasLocalStorage(), unless(hasType(referenceType())),
              anyOf(allOf(hasInitializer(GuardMadeFromLambda),
                          hasType(qualType(hasUnqualifiedDesugaredType(
                              recordType(hasDeclaration(GuardRecord)))))),
                    hasInitializer(GuardFromFactory)))
          .bind("guard"),
      this);

  // 2. Threads: constructed from the lambda, or emplaced into a container of threads.
  std::vector<std::string> AllThreadTypes = ThreadTypes;
  AllThreadTypes.insert(AllThreadTypes.end(), AutoJoiningThreadTypes.begin(),
                        AutoJoiningThreadTypes.end());
  auto ThreadContainer = qualType(hasUnqualifiedDesugaredType(recordType(
      hasDeclaration(classTemplateSpecializationDecl(hasTemplateArgument(
          0, refersToType(RecordNamed(AllThreadTypes))))))));
  Finder->addMatcher(
      cxxConstructExpr(hasType(RecordNamed(AllThreadTypes)), hasArgument(0, LambdaValue))
          .bind("thread"),
      this);
  Finder->addMatcher(cxxMemberCallExpr(callee(cxxMethodDecl(hasAnyName(
                                           "emplace_back", "emplace", "emplace_front"))),
                                       on(hasType(ThreadContainer)), hasArgument(0, LambdaValue))
                         .bind("thread-store"),
                     this);

  // 3. std::async and friends: the task may outlive the scope through its future.
  Finder->addMatcher(callExpr(callee(functionDecl(hasAnyListedName(AsyncFunctions))),
                              hasAnyArgument(LambdaValue))
                         .bind("async"),
                     this);

  // 4. Completion handlers and posted work: they run from the executor, later.
  Finder->addMatcher(
      callExpr(callee(functionDecl(anyOf(hasAnyListedName(DeferredExecutionFunctions),
                                         hasNamePrefix(AsyncOperationPrefix)))),
               hasAnyArgument(Handler))
          .bind("handoff"),
      this);

  // 5. Tasks submitted to a pool.
  Finder->addMatcher(
      cxxMemberCallExpr(callee(cxxMethodDecl(hasAnyListedName(TaskSubmitMethods))),
                        hasAnyArgument(Handler))
          .bind("submit"),
      this);

  // 7. A helper of the project that defers the callback it is given (`run_after(ex, delay, fn)`
  //    capturing `fn` into a timer's handler); judged in deferralOf().
  auto ProjectHelper = functionDecl(unless(isExpansionInSystemHeader()),
                                    unless(hasAnyListedName(DeferredExecutionFunctions)),
                                    unless(hasNamePrefix(AsyncOperationPrefix)));
  Finder->addMatcher(callExpr(hasAnyArgument(LambdaValue), unless(isExpansionInSystemHeader()),
                              callee(ProjectHelper))
                         .bind("relay"),
                     this);

  // 6. Callbacks stored where they outlive the scope: a member, a global, a caller's container.
  auto LongLived = expr(designatesLongLivedObject());
  Finder->addMatcher(cxxOperatorCallExpr(hasOverloadedOperatorName("="),
                                         hasArgument(0, LongLived), hasArgument(1, LambdaValue))
                         .bind("store"),
                     this);
  Finder->addMatcher(
      cxxMemberCallExpr(callee(cxxMethodDecl(hasAnyListedName(CallableStorageMethods))),
                        on(LongLived),
                        // Threads emplaced into a member container are handled as threads.
                        unless(on(hasType(ThreadContainer))), hasAnyArgument(LambdaValue))
          .bind("store"),
      this);

  // 7. Callbacks a loop collects in a local container to run after it (an undo log): each
  //    iteration's local is gone, and an outer variable holds its last value, when they run.
  Finder->addMatcher(
      cxxMemberCallExpr(callee(cxxMethodDecl(hasAnyListedName(CallableStorageMethods))),
                        on(ignoringParenImpCasts(declRefExpr(to(
                            varDecl(hasLocalStorage(), unless(hasType(referenceType()))))))),
                        unless(on(hasType(ThreadContainer))), hasAnyArgument(LambdaValue))
          .bind("collect"),
      this);
}

void DeferredRefCaptureCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Lambda = Result.Nodes.getNodeAs<LambdaExpr>("lambda");
  std::optional<Deferral> D = deferralOf(Result);
  if (!Lambda || !D)
    return;
  ASTContext &Ctx = *Result.Context;
  const SourceManager &SM = *Result.SourceManager;

  struct AtRisk {
    const LambdaCapture *Capture;
    const VarDecl *Var;    // whose lifetime counts (a structured binding's unpacked object)
    const ValueDecl *Named; // as captured: the variable, or the structured binding
    const Stmt *Write; // cleanup only: the modification after the guard
    bool Fixable;
    bool CallerObject; // a reference parameter: the object is the caller's
  };
  llvm::SmallVector<AtRisk, 4> Risks;
  for (const LambdaCapture &C : Lambda->captures()) {
    const VarDecl *Var = capturedLocalByReference(C);
    bool CallerObject = false;
    // A guard runs before the parameter's function returns; only later execution can outlive it.
    if (!Var && D->Kind == Deferral::Execution) {
      Var = capturedValueParamByReference(C, ValueParameterTypes);
      CallerObject = Var != nullptr;
    }
    if (!Var || isExempt(Var, *D, Ctx))
      continue;
    // The name the lambda's body uses: `o` in `[&o = other]`, else the variable itself.
    const auto *AsCaptured = dyn_cast<VarDecl>(C.getCapturedVar());
    const VarDecl *InBody = AsCaptured && AsCaptured->isInitCapture() ? AsCaptured : Var;
    const Stmt *Write = nullptr;
    if (D->Kind == Deferral::Cleanup &&
        !(Write = firstModificationAfter(Var, D->Point, Ctx)))
      continue; // the guard sees the value it was created with
    // A variable of the loop's body is gone when the callbacks run; one from outside the loop
    // is a problem only when the loop changes it.
    if (D->Kind == Deferral::Collected && !spansLocation(D->Loop, Var->getLocation(), SM) &&
        !(Write = firstModificationWithin(D->Loop, Var, Ctx)))
      continue;
    if (D->Kind == Deferral::Cleanup &&
        (dismissedBefore(D->Point, Write, GuardDismissMethods, Ctx) ||
         disarmsGuard(Lambda, InBody, Write, Ctx)))
      continue; // the write turns the cleanup off on purpose
    const bool Fixable = canCopyInstead(Lambda, C, Var, InBody, Ctx);
    // `[&o = other]` is reported as a capture of `other`.
    const ValueDecl *Named = InBody != Var ? Var : C.getCapturedVar();
    Risks.push_back({&C, Var, Named, Write, Fixable, CallerObject});
  }
  if (D->Kind == Deferral::Execution)
    reportMemberAliases(Lambda, *D, Ctx);
  if (Risks.empty())
    return;

  // `[&]` is rewritten once, as the explicit list of what the body uses: by value where safe.
  std::optional<FixItHint> DefaultFix;
  if (Lambda->getCaptureDefault() == LCD_ByRef && !Lambda->getCaptureDefaultLoc().isMacroID() &&
      llvm::any_of(Risks, [](const AtRisk &R) { return !R.Capture->isExplicit() && R.Fixable; })) {
    llvm::SmallVector<std::string, 4> List;
    for (const LambdaCapture &C : Lambda->implicit_captures()) {
      if (C.capturesThis())
        List.push_back(C.getCaptureKind() == LCK_StarThis ? "*this" : "this");
      else if (C.capturesVariable()) {
        bool ByValue = llvm::any_of(Risks, [&](const AtRisk &R) {
          return R.Capture == &C && R.Fixable;
        });
        List.push_back((ByValue ? "" : "&") + C.getCapturedVar()->getName().str());
      }
    }
    DefaultFix = FixItHint::CreateReplacement(
        CharSourceRange::getTokenRange(Lambda->getCaptureDefaultLoc()), llvm::join(List, ", "));
  }

  for (const AtRisk &R : Risks) {
    SourceLocation Loc = captureLoc(Lambda, *R.Capture, SM);
    {
      StringRef Message =
          D->Kind == Deferral::Cleanup
              ? "%0 is captured by reference in a deferred cleanup and modified after the guard "
                "is created"
          : R.Write ? "%0 is captured by reference by %1, and the loop that collects it changes %0: "
                      "every callback sees its last value"
          : R.CallerObject ? "%0 is captured by reference by %1 that may run after the caller's "
                             "object %0 refers to is destroyed or changed"
                           : "%0 is captured by reference by %1 that may run after %0 goes out "
                             "of scope";
      DiagnosticBuilder Diag = report(Loc, Message);
      Diag << R.Named;
      if (D->Kind != Deferral::Cleanup)
        Diag << D->Runner;
      if (R.Fixable && R.Capture->isExplicit() && Loc != R.Capture->getLocation())
        Diag << FixItHint::CreateRemoval(CharSourceRange::getCharRange(Loc, R.Capture->getLocation()));
      else if (!R.Capture->isExplicit() && DefaultFix) {
        Diag << *DefaultFix;
        DefaultFix.reset(); // one rewrite of `[&]` serves every capture it lists
      }
    }
    if (R.Write)
      diag(R.Write->getBeginLoc(),
           D->Kind == Deferral::Cleanup ? "%0 is modified here, before the cleanup runs"
                                        : "%0 is modified here, in the loop",
           DiagnosticIDs::Note)
          << R.Named;
    else
      diag(D->NoteLoc, D->NoteText, DiagnosticIDs::Note);
    if (!R.Fixable)
      diag(R.Named->getLocation(),
           "%0 cannot simply be captured by value (not copyable, or modified by the lambda); "
           "give the deferred code its own copy or shared ownership",
           DiagnosticIDs::Note)
          << R.Named;
  }
}

void DeferredRefCaptureCheck::reportMemberAliases(const LambdaExpr *Lambda, const Deferral &D,
                                                  ASTContext &Ctx) {
  // `[&id = next_id_]` in a callback stored by a function that also does `++next_id_`: every
  // call changes the member under the callbacks stored by earlier calls (one session's close
  // detaches another's id). A member modified elsewhere only (a reloaded setting) may be read
  // late on purpose, as `[this]` would read it.
  const Stmt *Body = enclosingFunctionBody(Lambda, Ctx, /*StopAtLambdas=*/true);
  for (const LambdaCapture &C : Lambda->captures()) {
    const FieldDecl *Field = memberBoundByReference(C);
    const Stmt *Write = Field && Body ? findMemberWrite(Body, Field, /*Except=*/Lambda) : nullptr;
    if (!Write)
      continue;
    const auto *Alias = cast<VarDecl>(C.getCapturedVar());
    SourceLocation Loc = captureLoc(Lambda, C, Ctx.getSourceManager());
    {
      DiagnosticBuilder Diag =
          report(Loc, "%0 binds data member %1 by reference; %2 reads it when it runs, after "
                      "later calls of this function have modified it")
          << Alias << Field << D.Runner;
      if (canCopyInstead(Lambda, C, Alias, Alias, Ctx))
        Diag << FixItHint::CreateRemoval(CharSourceRange::getCharRange(Loc, C.getLocation()));
    }
    diag(Write->getBeginLoc(), "%0 is modified here", DiagnosticIDs::Note) << Field;
    diag(D.NoteLoc, D.NoteText, DiagnosticIDs::Note);
  }
}

} // namespace clang::tidy::errorshield
