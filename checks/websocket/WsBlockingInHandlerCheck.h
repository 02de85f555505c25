//===--- WsBlockingInHandlerCheck.h - errorshield-ws-blocking-in-handler -*- C++ -*-===//

#ifndef ERRORSHIELD_WEBSOCKET_WSBLOCKINGINHANDLERCHECK_H
#define ERRORSHIELD_WEBSOCKET_WSBLOCKINGINHANDLERCHECK_H

#include "asio/CompletionHandlers.h"
#include "websocket/BlockingContext.h"
#include "core/ErrorShieldCheck.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::errorshield {

/// Finds calls that block the calling thread (synchronous Asio/Beast operations, sleeps, waits on
/// futures, threads and condition variables, POSIX I/O, child processes) inside completion handlers
/// of Asio initiating functions, and in the project's functions those handlers call directly.
///
/// For the user-facing documentation see: docs/checks/errorshield-ws-blocking-in-handler.md
class WsBlockingInHandlerCheck : public ErrorShieldCheck {
public:
  WsBlockingInHandlerCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onStartOfTranslationUnit() override { HelperUses.reset(); }
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

  /// Where the code scanned runs from: a completion handler of an initiating call, or a
  /// coroutine that runs on its executor's thread.
  struct Origin {
    SourceLocation Loc;     ///< The initiating call, or the coroutine's name.
    std::string Initiating; ///< The initiating function's name; empty for a coroutine.
    std::vector<SourceRange> PoolStretches; ///< Parts of a coroutine that hop to a thread pool.
    bool Posted = false; ///< Work posted to an I/O executor (`net::post(ioc_, ...)`).
  };

private:
  /// A function the handler runs, and how it was reached from the handler.
  struct Frame {
    const FunctionDecl *Function;
    const Stmt *Body;
    unsigned Depth;
    /// The call in the handler that led here (to a helper), null in the handler itself.
    const CallExpr *Site;
    /// The first call on the way here to a shared helper (see FunctionUses), where what blocks
    /// below it is reported; null when every function on the way is a piece of the handler.
    const CallExpr *Shared;
  };
  void scan(const Frame &F, const Origin &O, ASTContext &Ctx,
            llvm::SmallPtrSetImpl<const FunctionDecl *> &Seen);
  /// True when the file stream \p Open makes is read or written by a blocking call in \p Body.
  bool usedByBlockingCall(const CXXConstructExpr *Open, const Stmt *Body, ASTContext &Ctx) const;
  /// Reports \p Blocking, a call of \p Name, found in \p F: at the call itself in the handler,
  /// at the helper's call site in the handler otherwise.
  void reportBlocking(const Frame &F, const Origin &O, const Expr *Blocking,
                      const std::string &Name, ASTContext &Ctx);
  /// True when \p F is a coroutine of one of the CoroutineTypes (returns `awaitable<T>`, or takes
  /// a `yield_context`).
  bool isCoroutine(const FunctionDecl *F) const;
  /// The name to report when \p C blocks, or empty.
  std::string blockingName(const CallExpr *C) const;
  /// The operation \p C performs when it is a synchronous Asio/Beast operation with an async_
  /// twin (`stream::write`, `boost::asio::write`), or empty.
  std::string syncAsioOperation(const CallExpr *C) const;

  const std::string AsyncPrefix;
  const std::vector<std::string> BindFunctions;
  const std::vector<std::string> AsioNamespaces;
  const std::vector<std::string> SyncOperations;
  const std::vector<std::string> BlockingFunctions;
  const std::vector<std::string> CoroutineTypes;
  const std::vector<std::string> ThreadPoolTypes;
  const std::vector<std::string> PostFunctions;
  const std::vector<std::string> FileStreamTypes;
  const std::vector<std::string> FileStreamMethods;
  const unsigned HelperDepth;
  ws::FunctionUses HelperUses;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_WEBSOCKET_WSBLOCKINGINHANDLERCHECK_H
