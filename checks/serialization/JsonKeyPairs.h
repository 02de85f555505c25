//===--- JsonKeyPairs.h - The key each member travels under -----*- C++ -*-===//
//
// A hand-written to_json and from_json pair agrees on the members but not always on the keys:
// `j["seq"] = s.seq;` on the way out, `j.at("sequence").get_to(s.seq);` on the way in, or a
// copy-paste `j.at("bid").get_to(q.ask)`. The member is written and read, yet a round trip loses
// it (or throws). These helpers list which key each data member is written and read under.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_SERIALIZATION_JSONKEYPAIRS_H
#define ERRORSHIELD_SERIALIZATION_JSONKEYPAIRS_H

#include "clang/AST/ASTContext.h"
#include <string>
#include <vector>

namespace clang::tidy::errorshield {

struct KeyUse {
  const FieldDecl *Member;
  std::string Key;
  const Expr *KeyExpr; ///< Where the key is spelled.
};

/// `j["k"] = t.m;` and `{"k", t.m}` pairs in a to_json body, for members of \p Source.
std::vector<KeyUse> keysWritten(const Stmt *Body, const ParmVarDecl *Source);

/// `j.at("k").get_to(t.m)`, `t.m = j.value("k", d)`, `t.m = j["k"].get<T>()` in a from_json
/// body, for members of \p Target.
std::vector<KeyUse> keysRead(const Stmt *Body, const ParmVarDecl *Target);

/// The to_json found by argument-dependent lookup for \p Record in its namespace (the free
/// function `to_json(json&, const Record&)` with a body), or null.
const FunctionDecl *toJsonOf(const CXXRecordDecl *Record, llvm::StringRef Name, ASTContext &Ctx);

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_SERIALIZATION_JSONKEYPAIRS_H
