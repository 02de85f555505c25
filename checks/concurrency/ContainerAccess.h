//===--- ContainerAccess.h - How an expression uses a container -*- C++ -*-===//
//
// errorshield-unlocked-shared-map judges uses of a shared container by kind: a write needs an
// exclusive lock, a read a shared one. These helpers tell the kind of one use, including a use
// through a local reference bound to the container and a write made by a function the container
// is passed to by reference.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_CONCURRENCY_CONTAINERACCESS_H
#define ERRORSHIELD_CONCURRENCY_CONTAINERACCESS_H

#include "concurrency/UnlockedSharedMapCheck.h"
#include "clang/AST/ASTContext.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// How the expression \p Use (naming a container) accesses it: a member call or operator on it, a
/// range-for over it, or a call that writes it through a reference parameter. Anything else
/// (passing it to be read, taking its address) is not judged.
std::optional<UnlockedSharedMapCheck::AccessKind>
classifyAccess(const Expr *Use, ASTContext &Ctx, const std::vector<std::string> &WriteMethods,
               unsigned CallDepth = 0);

/// The uses of a local reference bound to the container \p Use names (`auto &audit = audit_;
/// audit[v].push_back(x);`): accesses through it are accesses of the container.
std::vector<const DeclRefExpr *> aliasUses(const Expr *Use, ASTContext &Ctx);

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_CONCURRENCY_CONTAINERACCESS_H
