//===--- ToJsonReads.h - The members a hand-written to_json writes -*- C++ -*-===//
//
// A hand-written serializer writes what it reads: `j["id"] = t.id;`, `j = json{{"id", id}}` in a
// member `to_json() const`. The members it never reads are left out of the JSON output. A helper
// whose body is visible (or an encoder lambda stored in a variable) adds what it reads, one call
// deep. When the code hands the whole object to anything else (a getter, a helper not visible
// here or that hands it on again), what is written is unknown.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_SERIALIZATION_TOJSONREADS_H
#define ERRORSHIELD_SERIALIZATION_TOJSONREADS_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::errorshield {

/// The data members of \p Record that \p Body reads from \p Source (a parameter; null for the
/// implicit object of a member function), directly or through a visible helper one call deep.
/// False when the object is used in any other way than reading its data members, handing it to
/// such a helper or converting it to a base class (`to_json(j, static_cast<const Base &>(t))`):
/// then the members written cannot be told.
bool collectReadMembers(const Stmt *Body, const ParmVarDecl *Source, const CXXRecordDecl *Record,
                        ASTContext &Ctx, llvm::SmallPtrSetImpl<const FieldDecl *> &Read);

/// For `template <class P> void to_json(json &, const Envelope<P> &)` whose body no
/// instantiation here has: the class template's pattern, whose members the body names through
/// dependent member accesses. Null otherwise (an instantiated body is judged where it is).
const CXXRecordDecl *uninstantiatedToJsonRecord(const FunctionDecl *F, QualType Mapped);

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_SERIALIZATION_TOJSONREADS_H
