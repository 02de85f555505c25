//===--- ThreadPerConnectionCheck.h - errorshield-thread-per-connection -*- C++ -*-===//

#ifndef ERRORSHIELD_CONCURRENCY_THREADPERCONNECTIONCHECK_H
#define ERRORSHIELD_CONCURRENCY_THREADPERCONNECTIONCHECK_H

#include "core/ErrorShieldCheck.h"
#include "llvm/ADT/ArrayRef.h"
#include <optional>

namespace clang::tidy::errorshield {

/// Finds threads created once per accepted connection: in a loop that also accepts, or in the
/// completion handler of an async_accept.
///
/// For the user-facing documentation see: docs/checks/errorshield-thread-per-connection.md
class ThreadPerConnectionCheck : public ErrorShieldCheck {
public:
  ThreadPerConnectionCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }

private:
  /// The thread type \p S creates (`std::thread`), or empty when it creates none.
  std::string createdThread(const Stmt *S) const;
  /// Reports every thread created under \p Region (nested lambdas excluded); with
  /// \p HandedConnection (the connection's variables and the locals wrapping them), only those
  /// that are the connection's (built with one of them, or stored into one), and, up to \p Depth
  /// calls deep, those of the functions they are handed to, by a call or as a thread's function.
  void reportThreadsIn(const Stmt *Region, const CallExpr *Accept, bool InHandler,
                       std::optional<llvm::ArrayRef<const VarDecl *>> HandedConnection,
                       ASTContext &Ctx, unsigned Depth = 2);

  const std::vector<std::string> ThreadTypes;
  const std::vector<std::string> AcceptFunctions;
  const std::vector<std::string> AsyncAcceptMethods;
  const std::vector<std::string> ThreadFactories;
  const std::vector<std::string> ThreadStartFunctions;
  const std::vector<std::string> BindFunctions;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_CONCURRENCY_THREADPERCONNECTIONCHECK_H
