//===--- WsCloseCodeCheck.h - errorshield-ws-close-code -----------*- C++ -*-===//

#ifndef ERRORSHIELD_WEBSOCKET_WSCLOSECODECHECK_H
#define ERRORSHIELD_WEBSOCKET_WSCLOSECODECHECK_H

#include "core/ErrorShieldCheck.h"
#include "websocket/CloseCodeValues.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <cstdint>
#include <map>

namespace clang::tidy::errorshield {

/// Finds close frames sent with a constant code RFC 6455 forbids on the wire (1005, 1006, 1015,
/// reserved and out-of-range codes).
///
/// For the user-facing documentation see: docs/checks/errorshield-ws-close-code.md
class WsCloseCodeCheck : public ErrorShieldCheck {
public:
  WsCloseCodeCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

  using PossibleCode = ws::PossibleCloseCode;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  /// The forbidden range containing \p Code, if any.
  std::optional<std::pair<uint64_t, uint64_t>> forbiddenRange(uint64_t Code) const;
  /// The expression holding the code of a close call's first argument, or of a close_reason.
  const Expr *codeOf(const Expr *Reason) const;
  /// Reports each forbidden value \p Code may have (see possibleCodes), once per location.
  /// Returns whether it reported one.
  bool reportCode(SourceLocation At, const Expr *Code, ASTContext &Context);
  /// The code last assigned to `Reason.code` before \p Close in its function, or null.
  const Expr *codeStoredBefore(const VarDecl *Reason, const CallExpr *Close) const;
  bool reportPossibleCode(SourceLocation At, const Expr *Code, bool SpelledAtCall,
                          const ASTContext &Context);
  /// Reports a code counted up from a constant base (`1000 + reason`) that can reach a forbidden
  /// code.
  bool reportOffsetCode(SourceLocation At, const Expr *Code, const ASTContext &Context);
  /// Notes a close whose code is a parameter of its function (`close_with(ws, code, why)`), or a
  /// close_reason built from one (`make_reason(code, why)`, \p BuildsReason): the code is judged
  /// at the function's calls, at the end of the translation unit.
  void noteForwardedCode(const Expr *Code, SourceLocation CloseLoc, bool BuildsReason = false);
  /// Reports a code that is a template argument at the calls instantiating the function; false
  /// when \p Code is not one.
  bool reportAtInstantiations(const Stmt *Close, const Expr *Code, SourceLocation CloseLoc);

  const std::vector<std::string> StreamTypes;
  const std::vector<std::string> CloseMethods;
  const std::vector<std::string> CloseReasonTypes;
  const std::vector<std::string> ForbiddenCodes;
  const std::vector<std::string> FixItCodes;

  std::vector<std::pair<uint64_t, uint64_t>> Ranges; ///< Parsed ForbiddenCodes.
  std::map<uint64_t, std::string> Replacements;      ///< Parsed FixItCodes.
  /// close_reason constructions already judged as the argument of a close call.
  llvm::SmallPtrSet<const Expr *, 8> JudgedCodes;
  /// A function that closes with one of its parameters as the code, and where it does.
  struct ForwardedCode {
    const FunctionDecl *Function;
    unsigned Param;
    SourceLocation CloseLoc;
    bool BuildsReason; ///< The function returns the reason rather than closing with it.
  };
  std::vector<ForwardedCode> Forwarded;
  /// A function that closes with one of its close_reason parameters (`close_raw(cr)`): the
  /// reasons its calls build are judged there.
  struct ForwardedReason {
    const FunctionDecl *Function;
    unsigned Param;
    SourceLocation CloseLoc;
  };
  std::vector<ForwardedReason> ForwardedReasons;
  /// Judges the reasons handed to each ForwardedReasons function, forwarding in turn a code
  /// parameter a caller builds one from (`close_with(code, why)` calling `close_raw({code, why})`).
  void judgeForwardedReasons();
  ASTContext *Context = nullptr;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_WEBSOCKET_WSCLOSECODECHECK_H
