//===--- CallNames.h - Naming the function a call reaches ---------*- C++ -*-===//
//
// Catalog lists name functions the way people write them ("std::future::get", "::usleep",
// "boost::asio::basic_socket_acceptor::accept"). These helpers decide whether a call, resolved or
// not (template patterns), reaches one of them, which argument binds to which parameter, and the
// name a call knows its callee by.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_CORE_CALLNAMES_H
#define ERRORSHIELD_CORE_CALLNAMES_H

#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// The unqualified name of the function \p C calls, also when the call is unresolved in a
/// template (`ws_.async_read(...)` on a dependent stream, `async_write(s, ...)` found by ADL).
/// Empty for calls through function pointers, lambdas and operators.
std::string calleeName(const CallExpr *C);

/// The functions \p C may call: its direct callee, or the candidates of an unresolved name.
std::vector<const FunctionDecl *> calleeCandidates(const CallExpr *C);

/// The parameter of \p Callee (the function \p Call calls, or its definition) that argument
/// \p ArgIndex of \p Call binds to: a member operator's object is argument 0 and binds to none,
/// nor does an argument past the last parameter (a variadic tail).
const ParmVarDecl *parameterForArgument(const CallExpr *Call, unsigned ArgIndex,
                                        const FunctionDecl *Callee);

/// The argument of \p Call that binds to \p Param of the function it calls, or null: past the
/// object of a member operator call (`common_headers(res)` on a lambda passes `res` second).
const Expr *argumentForParameter(const CallExpr *Call, const ParmVarDecl *Param);

/// The name \p Call knows its callee \p F by: F's own, or, for a lambda's call operator, that of
/// the variable holding the lambda (`push(1)` names `push`; "lambda" when none is named).
std::string nameAtCall(const FunctionDecl *F, const CallExpr *Call);

/// True when \p C calls a function listed in \p Names (core hasListedQualifiedName). A member
/// call also matches "Class::method" when the object's class or one of its bases is `Class`,
/// so "std::future::wait" names the `wait` that std::future inherits from its base.
bool isListedCall(const CallExpr *C, const std::vector<std::string> &Names);
/// The entry of \p Names that \p C matches, or empty.
std::string listedCallName(const CallExpr *C, const std::vector<std::string> &Names);

/// True when \p D is declared (at any depth) inside one of the namespaces \p Namespaces
/// ("boost::asio" covers boost::asio::ip and boost::asio::detail).
bool isInListedNamespace(const Decl *D, const std::vector<std::string> &Namespaces);

namespace matchers {
/// isListedCall() as a matcher.
AST_MATCHER_P(CallExpr, isListedCall, std::vector<std::string>, Names) {
  return errorshield::isListedCall(&Node, Names);
}
} // namespace matchers

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_CORE_CALLNAMES_H
