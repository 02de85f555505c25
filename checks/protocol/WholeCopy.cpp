//===--- WholeCopy.cpp - A message copied whole from another --------------===//

#include "protocol/WholeCopy.h"
#include "core/Matchers.h"
#include "protocol/HeaderCopy.h"
#include "websocket/StreamModel.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::errorshield::http {
namespace {

/// `x` or `x.base()`: the variable, when \p E names a message or its header block.
const ValueDecl *messageNamed(const Expr *E) {
  E = stripConversions(E);
  if (const auto *Base = dyn_cast_or_null<CXXMemberCallExpr>(E);
      Base && Base->getMethodDecl() && Base->getMethodDecl()->getName() == "base")
    E = Base->getImplicitObjectArgument();
  return declNamedBy(E);
}

bool isMessage(QualType T, const std::vector<std::string> &MessageTypes) {
  return ws::isTypeNamed(T.getNonReferenceType(), MessageTypes);
}

} // namespace

std::optional<WholeCopy> wholeCopyAt(const Stmt *S, const std::vector<std::string> &MessageTypes) {
  if (const auto *Decls = dyn_cast<DeclStmt>(S); Decls && Decls->isSingleDecl())
    if (const auto *Var = dyn_cast<VarDecl>(Decls->getSingleDecl());
        Var && Var->isLocalVarDecl() && !Var->getType()->isReferenceType() && Var->getInit() &&
        isMessage(Var->getType(), MessageTypes))
      if (const ValueDecl *From = messageNamed(Var->getInit());
          From && From != Var && isMessage(From->getType(), MessageTypes))
        return WholeCopy{S, Var, From};
  const auto Store = storeParts(S);
  if (!Store)
    return std::nullopt;
  const auto *Target = dyn_cast_or_null<VarDecl>(messageNamed(Store->first));
  const ValueDecl *From = messageNamed(Store->second);
  if (!Target || !Target->isLocalVarDecl() || !From || From == Target ||
      !isMessage(Target->getType(), MessageTypes) || !isMessage(From->getType(), MessageTypes))
    return std::nullopt;
  return WholeCopy{S, Target, From};
}

std::vector<std::string> headersLeftIn(const WholeCopy &Copy, const Stmt *Body,
                                       const std::vector<std::string> &Required,
                                       const ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  std::set<std::string> Cleaned;
  bool CleansAll = false;
  std::function<void(const Stmt *, const Decl *, unsigned)> Scan = [&](const Stmt *Root,
                                                                       const Decl *Message,
                                                                       unsigned Depth) {
    forEachDescendant(Root, [&](const Stmt *S) {
      const auto *Call = dyn_cast<CallExpr>(S);
      // Only a call cleans; one before the copy, or on the other branch of an `if` (it never runs
      // after it), does not.
      if (!Call || (Root == Body &&
                    (!SM.isBeforeInTranslationUnit(Copy.At->getEndLoc(), S->getBeginLoc()) ||
                     onExclusiveBranches(Body, Copy.At, S))))
        return;
      if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
          Member && Member->getMethodDecl() && Member->getNumArgs() >= 1 &&
          rootDecl(Member->getImplicitObjectArgument()) == Message &&
          llvm::is_contained({"erase", "set", "insert"}, Member->getMethodDecl()->getName())) {
        if (std::string Name = headerName(Member->getArg(0)); !Name.empty())
          Cleaned.insert(Name);
        return;
      }
      // A helper handed the copy: its body decides; unseen or looping over fields, it may clean.
      const FunctionDecl *Callee = Call->getDirectCallee();
      for (unsigned I = 0; I < Call->getNumArgs(); ++I) {
        if (rootDecl(Call->getArg(I)) != Message || isa<CXXMemberCallExpr>(Call))
          continue;
        const FunctionDecl *Definition = nullptr;
        if (!Callee || SM.isInSystemHeader(Callee->getLocation()))
          continue; // http::write(stream, out): sends it, cleans nothing
        if (!Callee->hasBody(Definition) || Depth == 0 || I >= Definition->getNumParams() ||
            findDescendant(Definition->getBody(), [](const Stmt *L) {
              return isa<CXXForRangeStmt, ForStmt>(L);
            })) {
          CleansAll = true;
          continue;
        }
        Scan(Definition->getBody(), Definition->getParamDecl(I), Depth - 1);
      }
    });
  };
  Scan(Body, Copy.Target, 2);
  std::vector<std::string> Left;
  if (CleansAll)
    return Left;
  for (const std::string &Name : Required)
    if (!Cleaned.count(normalizedHeader(Name)))
      Left.push_back(Name);
  return Left;
}

bool copyLeaves(const WholeCopy &Copy, const Stmt *Body) {
  return findDescendant(Body, [&](const Stmt *S) {
    if (const auto *Return = dyn_cast<ReturnStmt>(S))
      return Return->getRetValue() && rootDecl(Return->getRetValue()) == Copy.Target;
    const auto *Call = dyn_cast<CallExpr>(S);
    const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
    return Callee && Callee->getIdentifier() &&
           llvm::is_contained({"write", "async_write"}, Callee->getName()) &&
           llvm::any_of(Call->arguments(),
                         [&](const Expr *A) { return rootDecl(A) == Copy.Target; });
  }) != nullptr;
}

/// A parameter of this type can change the argument: a non-const reference or pointer, or a
/// template's forwarding reference.
static bool mayModify(QualType T) {
  if (T->isDependentType())
    return true;
  if (T->isReferenceType() || T->isPointerType())
    return !T->getPointeeType().isConstQualified();
  return false;
}

std::vector<std::string> headersLeftOnRelay(const Decl *Message, llvm::ArrayRef<const Stmt *> Bodies,
                                            llvm::ArrayRef<const CallExpr *> Transfers,
                                            const std::vector<std::string> &Required,
                                            const ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  std::set<std::string> Cleaned;
  bool MayClean = false;
  for (const Stmt *Body : Bodies)
    forEachDescendant(Body, [&](const Stmt *S) {
      const auto *Call = dyn_cast<CallExpr>(S);
      if (!Call)
        return;
      if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
          Member && Member->getMethodDecl() &&
          rootDecl(Member->getImplicitObjectArgument()) == Message) {
        const StringRef Method = Member->getMethodDecl()->getName();
        if (Method == "keep_alive" && Member->getNumArgs() == 1)
          Cleaned.insert(normalizedHeader("Connection"));
        else if (Member->getNumArgs() >= 1 &&
                 llvm::is_contained({"erase", "set", "insert"}, Method))
          if (std::string Name = headerName(Member->getArg(0)); !Name.empty())
            Cleaned.insert(Name);
        return;
      }
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (!Callee || SM.isInSystemHeader(Callee->getLocation()) || isa<CXXMemberCallExpr>(Call) ||
          llvm::is_contained(Transfers, Call))
        return;
      // strip_hop_by_hop(res_) may clean it; copy_end_to_end(req_, out) reads it (a const
      // reference or a copy cannot change the message).
      for (unsigned I = 0; I < Call->getNumArgs(); ++I)
        if (rootDecl(Call->getArg(I)) == Message &&
            (I >= Callee->getNumParams() || mayModify(Callee->getParamDecl(I)->getType())))
          MayClean = true;
    });
  std::vector<std::string> Left;
  if (MayClean)
    return Left;
  for (const std::string &Name : Required)
    if (!Cleaned.count(normalizedHeader(Name)))
      Left.push_back(Name);
  return Left;
}

} // namespace clang::tidy::errorshield::http
