//===--- WsMessageLimitCheck.h - errorshield-ws-message-limit -----*- C++ -*-===//

#ifndef ERRORSHIELD_WEBSOCKET_WSMESSAGELIMITCHECK_H
#define ERRORSHIELD_WEBSOCKET_WSMESSAGELIMITCHECK_H

#include "core/ErrorShieldCheck.h"
#include "websocket/SetBeforeUse.h"
#include "websocket/StreamModel.h"

namespace clang::tidy::errorshield {

/// Finds WebSocket reads on a stream whose owner never sets read_message_max(n), and limits that
/// are unlimited (0) or above the catalog's ceiling. Whether the owner sets a limit is known only
/// once every member function has been seen, so reads are judged at the end of the translation unit.
///
/// For the user-facing documentation see: docs/checks/errorshield-ws-message-limit.md
class WsMessageLimitCheck : public ErrorShieldCheck {
public:
  WsMessageLimitCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  void judgeLimit(const ws::StreamCall &Limit, const ASTContext &Context);

  const std::vector<std::string> StreamTypes;
  const std::vector<std::string> ReadMethods;
  const std::vector<std::string> LimitMethods;
  const uint64_t MaxMessageBytes;
  const uint64_t SuggestedMessageBytes;
  /// Buffers of a fixed capacity, and buffers that cap their size when constructed with one.
  const std::vector<std::string> StaticBufferTypes;
  const std::vector<std::string> LimitedBufferTypes;
  const std::vector<std::string> BindFunctions;

  struct Read {
    SourceLocation Loc;
    std::string Method;
    ws::ObjectKey Stream;
    const CallExpr *Call;
    const FunctionDecl *Function; ///< The outer function that reads.
    /// For a read in a helper on the stream it is lent: the calls lending it (each an owner's
    /// stream without a limit).
    std::vector<std::pair<const CallExpr *, ws::ObjectKey>> LentBy = {};
  };
  /// The first read of each helper (its template pattern) on a stream it is lent.
  struct LentRead {
    SourceLocation Loc;
    std::string Method;
    std::string Parameter;
  };
  llvm::DenseMap<const FunctionDecl *, LentRead> LentReads;
  void reportRead(const Read &R, llvm::StringRef Setter);
  std::vector<Read> Reads;
  /// Calls handing a stream to a function of the project: one that reads its parameter reads the
  /// owner's stream at the call.
  std::vector<const CallExpr *> Handovers;
  /// Where each owned stream's limit is set.
  std::vector<std::pair<ws::ObjectKey, ws::SettingSite>> LimitSites;
  ASTContext *Context = nullptr;
  ws::OwnerFacts Limited;
  const SourceManager *SM = nullptr;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_WEBSOCKET_WSMESSAGELIMITCHECK_H
