//===--- SetBeforeUse.h - A setting made on every path to a use -*- C++ -*-===//
//
// A session that sets its stream's limit in one method does not limit every read: the viewer path
// of `run()` may skip `configure_editor_limits()`, and an authentication read may run before the
// limit is applied after it. This follows the calls of the function that uses the stream back to
// where the object is entered, asking whether a setting is made before each call.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_SETBEFOREUSE_H
#define ERRORSHIELD_WEBSOCKET_SETBEFOREUSE_H

#include "clang/AST/ASTContext.h"
#include "llvm/ADT/ArrayRef.h"

namespace clang::tidy::errorshield::ws {

/// A call that makes the setting (`ws_.read_message_max(n)`), in the outer function it is in.
struct SettingSite {
  const FunctionDecl *Function;
  const CallExpr *Call;
};

/// The function nothing in this translation unit calls or takes the address of (an entry point
/// such as a public `run()`) from which a chain of calls reaches \p Use, in \p Function, with no
/// setting before any call on the way. A setting counts before a call when it is in a block that
/// holds the call, earlier (a setting in one branch does not cover another), or in a function
/// called that way (one level). Null when every chain meets a setting, when a function on the way
/// is a handler bound by address or a constructor, or when the chain is longer than a few calls.
const FunctionDecl *entryReachingUnset(const FunctionDecl *Function, const Stmt *Use,
                                       llvm::ArrayRef<SettingSite> Settings, ASTContext &Ctx);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_SETBEFOREUSE_H
