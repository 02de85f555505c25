//===--- CompletionHandlers.h - Code that runs as an Asio completion handler -*- C++ -*-===//
//
// An Asio initiating function (`async_read`, `async_accept`, ...) takes its completion handler as
// an argument: a lambda, a variable or data member holding one, or a member function bound to the
// object with `bind_front_handler`, `std::bind` and the like (possibly wrapped by
// `bind_executor`). The handler runs later on a thread that runs the io_context.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_ASIO_COMPLETIONHANDLERS_H
#define ERRORSHIELD_ASIO_COMPLETIONHANDLERS_H

#include "clang/AST/ExprCXX.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield::asio {

struct CompletionHandler {
  const FunctionDecl *Function = nullptr; ///< The bound function, or the lambda's call operator.
  const Stmt *Body = nullptr;
  SourceLocation Loc; ///< Where the handler is spelled at the call (the lambda or `&C::f`).
};

/// The completion handlers among \p Call's arguments (bodies known in this translation unit only).
/// \p BindFunctions names the binders looked through.
std::vector<CompletionHandler> completionHandlers(const CallExpr *Call,
                                                  const std::vector<std::string> &BindFunctions);

/// True when \p Call's callee is named with \p Prefix (an initiating function, "async_").
bool isInitiatingCall(const CallExpr *Call, llvm::StringRef Prefix);

} // namespace clang::tidy::errorshield::asio

#endif // ERRORSHIELD_ASIO_COMPLETIONHANDLERS_H
