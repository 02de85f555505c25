//===--- TlsWrite.h - Where an HTTP message goes out over TLS ---*- C++ -*-===//
//
// errorshield-upgrade-header reports `Upgrade: h2c` on a message that is written to a TLS stream.
// The header is often set by one function and the message written by another: a helper that adds
// the h2c offer to the request it is given, or a builder that returns the request its caller
// writes. These functions follow the message one call away from the function that sets it.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_PROTOCOL_TLSWRITE_H
#define ERRORSHIELD_PROTOCOL_TLSWRITE_H

#include "clang/AST/ASTContext.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::errorshield::http {

using TlsTest = llvm::function_ref<bool(QualType)>;

/// The call in \p Body that hands \p Message and a TLS stream to one call (`http::write(tls, req)`,
/// `tls.write(req)`), not on the other branch of an `if` from \p From; null if none.
const CallExpr *tlsWriteOf(const Decl *Message, const Stmt *Body, const Stmt *From, TlsTest IsTls);

/// A TLS write of \p Message made by a function it is handed to after \p From, in \p Body
/// (`co_await custody_call(std::move(up), cfg)`, whose parameter goes to `http::async_write(tls,
/// up, ...)`), or, for a data member, by a member function of its class called on `this`
/// (`send()` writing `*pending_`).
struct CalleeWrite {
  const CallExpr *Call;  ///< The call handing the message over.
  const CallExpr *Write; ///< The callee's TLS write of its parameter.
};
std::optional<CalleeWrite> calleeTlsWrite(const Decl *Message, const Stmt *Body, const Stmt *From,
                                          const SourceManager &SM, TlsTest IsTls);

/// A TLS write of the data member \p Message made by any member function of its class (the class's
/// state, whichever handler writes it: `http::async_write(self->stream_, self->req_, ...)` in
/// on_resolve, reached through bind_front_handler), or null.
const CallExpr *memberTlsWrite(const FieldDecl *Message, TlsTest IsTls);

/// A TLS write of \p Message, set in \p F, made by a caller of F.
struct CallerWrite {
  const CallExpr *Call;  ///< The call of F.
  const CallExpr *Write; ///< The caller's TLS write.
  bool ThroughParameter; ///< F sets its reference parameter (else F returns the message).
};

/// Follows \p Message out of \p F one call: F's reference parameter written by a caller after the
/// call, or F's returned local that a caller stores in a variable and writes. One entry per such
/// call among \p Calls (the calls of F): a helper's cleartext callers are fine, each one that
/// writes to TLS is a mistake.
std::vector<CallerWrite> callerTlsWrites(const Decl *Message, const FunctionDecl *F,
                                         llvm::ArrayRef<const CallExpr *> Calls, ASTContext &Ctx,
                                         TlsTest IsTls);

/// The offset of an `Upgrade:` header line in \p Raw whose value names one of \p Tokens
/// ("...\r\nUpgrade: h2c\r\n..."), or StringRef::npos.
size_t upgradeOffset(llvm::StringRef Raw, const std::vector<std::string> &Tokens);

/// The write to a TLS stream of a request written by hand: \p Text, or the local string it is
/// part of (`const std::string raw = "OPTIONS * HTTP/1.1\r\n...Upgrade: h2c\r\n..."`), handed to a
/// call with a TLS stream in the same function (`asio::write(tls, asio::buffer(raw))`).
const CallExpr *rawTlsWrite(const StringLiteral *Text, ASTContext &Ctx, TlsTest IsTls);

} // namespace clang::tidy::errorshield::http

#endif // ERRORSHIELD_PROTOCOL_TLSWRITE_H
