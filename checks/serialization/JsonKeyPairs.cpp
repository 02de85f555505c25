//===--- JsonKeyPairs.cpp - The key each member travels under -------------===//

#include "serialization/JsonKeyPairs.h"
#include "core/Matchers.h"
#include "clang/AST/ExprCXX.h"
#include <optional>

namespace clang::tidy::errorshield {
namespace {

/// The text of a key: a string literal, or a constant initialised with one
/// (`constexpr const char *kCumQty = "14";`, `constexpr std::string_view kSeq = "seq";`).
std::optional<std::string> keyText(const Expr *E) {
  E = stripConversions(E);
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E))
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
        Var && Var->getType().isConstQualified() && Var->getInit())
      E = stripConversions(Var->getInit());
  if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(E);
      Construct && Construct->getNumArgs() >= 1)
    E = stripConversions(Construct->getArg(0));
  const auto *Literal = dyn_cast_or_null<StringLiteral>(E);
  if (!Literal || !Literal->isOrdinary())
    return std::nullopt;
  return Literal->getString().str();
}

/// The key expression of a keyed access: `j["k"]`, `j.at("k")`, `j.value("k", d)`.
const Expr *keyOfAccess(const Expr *E) {
  E = stripConversions(E);
  if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(E);
      Op && Op->getOperator() == OO_Subscript && Op->getNumArgs() == 2)
    return keyText(Op->getArg(1)) ? Op->getArg(1) : nullptr;
  if (const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(E);
      Call && Call->getMethodDecl() && Call->getNumArgs() >= 1 &&
      llvm::is_contained({"at", "value"}, Call->getMethodDecl()->getName()))
    return keyText(Call->getArg(0)) ? Call->getArg(0) : nullptr;
  return nullptr;
}

/// The keyed accesses in \p E (through get<T>(), conversions, `?:` between keys).
std::vector<const Expr *> keysIn(const Expr *E) {
  std::vector<const Expr *> Keys;
  forEachDescendant(E, [&](const Stmt *S) { // E itself included
    if (const auto *Sub = dyn_cast<Expr>(S))
      if (const Expr *Key = keyOfAccess(Sub); Key && !llvm::is_contained(Keys, Key))
        Keys.push_back(Key);
  });
  return Keys;
}

/// The data member of \p Object that \p E reads, directly (`t.m`, `t.m.count()`), or null.
const FieldDecl *memberOf(const Expr *E, const ParmVarDecl *Object) {
  const FieldDecl *Found = nullptr;
  bool Several = false;
  auto Visit = [&](const Stmt *S) {
    const auto *Member = dyn_cast<MemberExpr>(S);
    const auto *Base = Member ? dyn_cast<DeclRefExpr>(Member->getBase()->IgnoreParenImpCasts())
                              : nullptr;
    const auto *Field = Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr;
    if (!Base || Base->getDecl() != Object || !Field)
      return;
    Several |= Found && Found != Field;
    Found = Field;
  };
  forEachDescendant(E, Visit); // E itself included
  return Several ? nullptr : Found;
}

void addUse(std::vector<KeyUse> &Out, const FieldDecl *Member, const Expr *Key) {
  if (Member && Key)
    Out.push_back({Member, *keyText(Key), Key});
}

} // namespace

std::vector<KeyUse> keysWritten(const Stmt *Body, const ParmVarDecl *Source) {
  std::vector<KeyUse> Out;
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto Store = storeParts(S)) {
      if (const Expr *Key = keyOfAccess(Store->first))
        addUse(Out, memberOf(Store->second, Source), Key);
      return;
    }
    // {"k", t.m}: an initializer-list pair of a json object literal.
    if (const auto *Pair = dyn_cast<InitListExpr>(S); Pair && Pair->getNumInits() == 2)
      if (keyText(Pair->getInit(0)))
        addUse(Out, memberOf(Pair->getInit(1), Source), Pair->getInit(0));
  });
  return Out;
}

std::vector<KeyUse> keysRead(const Stmt *Body, const ParmVarDecl *Target) {
  std::vector<KeyUse> Out;
  auto DirectMember = [&](const Expr *E) -> const FieldDecl * {
    const auto *Member = dyn_cast<MemberExpr>(stripConversions(E));
    const auto *Base =
        Member ? dyn_cast<DeclRefExpr>(Member->getBase()->IgnoreParenImpCasts()) : nullptr;
    return Base && Base->getDecl() == Target ? dyn_cast<FieldDecl>(Member->getMemberDecl())
                                             : nullptr;
  };
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *GetTo = dyn_cast<CXXMemberCallExpr>(S);
        GetTo && GetTo->getMethodDecl() && GetTo->getMethodDecl()->getName() == "get_to" &&
        GetTo->getNumArgs() == 1) {
      addUse(Out, DirectMember(GetTo->getArg(0)), keyOfAccess(GetTo->getImplicitObjectArgument()));
      return;
    }
    if (const auto Store = storeParts(S))
      for (const Expr *Key : keysIn(Store->second))
        addUse(Out, DirectMember(Store->first), Key);
  });
  return Out;
}

const FunctionDecl *toJsonOf(const CXXRecordDecl *Record, llvm::StringRef Name, ASTContext &Ctx) {
  const DeclContext *Namespace = Record->getDeclContext()->getRedeclContext();
  for (const NamedDecl *D : Namespace->lookup(&Ctx.Idents.get(Name))) {
    const auto *F = dyn_cast<FunctionDecl>(D);
    const FunctionDecl *Definition = nullptr;
    if (!F || F->getNumParams() != 2 || !F->hasBody(Definition))
      continue;
    const CXXRecordDecl *Of =
        F->getParamDecl(1)->getType().getNonReferenceType()->getAsCXXRecordDecl();
    if (Of && Of->getCanonicalDecl() == Record->getCanonicalDecl())
      return Definition;
  }
  return nullptr;
}

} // namespace clang::tidy::errorshield
