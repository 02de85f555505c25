//===--- DeferredRefCaptureCheck.h - errorshield-deferred-ref-capture *- C++ -*-===//

#ifndef ERRORSHIELD_LIFETIME_DEFERREDREFCAPTURECHECK_H
#define ERRORSHIELD_LIFETIME_DEFERREDREFCAPTURECHECK_H

#include "core/ErrorShieldCheck.h"
#include <optional>

namespace clang::tidy::errorshield {

/// Finds lambdas that capture a local variable by reference and run later than the reader assumes:
/// in a scope guard while the variable is modified after the guard was created, or in a thread,
/// future, completion handler or stored callback that may outlive the variable. Such a callback
/// holding a caller's `const T &` value parameter, or a data member the deferring function
/// modifies, by reference is reported too.
///
/// For the user-facing documentation see:
/// docs/checks/errorshield-deferred-ref-capture.md
class DeferredRefCaptureCheck : public ErrorShieldCheck {
public:
  DeferredRefCaptureCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }

  /// How the lambda is deferred, and where a note should point.
  struct Deferral {
    /// Collected: stored in a local container, inside a loop, to run after it (an undo log).
    enum KindType { Cleanup, Execution, Collected } Kind;
    std::string Runner;     ///< "a detached thread", "a completion handler", ...
    const Stmt *Point;      ///< The guard's declaration, or the call that defers the lambda.
    SourceLocation NoteLoc; ///< Where the deferral happens (execution only).
    std::string NoteText;
    bool RunsOnExecutor = false; ///< Posted work: completes inside the executor's run().
    const Stmt *Loop = nullptr;  ///< Collected only: the loop that collects the callbacks.
  };

private:
  std::optional<Deferral> deferralOf(const ast_matchers::MatchFinder::MatchResult &Result) const;
  /// The deferring call inside a helper that \p Relay hands \p Lambda to (see the .cpp).
  const CallExpr *deferringCallOf(const CallExpr *Relay, const LambdaExpr *Lambda) const;
  bool isStoredLongLived(const CallExpr *Call) const;
  /// By-reference init-captures of a member (`[&id = next_id_]`) that the deferring function
  /// itself modifies.
  void reportMemberAliases(const LambdaExpr *Lambda, const Deferral &D, ASTContext &Ctx);
  /// True when handing \p Var to this deferral is safe regardless of the code around it.
  bool isExempt(const VarDecl *Var, const Deferral &D, ASTContext &Ctx) const;

  const std::vector<std::string> GuardTypes;
  const std::vector<std::string> GuardFactories;
  const std::vector<std::string> GuardDismissMethods;
  const std::vector<std::string> ThreadTypes;
  const std::vector<std::string> AutoJoiningThreadTypes;
  const std::vector<std::string> AsyncFunctions;
  const std::vector<std::string> DeferredExecutionFunctions;
  const std::string AsyncOperationPrefix;
  const std::vector<std::string> HandlerWrappers;
  const std::vector<std::string> TaskSubmitMethods;
  const std::vector<std::string> CallableStorageMethods;
  const std::vector<std::string> ExecutionContextTypes;
  const std::vector<std::string> ContextRunMethods;
  /// Types of `const T &` parameters whose capture by reference a deferred lambda must not make.
  const std::vector<std::string> ValueParameterTypes;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_LIFETIME_DEFERREDREFCAPTURECHECK_H
