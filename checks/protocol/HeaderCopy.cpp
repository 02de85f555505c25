//===--- HeaderCopy.cpp - What a loop over HTTP fields does with them -------===//

#include "protocol/HeaderCopy.h"
#include "core/CallNames.h"
#include "core/Matchers.h"

namespace clang::tidy::errorshield::http {

const Decl *rootDecl(const Expr *E) {
  while (E) {
    E = stripConversions(E);
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      return Ref->getDecl();
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      // A data member reached through `this` or through a pointer to its object
      // (`self->req_` in a handler that keeps the session alive) is the member itself.
      if (isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts()) ||
          (Member->isArrow() && isa<FieldDecl>(Member->getMemberDecl())))
        return Member->getMemberDecl();
      E = Member->getBase();
    } else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
      E = Call->getImplicitObjectArgument(); // req.base()
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
               Op && Op->getNumArgs() >= 1 &&
               (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star)) {
      E = Op->getArg(0);
    } else if (const auto *Unary = dyn_cast<UnaryOperator>(E);
               Unary && Unary->getOpcode() == UO_Deref) {
      E = Unary->getSubExpr();
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

bool spellsToken(const Stmt *Value, const std::vector<std::string> &Tokens, const ASTContext &Ctx,
                 unsigned Depth) {
  return findDescendant(Value, [&](const Stmt *S) {
    if (const auto *Literal = dyn_cast<StringLiteral>(S))
      return Literal->isOrdinary() && llvm::any_of(Tokens, [&](const std::string &Token) {
               return StringRef(Literal->getString()).contains_insensitive(Token);
             });
    const auto *Ref = dyn_cast<DeclRefExpr>(S);
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    return Depth > 0 && Var && Var->getType().isConstant(Ctx) && Var->getInit() &&
           spellsToken(Var->getInit(), Tokens, Ctx, Depth - 1);
  });
}

std::string normalizedHeader(llvm::StringRef Name) {
  std::string Out = Name.lower();
  std::replace(Out.begin(), Out.end(), '_', '-');
  return Out;
}

std::string headerName(const Expr *E) {
  E = stripConversions(E);
  if (const auto *Literal = dyn_cast<StringLiteral>(E); Literal && Literal->isOrdinary())
    return normalizedHeader(Literal->getString());
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    if (const auto *Enumerator = dyn_cast<EnumConstantDecl>(Ref->getDecl()))
      return normalizedHeader(Enumerator->getName());
  return {};
}

static void collectNames(const Stmt *Cond, std::set<std::string> &Names) {
  forEachDescendant(Cond, [&](const Stmt *S) {
    const auto *E = dyn_cast<Expr>(S);
    if (std::string Name = E ? headerName(E) : std::string(); !Name.empty())
      Names.insert(Name);
    // A named constant: `constexpr std::string_view kUpgrade = "Upgrade";`
    const auto *Ref = dyn_cast<DeclRefExpr>(S);
    if (const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
        Var && Var->getType().isConstQualified() && Var->getInit())
      forEachDescendant(Var->getInit(), [&](const Stmt *Init) {
        if (const auto *Literal = dyn_cast<StringLiteral>(Init); Literal && Literal->isOrdinary())
          Names.insert(normalizedHeader(Literal->getString()));
      });
  });
}

/// True when \p Cond hands the field to a function that is not a plain comparison: the loop asks
/// a helper (`is_hop_by_hop(f.name())`, `hop_headers.count(f.name_string())`) whether to skip.
static bool asksHelper(const Stmt *Cond, llvm::ArrayRef<const VarDecl *> Vars,
                       const std::vector<std::string> &ComparisonFunctions) {
  return findDescendant(Cond, [&](const Stmt *S) {
           const auto *Call = dyn_cast<CallExpr>(S);
           if (!Call || isa<CXXOperatorCallExpr>(Call))
             return false;
           const std::string Name = calleeName(Call);
           if (Name.empty() || llvm::is_contained(ComparisonFunctions, Name))
             return false;
           return llvm::any_of(Call->arguments(),
                               [&](const Expr *Arg) { return refersToAny(Arg, Vars); });
         }) != nullptr;
}

/// The conditions a header-copy loop can skip a field with: if, while, ?: and switch.
static const Expr *skipCondition(const Stmt *S) {
  if (const auto *Switch = dyn_cast<SwitchStmt>(S))
    return Switch->getCond();
  return isa<IfStmt>(S) || isa<WhileStmt>(S) || isa<AbstractConditionalOperator>(S)
             ? conditionOf(S)
             : nullptr;
}

llvm::SmallVector<const VarDecl *, 4> fieldVariables(const Stmt *Body, const VarDecl *Var) {
  llvm::SmallVector<const VarDecl *, 4> Vars{Var};
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *Decl = dyn_cast<DeclStmt>(S))
      for (const auto *D : Decl->decls())
        if (const auto *Local = dyn_cast<VarDecl>(D);
            Local && Local->getInit() && refersTo(Local->getInit(), Var))
          Vars.push_back(Local);
  });
  return Vars;
}

/// Adds to \p Names the names \p Cond lets through when it only compares the field with names,
/// ORed together; false when it does anything else.
static bool collectAllowed(const Expr *Cond, llvm::ArrayRef<const VarDecl *> Vars,
                           const std::vector<std::string> &ComparisonFunctions,
                           std::set<std::string> &Names) {
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *Or = dyn_cast<BinaryOperator>(Cond); Or && Or->getOpcode() == BO_LOr)
    return collectAllowed(Or->getLHS(), Vars, ComparisonFunctions, Names) &&
           collectAllowed(Or->getRHS(), Vars, ComparisonFunctions, Names);
  const std::optional<Comparison> Compared = equalityParts(Cond);
  const auto *Call = dyn_cast<CallExpr>(Cond);
  const bool Equality = (Compared && Compared->Equal) ||
                        (Call && llvm::is_contained(ComparisonFunctions, calleeName(Call)));
  if (!Equality || !refersToAny(Cond, Vars))
    return false;
  const size_t Before = Names.size();
  collectNames(Cond, Names);
  return Names.size() > Before;
}

std::optional<std::set<std::string>>
allowListedNames(const Stmt *Body, const Stmt *Copy, llvm::ArrayRef<const VarDecl *> Vars,
                 const std::vector<std::string> &ComparisonFunctions) {
  std::optional<std::set<std::string>> Allowed;
  forEachDescendant(Body, [&](const Stmt *S) {
    const auto *If = dyn_cast<IfStmt>(S);
    if (Allowed || !If || !If->getCond() ||
        !contains(If->getThen(), Copy))
      return;
    std::set<std::string> Names;
    if (collectAllowed(If->getCond(), Vars, ComparisonFunctions, Names))
      Allowed = std::move(Names);
  });
  return Allowed;
}

SkipConditions skipConditions(const Stmt *Body, const VarDecl *Var,
                              const std::vector<std::string> &ComparisonFunctions) {
  SkipConditions Out;
  // The field, and locals taken from it (`auto name = f.name_string();`).
  const llvm::SmallVector<const VarDecl *, 4> Vars = fieldVariables(Body, Var);
  forEachDescendant(Body, [&](const Stmt *S) {
    const Expr *Cond = skipCondition(S);
    if (!Cond || !refersToAny(Cond, Vars))
      return;
    Out.AsksHelper |= asksHelper(Cond, Vars, ComparisonFunctions);
    collectNames(isa<SwitchStmt>(S) ? S : Cond, Out.Names); // a switch names fields in its cases
  });
  return Out;
}

} // namespace clang::tidy::errorshield::http
