//===--- TimeoutOption.h - The value of a stream_base::timeout ----*- C++ -*-===//
//
// What errorshield-ws-timeouts can tell about the timeout option handed to set_option: built with
// timeout::suggested(role), aggregate-initialized, or a local variable whose fields are assigned
// before the call.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_TIMEOUTOPTION_H
#define ERRORSHIELD_WEBSOCKET_TIMEOUTOPTION_H

#include "clang/AST/Expr.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

/// One duration field: unknown, none() (disabled), or a constant number of seconds.
struct DurationField {
  enum Kind { Unknown, Disabled, Constant } State = Unknown;
  double Seconds = 0;
  bool Explicit = false; ///< Written by the user, not implied by suggested().
  SourceLocation WrittenAt; ///< Where the user wrote it (`opt.idle_timeout = none();`), if they did.
};

struct TimeoutValue {
  DurationField Handshake;
  DurationField Idle;
  std::optional<bool> KeepAlivePings;
  bool KeepAliveExplicit = false;
  /// Started from timeout::suggested(role_type::server): the stream it is set on is a server's.
  bool SuggestedForServer = false;
};

/// The API names the evaluation needs (from the catalog).
struct TimeoutVocabulary {
  std::vector<std::string> SuggestedFunctions;
  std::vector<std::string> NoTimeoutFunctions;
  std::vector<std::string> ClientRoles;
  std::string HandshakeField, IdleField, KeepAliveField;
};

/// The value of the timeout option \p Option as passed to set_option by \p Call: a local's
/// initializer and the fields assigned before the call, followed into a helper of the project
/// that returns the option (\p Depth calls deep).
TimeoutValue evaluateTimeout(const Expr *Option, const Stmt *Call, const TimeoutVocabulary &V,
                             ASTContext &Context, unsigned Depth = 2);

/// The constant number of seconds a std::chrono::duration expression denotes, if it is constant.
std::optional<double> durationSeconds(const Expr *E, const ASTContext &Context);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_TIMEOUTOPTION_H
