//===--- SerializedContext.h - Code that cannot run concurrently -*- C++ -*-===//
//
// A mutex is not the only way to keep a shared container to one thread at a time: Asio code
// serializes on a strand, and std::call_once runs its function once, synchronized with every other
// call. errorshield-unlocked-shared-map asks, for an access made with no lock held, whether it
// runs in such a serialized context:
//   - a function passed to a once-function (std::call_once);
//   - a handler passed to post/dispatch/defer/bind_executor with a strand as the executor;
//   - a coroutine's statements after it moved itself onto a strand
//     (`co_await asio::post(strand_, use_awaitable);`);
//   - the completion handler of an operation on an I/O object built on a strand
//     (`steady_timer t(strand_, ...)`, `make_shared<steady_timer>(strand_)`);
//   - a function every call of which is in one of these (up to two calls deep).
// Which strand does not matter here: the check cannot tell two strands of one object apart.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_CONCURRENCY_SERIALIZEDCONTEXT_H
#define ERRORSHIELD_CONCURRENCY_SERIALIZEDCONTEXT_H

#include "clang/AST/ASTContext.h"
#include "llvm/ADT/DenseMap.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

struct SerializingVocabulary {
  std::vector<std::string> StrandTypes;      ///< boost::asio::strand, io_context::strand
  std::vector<std::string> StrandCalls;      ///< boost::asio::post, dispatch, defer, bind_executor
  std::vector<std::string> OnceFunctions;    ///< std::call_once
};

class SerializedContext {
public:
  /// \p Calls: the calls of each function of interest found in the translation unit.
  SerializedContext(const SerializingVocabulary &V, ASTContext &Ctx,
                    const llvm::DenseMap<const FunctionDecl *, std::vector<const CallExpr *>> &Calls)
      : V(V), Ctx(Ctx), Calls(Calls) {}

  /// True when \p E runs in a serialized context (see the file comment).
  bool isSerialized(const Stmt *E, unsigned CallDepth = 2) const;

private:
  bool isStrand(const Expr *E) const;
  /// \p Handler (a lambda or a bound handler) is run on a strand or once, by the call it is passed to.
  bool handlerIsSerialized(const Expr *Handler) const;
  /// \p Use is in coroutine body \p Body after a statement that awaits a post/dispatch to a strand.
  bool afterHopToStrand(const Stmt *Use, const Stmt *Body) const;
  /// The I/O object \p Object (a variable or member, through `->` and `*`) was built on a strand.
  bool builtOnStrand(const Expr *Object) const;

  const SerializingVocabulary &V;
  ASTContext &Ctx;
  const llvm::DenseMap<const FunctionDecl *, std::vector<const CallExpr *>> &Calls;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_CONCURRENCY_SERIALIZEDCONTEXT_H
