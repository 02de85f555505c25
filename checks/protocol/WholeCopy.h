//===--- WholeCopy.h - A message copied whole from another ------*- C++ -*-===//
//
// A proxy that copies the client's request whole (`Request out = in;`,
// `out.base() = client.base();`) forwards its Connection and Upgrade headers too, unless it
// removes them afterwards. This finds such copies and whether the copy is cleaned.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_PROTOCOL_WHOLECOPY_H
#define ERRORSHIELD_PROTOCOL_WHOLECOPY_H

#include "clang/AST/ASTContext.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield::http {

/// A copy of one message's header block into a local message.
struct WholeCopy {
  const Stmt *At;        ///< The declaration or assignment that copies.
  const VarDecl *Target; ///< The local that receives the copy.
  const Decl *Source;    ///< The message copied from (a parameter, local or member).
};

/// \p S copies a message whole into a local message variable of one of \p MessageTypes:
/// `Request out = in;`, `out = in;`, `out.base() = in.base();`.
std::optional<WholeCopy> wholeCopyAt(const Stmt *S, const std::vector<std::string> &MessageTypes);

/// The names among \p Required (normalized) that the code after \p Copy in \p Body never erases or
/// sets on the copy, directly or in a helper given the copy (a helper whose body is not seen, or
/// that loops over the fields, is taken to clean everything).
std::vector<std::string> headersLeftIn(const WholeCopy &Copy, const Stmt *Body,
                                       const std::vector<std::string> &Required,
                                       const ASTContext &Ctx);

/// The copy leaves the function: it is returned, or handed to a call named write/async_write.
bool copyLeaves(const WholeCopy &Copy, const Stmt *Body);

/// The names among \p Required (normalized) that no code in \p Bodies erases or sets on
/// \p Message (a member or variable relayed as read), directly or through `keep_alive()` for
/// Connection; empty when a function of the project is handed the message (it may clean it),
/// other than the \p Transfers that read or write it (the relay's own project read/write calls).
std::vector<std::string> headersLeftOnRelay(const Decl *Message, llvm::ArrayRef<const Stmt *> Bodies,
                                            llvm::ArrayRef<const CallExpr *> Transfers,
                                            const std::vector<std::string> &Required,
                                            const ASTContext &Ctx);

} // namespace clang::tidy::errorshield::http

#endif // ERRORSHIELD_PROTOCOL_WHOLECOPY_H
