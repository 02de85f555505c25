//===--- WsTimeoutsCheck.h - errorshield-ws-timeouts --------------*- C++ -*-===//

#ifndef ERRORSHIELD_WEBSOCKET_WSTIMEOUTSCHECK_H
#define ERRORSHIELD_WEBSOCKET_WSTIMEOUTSCHECK_H

#include "core/ErrorShieldCheck.h"
#include "websocket/StreamModel.h"
#include "websocket/AppTimeout.h"
#include "websocket/TimeoutOption.h"

namespace clang::tidy::errorshield {

/// Finds WebSocket handshakes on streams whose owner never sets a stream_base::timeout, and timeout
/// options that disable the handshake or idle timeout or use an idle timeout out of bounds. A
/// stream's role (server or client) and its options are known only once the whole owner has been
/// seen, so findings are judged at the end of the translation unit.
///
/// For the user-facing documentation see: docs/checks/errorshield-ws-timeouts.md
class WsTimeoutsCheck : public ErrorShieldCheck {
public:
  WsTimeoutsCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  /// Why \p T is a bad timeout option for a stream of the given role, or empty.
  std::string problemWith(const ws::TimeoutValue &T, bool ServerStream, bool ReadClientStream,
                          SourceLocation &At) const;

  const std::vector<std::string> StreamTypes;
  const std::vector<std::string> ServerHandshakeMethods;
  const std::vector<std::string> ClientHandshakeMethods;
  const std::vector<std::string> SetOptionMethods;
  const std::vector<std::string> ReadMethods;
  const std::vector<std::string> TimeoutOptionTypes;
  const ws::TimeoutVocabulary Vocabulary;
  const double MinIdleTimeoutSeconds;
  const double MaxIdleTimeoutSeconds;
  const bool ReadClientsNeedIdleTimeout;
  const ws::AppTimeoutNames AppTimeout;

  struct Handshake {
    SourceLocation Loc;
    std::string Method;
    ws::ObjectKey Stream;
    bool Server;
    const Stmt *FunctionBody; // of the named function, lambdas included
    bool InLoop;
    const ValueDecl *Declared; // the stream's local or data member, when its owner declares it
  };
  struct StreamEvent {
    ws::ObjectKey Stream;
    SourceLocation Loc;
  };
  struct TimeoutSet {
    SourceLocation Loc;
    std::optional<ws::ObjectKey> Stream;
    ws::TimeoutValue Value;
  };
  /// \p Stream is a client stream its owner reads, with no idle timeout from any option or a
  /// timeout of the application's own.
  bool readWithoutIdleTimeout(const ws::ObjectKey &Stream) const;
  /// A timeout of the application's own (a timer, a deadline per read, a race) covers \p Stream.
  void addAppTimeout(const Expr *Stream);
  /// The handshake of a stream whose owner sets the option somewhere, but not before this
  /// handshake: set only later in the same function, or the stream re-created here without it.
  void reportUnconfiguredPath(const Handshake &H);
  /// The handshake of a stream whose owner sets no option at all: reported where the stream is
  /// made (ws::streamMadeAt), the handshake as a note.
  void reportNeverConfigured(const Handshake &H);
  bool inHandshakeFunction(const StreamEvent &E, const Handshake &H) const;
  /// The first of the stream's option sets when all come after \p H in its function, or null.
  const StreamEvent *optionSetOnlyAfter(const Handshake &H) const;
  /// A re-creation of the stream before \p H that nothing configures before \p H, or null.
  const StreamEvent *recreatedWithoutOption(const Handshake &H) const;

  std::vector<Handshake> Handshakes;
  std::vector<TimeoutSet> TimeoutSets;
  std::vector<StreamEvent> OptionSets;  // every timeout option set on an owned stream
  std::vector<StreamEvent> Recreations; // `ws_.emplace(...)`, `ws_.reset(new stream(...))`
  std::vector<StreamEvent> Assignments; // `ws_ = std::make_unique<stream>(...)`
  std::vector<StreamEvent> Handovers;   // an owned stream passed to a function
  const SourceManager *SM = nullptr;
  ws::OwnerFacts Facts;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_WEBSOCKET_WSTIMEOUTSCHECK_H
