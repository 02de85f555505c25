//===--- UpgradeHeaderCheck.h - errorshield-upgrade-header -------*- C++ -*-===//

#ifndef ERRORSHIELD_PROTOCOL_UPGRADEHEADERCHECK_H
#define ERRORSHIELD_PROTOCOL_UPGRADEHEADERCHECK_H

#include "core/ErrorShieldCheck.h"

namespace clang::tidy::errorshield {

/// Finds `Upgrade: h2c` set on an HTTP message that the same function writes to a TLS stream, and
/// proxy loops that copy every header of one message into another without skipping the
/// hop-by-hop headers.
///
/// For the user-facing documentation see: docs/checks/errorshield-upgrade-header.md
class UpgradeHeaderCheck : public ErrorShieldCheck {
public:
  UpgradeHeaderCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  void checkCleartextUpgrade(const CallExpr *Set, ASTContext &Ctx);
  /// A request written by hand, with an `Upgrade: h2c` line, sent to a TLS stream.
  void checkRawUpgrade(const StringLiteral *Text, ASTContext &Ctx);
  /// Reports the h2c offer at \p Loc; \p Setter is the helper that sets it, when Loc calls one.
  void reportCleartextUpgrade(SourceLocation Loc, StringRef Header, StringRef Setter);
  /// Finding 3: `out.set(http::field::upgrade, in[http::field::upgrade])`.
  void checkForwardedHeader(const CallExpr *Set, ASTContext &Ctx);
  /// A message copied whole from another and sent on without its hop-by-hop headers removed.
  void checkWholeCopy(const Stmt *Copy, ASTContext &Ctx);
  void checkHeaderCopy(const Stmt *Loop, const VarDecl *Field, const Expr *Source,
                       const Stmt *Body, ASTContext &Ctx);
  /// A message read from one stream and written as it is to another (a relay), judged at the end
  /// of the translation unit against every function that could clean it.
  void reportRelays();
  /// True when \p T is a TLS stream or a stream layered on one (websocket::stream<ssl_stream<..>>).
  bool isTlsStream(QualType T, unsigned Depth = 0) const;

  const std::vector<std::string> MessageTypes;
  const std::vector<std::string> SetMethods;
  const std::vector<std::string> UpgradeFields;
  const std::vector<std::string> CleartextUpgradeTokens;
  const std::vector<std::string> H2cSettingsFields;
  const std::vector<std::string> TlsStreamTypes;
  const std::vector<std::string> RequiredSkips;
  const std::vector<std::string> HopByHopHeaders;
  const std::vector<std::string> ComparisonFunctions;
  const std::vector<std::string> MessageReadFunctions;
  const std::vector<std::string> MessageWriteFunctions;

  /// A read or write of a whole message: the stream and the message, as named.
  struct Transfer {
    const CallExpr *Call;
    const Decl *Stream;
    const Decl *Message;
  };
  std::vector<Transfer> Reads, Writes;
  ASTContext *Context = nullptr;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_PROTOCOL_UPGRADEHEADERCHECK_H
