//===--- EofLoop.cpp - `while (!in.eof()) in.read(...)` -------------------===//

#include "io/EofLoop.h"
#include "core/Matchers.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::errorshield {
namespace {

/// \p S reads \p Stream: `in.read(...)`, `in >> x`, `std::getline(in, line)`.
bool readsStream(const Stmt *S, const ValueDecl *Stream, const std::vector<std::string> &Methods) {
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(S))
    return Member->getMethodDecl() && llvm::is_contained(Methods, Member->getMethodDecl()->getNameAsString()) &&
           declNamedBy(Member->getImplicitObjectArgument()) == Stream;
  const auto *Call = dyn_cast<CallExpr>(S);
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  // operator>>(in, x), std::getline(in, line); `in >> a >> b` reads `in` through its first read.
  return Callee && Call->getNumArgs() >= 1 &&
         llvm::is_contained(Methods, Callee->getNameAsString()) &&
         (declNamedBy(Call->getArg(0)) == Stream ||
          readsStream(Call->getArg(0)->IgnoreParenImpCasts(), Stream, Methods));
}

} // namespace

std::vector<const Expr *> readsUncheckedInEofLoop(const Stmt *Loop, const ValueDecl *Stream,
                                                  const std::vector<std::string> &ReadMethods) {
  const Stmt *Body = nullptr;
  if (const auto *While = dyn_cast<WhileStmt>(Loop))
    Body = While->getBody();
  else if (const auto *For = dyn_cast<ForStmt>(Loop))
    Body = For->getBody();
  std::vector<const Expr *> Reads;
  if (!Body)
    return Reads;
  // Reads whose value is not used (the stream a read returns, tested in place, is a check).
  const auto *Block = dyn_cast<CompoundStmt>(Body);
  auto Statements = Block ? llvm::ArrayRef<Stmt *>(Block->body_begin(), Block->body_end())
                          : llvm::ArrayRef<Stmt *>(const_cast<Stmt **>(&Body), 1);
  for (size_t I = 0; I < Statements.size(); ++I) {
    const Stmt *Statement = Statements[I];
    if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(Statement))
      Statement = Cleanups->getSubExpr();
    if (!readsStream(Statement, Stream, ReadMethods))
      continue;
    // Any later mention of the stream other than another read is taken as a test.
    const bool TestedAfter = llvm::any_of(Statements.drop_front(I + 1), [&](const Stmt *Later) {
      return findDescendant(Later, [&](const Stmt *S) {
        const auto *Ref = dyn_cast<DeclRefExpr>(S);
        const auto *Member = dyn_cast<MemberExpr>(S);
        const ValueDecl *D = Ref ? Ref->getDecl() : Member ? Member->getMemberDecl() : nullptr;
        return D == Stream && !findDescendant(Later, [&](const Stmt *R) {
                 return readsStream(R, Stream, ReadMethods) && contains(R, S);
               });
      });
    });
    if (!TestedAfter)
      Reads.push_back(cast<Expr>(Statement));
  }
  return Reads;
}

} // namespace clang::tidy::errorshield
