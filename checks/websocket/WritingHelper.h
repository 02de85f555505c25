//===--- WritingHelper.h - A function that starts a write on the stream it is given -*- C++ -*-===//
//
// `template <class S> void push_now(S &ws, Msg m) { ws.async_write(net::buffer(*m), ...); }`
// starts a write and returns before it completes: two calls of it in a row on one stream are two
// writes in flight, as two async_write calls would be, though neither call site names a write.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_WRITINGHELPER_H
#define ERRORSHIELD_WEBSOCKET_WRITINGHELPER_H

#include "websocket/OverlappingWrites.h"
#include "llvm/ADT/DenseMap.h"
#include <optional>

namespace clang::tidy::errorshield::ws {

class WritingHelpers {
public:
  /// \p Call as a write of its argument stream: its callee, defined in the project, starts a
  /// write that \p AsPendingWrite recognises (not awaited) on one of its parameters, as a
  /// statement of its own at the top of its body, with nothing before it that can return (no test
  /// or queue decides whether it writes).
  /// The StreamCall's Object is that argument and its Method the callee's name; for a lambda held
  /// in a local that writes a stream it captured, that stream, and the local's name.
  std::optional<StreamCall> asHelperWrite(const CallExpr *Call,
                                          const WriteRecognizer &AsPendingWrite);
  void clear() { TargetOf.clear(); }

  /// What a function writes unconditionally: the index of a parameter, or the stream a lambda
  /// captured (the write's object, naming the enclosing function's variable).
  struct Target {
    std::optional<unsigned> Param;
    const Expr *Captured = nullptr;
  };

private:
  llvm::DenseMap<const FunctionDecl *, Target> TargetOf; ///< Computed once per function.
};

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_WRITINGHELPER_H
