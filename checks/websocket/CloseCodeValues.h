//===--- CloseCodeValues.h - The values a close code may take ---*- C++ -*-===//
//
// errorshield-ws-close-code judges constant codes: the values an expression may take (the arms of
// a conditional, a local's initializer, the returns of a function called for the code), why
// RFC 6455 forbids one, and the constant of an expression.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_CLOSECODEVALUES_H
#define ERRORSHIELD_WEBSOCKET_CLOSECODEVALUES_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace clang::tidy::errorshield::ws {

/// A value a close code may take, where it is spelled, and the return that yields it if it comes
/// back from a function.
struct PossibleCloseCode {
  const Expr *Value;
  bool SpelledAtCall; ///< Written in the close call itself (the fix-it rewrites only those).
  const ReturnStmt *Returned; ///< Set when a function called for the code returns it.
};

/// The expressions \p Code may take its value from: each arm of a conditional
/// (`lost ? close_code::abnormal : close_code::normal`), the initializer of a local that the
/// function never modifies (`std::uint16_t code = 1005; ws.close(code);`), and each value a
/// function defined here returns (`ws.close(code_for(reason))`, `return 5003;` in code_for).
void possibleCodes(const Expr *Code, ASTContext &Context,
                   llvm::SmallVectorImpl<PossibleCloseCode> &Out, bool SpelledAtCall = true,
                   const ReturnStmt *Returned = nullptr, unsigned Depth = 0);

/// Why RFC 6455 (section 7.4) forbids sending \p Code.
llvm::StringRef whyForbidden(uint64_t Code);

/// The constant of \p E, if it has one that fits a close code.
std::optional<uint64_t> constantOf(const Expr *E, const ASTContext &Context);

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_CLOSECODEVALUES_H
