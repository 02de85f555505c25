//===--- OriginDecision.cpp - Whether a handshake depends on its Origin ---===//

#include "websocket/OriginDecision.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "clang/AST/ASTLambda.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <optional>

namespace clang::tidy::errorshield::ws {

/// True when \p S leaves the function or loop, or accepts the handshake itself, on every path
/// through it: a decision was made there. A branch whose rejection depends on a further test
/// (`if (!allowed(o)) { if (cfg.enforce) return reject(); log(...); }`) lets the handshake go on
/// when that test fails. Loops and switches are given the benefit of the doubt: anything in them
/// that leaves counts.
static bool actsOnDecision(const Stmt *S, const std::vector<std::string> &AcceptMethods) {
  if (!S)
    return false;
  if (isa<ReturnStmt, CoreturnStmt, BreakStmt, ContinueStmt, GotoStmt>(S))
    return true;
  if (const auto *Attributed = dyn_cast<AttributedStmt>(S)) // `[[unlikely]] return;`
    return actsOnDecision(Attributed->getSubStmt(), AcceptMethods);
  if (const auto *Block = dyn_cast<CompoundStmt>(S))
    return llvm::any_of(Block->body(),
                        [&](const Stmt *Child) { return actsOnDecision(Child, AcceptMethods); });
  if (const auto *If = dyn_cast<IfStmt>(S))
    return actsOnDecision(If->getThen(), AcceptMethods) &&
           actsOnDecision(If->getElse(), AcceptMethods);
  if (const auto *Try = dyn_cast<CXXTryStmt>(S))
    return actsOnDecision(Try->getTryBlock(), AcceptMethods);
  const bool Nested = isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, SwitchStmt>(S);
  return findDescendant(S, [&](const Stmt *D) {
           if (isa<CXXThrowExpr>(D) ||
               (Nested && isa<ReturnStmt, CoreturnStmt, BreakStmt, ContinueStmt>(D)))
             return true;
           const auto *Call = dyn_cast<CallExpr>(D);
           return Call && llvm::is_contained(AcceptMethods, calleeName(Call));
         }, isNestedCode) != nullptr;
}

/// Where a use decides (none when it cannot).
using Decision = std::optional<SourceLocation>;

static Decision decides(const Expr *Use, ASTContext &Ctx, const OriginNames &Names,
                        unsigned Depth);

/// True for a call that can end the program or the connection.
static bool isStopName(StringRef Name) {
  return Name == "exit" || Name == "abort" || Name == "terminate" || Name == "close" ||
         Name == "shutdown" || Name == "cancel";
}

/// True when \p Call hands the value to a function that cannot stop the handshake: it returns
/// nothing, its body is here, and that body neither throws nor ends the program or the
/// connection (`log_line("upgrade from", req[http::field::origin])`). A library function whose
/// body was not parsed (clangd skips them in its preamble: `res.set(field::vary, origin)`) is
/// judged by its name, so that clang-tidy and the editor agree.
static bool onlyRecords(const CallExpr *Call) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  const FunctionDecl *Definition = nullptr;
  if (isa<CXXOperatorCallExpr>(Call) || !Callee || !Callee->getReturnType()->isVoidType())
    return false;
  if (!Callee->hasBody(Definition)) {
    const SourceManager &SM = Callee->getASTContext().getSourceManager();
    return SM.isInSystemHeader(Callee->getLocation()) && Callee->getIdentifier() &&
           !isStopName(Callee->getName());
  }
  return !findDescendant(Definition->getBody(), [](const Stmt *S) {
    if (isa<CXXThrowExpr>(S))
      return true;
    const auto *Inner = dyn_cast<CallExpr>(S);
    return Inner && isStopName(calleeName(Inner));
  });
}

/// Where a use of local \p Var in its function decides first (`std::string o = req[origin];
/// ws.accept(req); if (!allowed(o)) ...` decides after the accept).
static Decision anyUseDecides(const VarDecl *Var, ASTContext &Ctx, const OriginNames &Names,
                              unsigned Depth) {
  const auto *Function = dyn_cast<FunctionDecl>(Var->getDeclContext());
  if (!Function || !Function->getBody() || Depth == 0)
    // Not followed: assume it decides where it is declared.
    return Ctx.getSourceManager().getExpansionLoc(Var->getLocation());
  const SourceManager &SM = Ctx.getSourceManager();
  Decision First;
  findDescendant(Function->getBody(), [&](const Stmt *S) {
    const auto *Ref = dyn_cast<DeclRefExpr>(S);
    if (Ref && Ref->getDecl() == Var)
      if (Decision At = decides(Ref, Ctx, Names, Depth - 1);
          At && (!First || SM.isBeforeInTranslationUnit(*At, *First)))
        First = At;
    return false;
  });
  return First;
}

/// For \p S assigning \p Value (`tag = ...`, `hello["origin_class"] = tag`): whether, and where,
/// the stored value can decide. A local variable's later uses say; an element of a local
/// container (a reply being built: `hello["origin_class"] = tag`) is data; a reference parameter
/// (`std::string &seen_origin`) is read by the caller once this function has returned; a data
/// member (`origin_ok_ = ...`), read elsewhere, or a field of a local record is assumed to decide
/// here. Absent when \p S assigns nothing from \p Value.
static std::optional<Decision> storeDecides(const Stmt *S, const Stmt *Value, ASTContext &Ctx,
                                            const OriginNames &Names, unsigned Depth) {
  const auto Assignment = storeParts(S);
  if (!Assignment)
    return std::nullopt;
  const Expr *Target = Assignment->first, *Source = Assignment->second;
  if (Value != Source && Value != Target)
    return std::nullopt;
  if (Value == Target)
    return Decision(); // the variable being assigned, not its value being used
  const SourceLocation Here = Ctx.getSourceManager().getExpansionLoc(S->getBeginLoc());
  const VarDecl *Root = rootVariable(Target);
  Target = stripConversions(Target);
  if (const auto *Parameter = dyn_cast_or_null<ParmVarDecl>(Root);
      Parameter && Parameter->getType()->isReferenceType() && isa<DeclRefExpr>(Target))
    if (const auto *Function = dyn_cast<FunctionDecl>(Parameter->getDeclContext());
        Function && Function->getBody())
      return Decision(Ctx.getSourceManager().getExpansionLoc(Function->getBody()->getEndLoc()));
  if (!Root || !Root->isLocalVarDecl())
    return Decision(Here);
  if (isa<DeclRefExpr>(Target))
    return anyUseDecides(Root, Ctx, Names, Depth);
  const auto *Subscript = dyn_cast<CXXOperatorCallExpr>(Target);
  if (isa<ArraySubscriptExpr>(Target) || (Subscript && Subscript->getOperator() == OO_Subscript))
    return Decision();
  return Decision(Here); // a field of a local record (`verdict.ok = ...`): assumed to be read
}

/// True when \p S compares \p Child with the end of a message's headers
/// (`req.find(origin) == req.end()`): it asks whether the header is there, not what it says; any
/// page sends an Origin. A search of an allow-list (`std::find(...) != allowed.end()`) decides.
static bool comparesWithEnd(const Stmt *S, const Stmt *Child,
                            const std::vector<std::string> &RequestTypes) {
  const Expr *Other = nullptr;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
      Op && Op->getNumArgs() == 2 &&
      (Op->getOperator() == OO_EqualEqual || Op->getOperator() == OO_ExclaimEqual))
    Other = Op->getArg(0) == Child ? Op->getArg(1) : Op->getArg(0);
  else if (const auto *Binary = dyn_cast<BinaryOperator>(S); Binary && Binary->isEqualityOp())
    Other = Binary->getLHS() == Child ? Binary->getRHS() : Binary->getLHS();
  const auto *End = Other ? dyn_cast<CXXMemberCallExpr>(stripConversions(Other)) : nullptr;
  // The request itself (`req`, before its conversion to the fields base that declares end()).
  const Expr *Object = End ? End->getImplicitObjectArgument() : nullptr;
  return Object &&
         (isNamedRecord(Object->IgnoreImpCasts()->getType(), RequestTypes) ||
          isNamedRecord(End->getRecordDecl(), RequestTypes)) &&
         (calleeName(End) == "end" || calleeName(End) == "cend");
}

static Decision decides(const Expr *Use, ASTContext &Ctx, const OriginNames &Names,
                        unsigned Depth) {
  const Decision Here = Ctx.getSourceManager().getExpansionLoc(Use->getBeginLoc());
  DynTypedNode Child = DynTypedNode::create(*Use);
  for (int Hops = 0; Hops < 32; ++Hops) {
    DynTypedNodeList Parents = Ctx.getParents(Child);
    if (Parents.empty())
      return Here;
    const DynTypedNode Parent = Parents[0];
    const Stmt *ChildStmt = Child.get<Stmt>();
    if (const auto *Var = Parent.get<VarDecl>())
      return Var->isLocalVarDecl() ? anyUseDecides(Var, Ctx, Names, Depth) : Here;
    const auto *S = Parent.get<Stmt>();
    if (!S || isa<LambdaExpr, CompoundStmt, ReturnStmt, CoreturnStmt>(S))
      return Here; // a statement of its own (a validator that throws), a result, or unknown
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
        Op && Op->getOperator() == OO_LessLess && Op->getNumArgs() == 2 &&
        Op->getArg(0) != ChildStmt)
      return Decision(); // streamed into a log line
    if (const auto *Call = dyn_cast<CallExpr>(S);
        Call && Call->getCallee() != ChildStmt && onlyRecords(Call))
      return Decision(); // handed to a logger
    if (const auto *Member = dyn_cast<MemberExpr>(S)) {
      const std::string Name = Member->getMemberNameInfo().getAsString();
      if (Name == "empty" || Name == "size" || Name == "length")
        return Decision(); // a presence test
    }
    if (comparesWithEnd(S, ChildStmt, Names.RequestTypes))
      return Decision();
    if (std::optional<Decision> Stored = storeDecides(S, ChildStmt, Ctx, Names, Depth))
      return *Stored;
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      if (ChildStmt != If->getCond())
        return Here;
      return actsOnDecision(If->getThen(), Names.AcceptMethods) ||
                     actsOnDecision(If->getElse(), Names.AcceptMethods)
                 ? Here
                 : Decision();
    }
    Child = Parent;
  }
  return Here;
}

std::optional<SourceLocation> decidesOnOrigin(const Expr *Read, ASTContext &Ctx,
                                              const OriginNames &Names) {
  return decides(Read, Ctx, Names, /*Depth=*/3);
}

bool returnsText(const FunctionDecl *Function) {
  QualType T = Function->getReturnType().getNonReferenceType();
  if (T->isPointerType())
    return T->getPointeeType()->isAnyCharacterType();
  const auto *Record = T->getAsCXXRecordDecl();
  return Record && Record->getIdentifier() &&
         (Record->getName() == "basic_string" || Record->getName() == "basic_string_view" ||
          Record->getName() == "string" ||
          Record->getName() == "string_view");
}

bool isOriginAccessor(const FunctionDecl *Function) {
  const FunctionDecl *Definition = nullptr;
  return returnsText(Function) && Function->hasBody(Definition) &&
         !findDescendant(Definition->getBody(), [](const Stmt *S) { return isa<CXXThrowExpr>(S); });
}

bool flowsToReturn(const Expr *Read, ASTContext &Ctx) {
  DynTypedNode Child = DynTypedNode::create(*Read);
  for (int Hops = 0; Hops < 16; ++Hops) {
    DynTypedNodeList Parents = Ctx.getParents(Child);
    if (Parents.empty())
      return false;
    if (Parents[0].get<ReturnStmt>())
      return true;
    if (const auto *Var = Parents[0].get<VarDecl>()) {
      const auto *Function = dyn_cast<FunctionDecl>(Var->getDeclContext());
      return Var->isLocalVarDecl() && Function && Function->getBody() &&
             findDescendant(Function->getBody(), [&](const Stmt *S) {
               const auto *Return = dyn_cast<ReturnStmt>(S);
               return Return && Return->getRetValue() && refersTo(Return->getRetValue(), Var);
             });
    }
    if (!Parents[0].get<Expr>())
      return false; // a statement of its own, a condition: the value stops here
    Child = Parents[0];
  }
  return false;
}

bool dropsOriginVerdict(const CallExpr *Call, const FunctionDecl *Caller) {
  const CXXRecordDecl *Verdict =
      Call->getType().isNull() ? nullptr : Call->getType()->getAsCXXRecordDecl();
  if (!Verdict || !Verdict->hasDefinition() || !Caller || !Caller->getBody())
    return false;
  llvm::SmallPtrSet<const FieldDecl *, 2> OriginFields;
  for (const FieldDecl *Field : Verdict->fields())
    if (Field->getIdentifier() && Field->getName().contains_insensitive("origin"))
      OriginFields.insert(Field->getCanonicalDecl());
  if (OriginFields.empty())
    return false;
  return !findDescendant(Caller->getBody(), [&](const Stmt *S) {
    const auto *Member = dyn_cast<MemberExpr>(S);
    const auto *Field = Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr;
    return Field && llvm::any_of(OriginFields, [&](const FieldDecl *F) {
             return F->getName() == Field->getName();
           });
  });
}


namespace {

/// A route test: a variable compared equal with a string literal (`target == "/alerts"`).
struct Route {
  const ValueDecl *Variable;
  StringRef Literal;
  bool operator==(const Route &O) const {
    return Variable == O.Variable && Literal == O.Literal;
  }
};

std::optional<Route> routeOf(const Expr *E) {
  std::optional<Comparison> Parts = equalityParts(E->IgnoreParenImpCasts());
  if (!Parts || !Parts->Equal)
    return std::nullopt;
  for (auto [Name, Value] : {std::pair(Parts->LHS, Parts->RHS), std::pair(Parts->RHS, Parts->LHS)})
    if (const ValueDecl *Variable = declNamedBy(Name))
      if (const auto *Literal =
              dyn_cast<StringLiteral>(stripConversions(Value)->IgnoreParenImpCasts()))
        return Route{Variable, Literal->getString()};
  return std::nullopt;
}

/// The route an Origin check at \p Check guards, when it sits in the right operand of a guard
/// `if (target == "/alerts" && !origin_listed(req)) ...` in \p Body: it is made for that route
/// only.
std::optional<Route> guardedRoute(SourceLocation Check, const Stmt *Body, const SourceManager &SM) {
  std::optional<Route> Found;
  findDescendant(Body, [&](const Stmt *S) {
    const auto *If = dyn_cast<IfStmt>(S);
    const auto *And = If ? dyn_cast<BinaryOperator>(If->getCond()->IgnoreParenImpCasts()) : nullptr;
    if (!And || And->getOpcode() != BO_LAnd || !spansLocation(And->getRHS(), Check, SM))
      return false;
    Found = routeOf(And->getLHS());
    return true;
  });
  return Found;
}

/// True when \p Accept runs only on \p R: inside the `then` branch of an `if` whose condition
/// tests it (`if (target == "/alerts") { ... async_accept ... }`).
bool onlyOnRoute(const Stmt *Accept, const Route &R, ASTContext &Ctx) {
  DynTypedNode Child = DynTypedNode::create(*Accept);
  for (int Hops = 0; Hops < 64; ++Hops) {
    DynTypedNodeList Parents = Ctx.getParents(Child);
    if (Parents.empty() || Parents[0].get<FunctionDecl>())
      return false;
    if (const auto *If = Parents[0].get<IfStmt>(); If && Child.get<Stmt>() == If->getThen())
      if (findDescendant(If->getCond(), [&](const Stmt *S) {
            const auto *E = dyn_cast<Expr>(S);
            return E && routeOf(E) == R;
          }))
        return true;
    Child = Parents[0];
  }
  return false;
}

} // namespace

bool checkMayPrecede(SourceLocation Check, const Stmt *Accept, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  if (!SM.isBeforeInTranslationUnit(Check, SM.getExpansionLoc(Accept->getBeginLoc())))
    return false;
  // A check made for one route (`if (target == "/alerts" && !allowed(req)) return;`) does not
  // cover an accept on another route.
  if (const Stmt *Body = enclosingFunctionBody(Accept, Ctx, /*StopAtLambdas=*/false))
    if (std::optional<Route> R = guardedRoute(Check, Body, SM); R && !onlyOnRoute(Accept, *R, Ctx))
      return false;
  // Compared by location, since the check and the accept may have been found in two
  // instantiations of one template.
  DynTypedNode Child = DynTypedNode::create(*Accept);
  for (int Hops = 0; Hops < 64; ++Hops) {
    DynTypedNodeList Parents = Ctx.getParents(Child);
    if (Parents.empty())
      return true;
    if (const auto *If = Parents[0].get<IfStmt>(); If && If->getElse()) {
      const Stmt *Other = Child.get<Stmt>() == If->getThen()   ? If->getElse()
                          : Child.get<Stmt>() == If->getElse() ? If->getThen()
                                                               : nullptr;
      if (Other && spansLocation(Other, Check, SM))
        return false;
    }
    // A lambda's body belongs to its call operator, in its closure class, in the LambdaExpr: the
    // walk goes on through them to the branch of the function that defines the lambda.
    if (const auto *Function = Parents[0].get<FunctionDecl>();
        Function && !isLambdaCallOperator(Function))
      return true;
    Child = Parents[0];
  }
  return true;
}

const CXXRecordDecl *memberOwner(const ObjectKey &Stream, const FunctionDecl *F) {
  const auto *Record = dyn_cast_or_null<CXXRecordDecl>(Stream.Owner);
  return Record && ownerClass(outerFunction(F)) == Record ? Record : nullptr;
}

bool checkInOtherHandler(SourceLocation Check, const Stmt *Accept,
                         llvm::ArrayRef<const Stmt *> Accepts, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  return llvm::any_of(Accepts, [&](const Stmt *Other) {
    const LambdaExpr *Handler = Other != Accept ? enclosingLambda(Other, Ctx) : nullptr;
    return Handler && spansLocation(Handler, Check, SM) &&
           !spansLocation(Handler, SM.getExpansionLoc(Accept->getBeginLoc()), SM);
  });
}

} // namespace clang::tidy::errorshield::ws
