//===--- EofLoop.h - `while (!in.eof()) in.read(...)` -----------*- C++ -*-===//
//
// The classic end-of-file loop: the condition asks eof() before the read, so the read that hits
// the end fails, and the loop body uses whatever the buffer held from the iteration before (a
// record appended twice, a line processed twice). A read inside such a loop is unchecked unless
// the body tests the stream after it (`if (!in) break;`, `in.gcount()`, `in.fail()`).
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_IO_EOFLOOP_H
#define ERRORSHIELD_IO_EOFLOOP_H

#include "clang/AST/Stmt.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// The stream reads in \p Loop's body (nested lambdas excluded) made on \p Stream, the variable the
/// loop's condition asks `!Stream.eof()`, after which the body never looks at the stream again.
/// \p ReadMethods: member functions and operators that read (`read`, `getline`, `operator>>`).
std::vector<const Expr *> readsUncheckedInEofLoop(const Stmt *Loop, const ValueDecl *Stream,
                                                  const std::vector<std::string> &ReadMethods);

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_IO_EOFLOOP_H
