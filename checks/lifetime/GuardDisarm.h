//===--- GuardDisarm.h - A scope guard turned off on purpose -*- C++ -*-===//
//
// A write after a scope guard is created usually points the cleanup at another object (the seed
// incident). Two idioms write on purpose to turn the cleanup off: dismissing the guard
// (`guard.dismiss()`, `cleanup.Cancel()`, `scope.release()`), and the commit/release flag the
// cleanup tests (`finally([&] { if (!committed) rollback(); })` ... `committed = true;`,
// `finally([&] { if (fd >= 0) ::close(fd); })` ... `fd = -1;`).
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_LIFETIME_GUARDDISARM_H
#define ERRORSHIELD_LIFETIME_GUARDDISARM_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// True when the guard declared by \p GuardDecl is dismissed (one of \p DismissMethods called on
/// it) in its scope before \p Write.
bool dismissedBefore(const Stmt *GuardDecl, const Stmt *Write,
                     const std::vector<std::string> &DismissMethods, ASTContext &Ctx);

/// True when \p Write stores a constant in \p Var (`fd = -1`, `committed = true`) and \p Lambda
/// tests \p Var in a condition: the write disarms the cleanup rather than retargets it.
bool disarmsGuard(const LambdaExpr *Lambda, const VarDecl *Var, const Stmt *Write,
                  ASTContext &Ctx);

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_LIFETIME_GUARDDISARM_H
