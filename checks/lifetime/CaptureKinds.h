//===--- CaptureKinds.h - Which by-reference captures can dangle -*- C++ -*-===//
//
// errorshield-deferred-ref-capture reports a lambda's by-reference capture only when what it binds
// can change or die before a deferred lambda runs: a local (not a reference to an object that
// lives elsewhere), a data member the deferring function modifies, or a `const T &` parameter of
// a value type whose object belongs to the caller.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_LIFETIME_CAPTUREKINDS_H
#define ERRORSHIELD_LIFETIME_CAPTUREKINDS_H

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/LambdaCapture.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

/// What a by-reference init-capture binds: `other` in `[&o = other]`, `next_id_` in
/// `[&id = next_id_]`; null for any other capture.
const Expr *initCaptureReferent(const LambdaCapture &C);

/// A capture this check may report: by reference, of an automatic variable that is not itself a
/// reference (a reference parameter or `auto &e = map[k]` names an object that lives elsewhere).
/// `[&o = other]` is a capture of `other`.
const VarDecl *capturedLocalByReference(const LambdaCapture &C);

/// A `const T &` parameter of a value type (\p ValueTypes, or arithmetic or enum) captured by
/// reference, `[&lot_id]` or `[&id = lot_id]`: the lambda holds the caller's object, which may be a
/// temporary or a field the caller reassigns (`extend(current_lot_)`) before a deferred lambda runs.
/// Other reference parameters (`io_context &`, `session &`) name objects meant to outlive the call.
const ParmVarDecl *capturedValueParamByReference(const LambdaCapture &C,
                                                 const std::vector<std::string> &ValueTypes);

/// `[&id = next_id_]`: the data member of `this` that a by-reference init-capture binds.
const FieldDecl *memberBoundByReference(const LambdaCapture &C);

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_LIFETIME_CAPTUREKINDS_H
