//===--- HeaderAccess.h - How handshake code touches a request's headers -*- C++ -*-===//
//
// errorshield-ws-handshake-origin sees a header by its name (`http::field::origin`, "Origin") and
// asks what is done with it: the call or subscript the name is an argument of, whether that
// access writes a response header, and which stream's decorator it sits in.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_HEADERACCESS_H
#define ERRORSHIELD_WEBSOCKET_HEADERACCESS_H

#include "websocket/StreamModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

/// The call (or subscript) a header name is an argument of, looking through conversions.
const Expr *enclosingCall(const Expr *E, ASTContext &Context);

/// The stream whose set_option(decorator(...)) contains \p E, if any.
std::optional<StreamCall> enclosingStreamCall(const Expr *E, ASTContext &Context,
                                              const std::vector<std::string> &Streams);

/// The name of the function a header access calls: "set", "find", "operator[]".
std::string accessName(const Expr *Access);

/// True for an http::message<true, ...> (a request), seen through references and pointers.
bool isRequest(QualType T);

/// A value fixed at compile time: a string literal, or a constant initialized with one.
const StringLiteral *fixedString(const Expr *E);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_HEADERACCESS_H
