//===--- ReadAnalysis.h - Is the outcome of a read acted upon? --*- C++ -*-===//
//
// The questions errorshield-unchecked-read asks about one read: is its result discarded, does any
// comparison of the result tell end-of-stream (0) apart from data, is an error_code out-parameter
// tested before the data is used, and does a completion handler leave when its read failed.
// Everything is decided inside one function body (the handler's, for asynchronous reads).
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_IO_READANALYSIS_H
#define ERRORSHIELD_IO_READANALYSIS_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/Stmt.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// True when the value of \p Call is thrown away: an expression statement, a `(void)` cast, the
/// body of an if/loop, or the left side of a comma.
bool isResultDiscarded(const Expr *Call, ASTContext &Ctx);

/// True when the result of \p Call (a read returning a byte count, -1 on error and 0 at end of
/// stream) is compared somewhere in the function in a way that separates 0 from a positive count,
/// or is handed back to the caller (returned, stored outside the function). False when it is only
/// compared with `< 0`, `== -1` and the like, or never compared.
bool endOfStreamDistinguished(const CallExpr *Call, ASTContext &Ctx);

/// True when \p Call (an fread) is used directly as a truth value or compared with 0, so a short
/// read passes as a full one. A count argument of literal 1 makes "nonzero" mean "complete".
bool freadTestedOnlyForZero(const CallExpr *Call, ASTContext &Ctx);

/// Why the error_code \p Ec written by the read \p Call is not tested in time: "before
/// the next read", "before 'x' is used", "before the end of the loop body", "anywhere after the read"; none
/// when it is tested, or when it is a reference parameter the caller checks. \p Ec is an
/// out-parameter of a synchronous read, the error_code a coroutine's read is redirected into, or the
/// first binding of `auto [ec, n] = co_await ...`. \p EndsInToken: the call's last argument is a
/// completion token, not data.
std::optional<std::string> untestedErrorCode(const CallExpr *Call, const ValueDecl *Ec,
                                             const std::vector<std::string> &SyncReads,
                                             ASTContext &Ctx, bool EndsInToken = false);

/// Why the istream read \p Read (`in.read(buf, n)`, its stream state not tested where it is made)
/// is not tested in time: "before 'buf' is used" when a statement uses the buffer before any
/// mention of \p Stream; none otherwise (tested first, or the buffer never used here).
std::optional<std::string> streamUsedBeforeTest(const CXXMemberCallExpr *Read,
                                                const ValueDecl *Stream, ASTContext &Ctx);

/// True when \p Call completes with `as_tuple(...)` and the awaited tuple is dropped
/// (`co_await http::async_read(s, b, req, as_tuple(use_awaitable));` as a statement).
bool awaitedTupleDiscarded(const CallExpr *Call, ASTContext &Ctx);

/// The error_code an awaited asynchronous read reports into: the variable of
/// `redirect_error(use_awaitable, ec)`, or the first binding of
/// `auto [ec, n] = co_await ... as_tuple(use_awaitable)`. Null otherwise.
const ValueDecl *awaitedErrorCode(const CallExpr *Call, ASTContext &Ctx);

/// The last argument written at the call: Asio's initiating functions and binders end in
/// defaulted constraint parameters, so the completion token is not always the last argument.
const Expr *lastWrittenArgument(const CallExpr *Call);

/// The completion handler passed as the last argument of an asynchronous read: a lambda's call
/// operator or the member function bound by one of \p Binders (looking through \p Wrappers such as
/// bind_executor). Null when the handler cannot be seen.
const FunctionDecl *resolveHandler(const Expr *Arg, const std::vector<std::string> &Binders,
                                   const std::vector<std::string> &Wrappers);

/// The handler's error_code parameter: the first of a listed type, or a first `auto` parameter.
const ParmVarDecl *errorCodeParameter(const FunctionDecl *Handler,
                                      const std::vector<std::string> &ErrorCodeTypes);

/// The first top-level if statement of \p Handler's body that tests the error_code and is followed
/// by more statements, where the branch a failed read takes (`then` of `if (ec)`, the else of
/// `if (!ec)`, absent or not) does not return or throw: the failed read's code path runs on.
const IfStmt *fallThroughErrorBranch(const FunctionDecl *Handler, const ParmVarDecl *Ec);
/// True when every mention of \p Ec in \p S is an operand of `==` (`ec == operation_aborted`):
/// particular codes are looked at, the error as a whole never is.
bool onlyComparedEqual(const Stmt *S, const ValueDecl *Ec);

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_IO_READANALYSIS_H
