//===--- UncheckedReadCheck.h - errorshield-unchecked-read ------*- C++ -*-===//

#ifndef ERRORSHIELD_IO_UNCHECKEDREADCHECK_H
#define ERRORSHIELD_IO_UNCHECKEDREADCHECK_H

#include "core/ErrorShieldCheck.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"

namespace clang::tidy::errorshield {

/// Finds reads whose outcome is not acted upon: POSIX/C read results discarded or never told apart
/// from end of stream, Asio/Beast error_code out-parameters not tested before the data is used,
/// and asynchronous read handlers that ignore their error_code or carry on after a failure.
///
/// For the user-facing documentation see: docs/checks/errorshield-unchecked-read.md
class UncheckedReadCheck : public ErrorShieldCheck {
public:
  UncheckedReadCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  /// Reads of \p Stream in \p Loop (`while (!in.eof())`, or \p Endless: `for (;;)`) that the
  /// body never follows with a test of the stream.
  void checkIstreamLoop(const Stmt *Loop, const ValueDecl *Stream, bool Endless,
                        const SourceManager &SM);
  static std::vector<std::string> concat(std::vector<std::string> A,
                                         const std::vector<std::string> &B) {
    A.insert(A.end(), B.begin(), B.end());
    return A;
  }
  void checkResultOfCall(const CallExpr *Call, ASTContext &Ctx);
  /// `in.read(buf, n);` whose buffer is used before the stream is tested.
  void checkIstreamBufferRead(const CXXMemberCallExpr *Read, const VarDecl *Stream,
                              ASTContext &Ctx);
  void checkErrorCodeOverload(const CallExpr *Call, const VarDecl *Ec, ASTContext &Ctx);
  void checkCompletionHandler(const CallExpr *Call, ASTContext &Ctx);
  /// `if (ec) fail(ec, "read");` -> `if (ec) return fail(ec, "read");`, or a `return;` added.
  llvm::SmallVector<FixItHint, 2> returnFromErrorBranch(const IfStmt *If,
                                                        const FunctionDecl *Handler,
                                                        ASTContext &Ctx);

  const std::vector<std::string> ReadFunctions;
  const std::vector<std::string> ZeroMeansEndFunctions;
  const std::vector<std::string> ShortReadFunctions;
  const std::vector<std::string> IoNamespaces;
  const std::vector<std::string> ErrorCodeTypes;
  const std::vector<std::string> SyncReadOperations;
  const std::vector<std::string> AsyncReadOperations;
  /// Both: a read of either kind may refill an error_code (`yield[ec]`, `redirect_error`).
  const std::vector<std::string> AnyReadOperations;
  const std::vector<std::string> HandlerBinders;
  const std::vector<std::string> HandlerWrappers;
  const std::vector<std::string> RearmAfterErrorOperations;
  const std::vector<std::string> IstreamTypes;
  const std::vector<std::string> IstreamReadMethods;
  const std::vector<std::string> IstreamBufferReads;
  /// Error branches already given a fix-it (a member handler can be bound at several reads).
  llvm::SmallPtrSet<const IfStmt *, 8> FixedBranches;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_IO_UNCHECKEDREADCHECK_H
