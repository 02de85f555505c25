//===--- ForwardedHeader.h - A hop-by-hop header copied by name -*- C++ -*-===//
//
// A proxy that copies the client's Connection or Upgrade header onto the request it sends on
// (`out.set(http::field::upgrade, in[http::field::upgrade])`) lets the client negotiate with the
// backend: an `Upgrade: h2c` from outside turns the backend connection into HTTP/2 behind the
// proxy's access rules (h2c smuggling). A WebSocket-aware proxy checks the value first.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_PROTOCOL_FORWARDEDHEADER_H
#define ERRORSHIELD_PROTOCOL_FORWARDEDHEADER_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield::http {

/// The header (normalized, "upgrade") that \p Set copies from another message: its name argument
/// names one of \p Headers and its value reads the same header of a message other than the one
/// set (`in[http::field::upgrade]`, `in.at("Connection")`). Empty when it copies none, or when the
/// copy is under a condition that checks a value against "websocket".
std::string forwardedHopHeader(const CallExpr *Set, const Expr *Target, const Expr *Name,
                               const Expr *Value, const std::vector<std::string> &Headers,
                               ASTContext &Ctx);

} // namespace clang::tidy::errorshield::http

#endif // ERRORSHIELD_PROTOCOL_FORWARDEDHEADER_H
