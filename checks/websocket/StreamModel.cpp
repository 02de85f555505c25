//===--- StreamModel.cpp - What the WebSocket checks know about a stream ---===//

#include "websocket/StreamModel.h"
#include "core/Matchers.h"
#include "websocket/StreamMakers.h"
#include "clang/AST/DeclTemplate.h"
#include "llvm/ADT/STLExtras.h"

namespace clang::tidy::errorshield::ws {

const NamedDecl *namedTypeDecl(QualType T) {
  if (T.isNull())
    return nullptr;
  T = T.getNonReferenceType();
  if (const CXXRecordDecl *Record = T->getAsCXXRecordDecl())
    return Record;
  // Dependent: `websocket::stream<Next>` or `http::request<Body>` (an alias of http::message).
  while (const auto *Spec = T->getAs<TemplateSpecializationType>()) {
    if (!Spec->isTypeAlias())
      return Spec->getTemplateName().getAsTemplateDecl();
    T = Spec->getAliasedType();
  }
  if (const auto *Injected = T->getAs<InjectedClassNameType>())
    return Injected->getDecl();
  return nullptr;
}

bool isTypeNamed(QualType T, const std::vector<std::string> &Names) {
  return hasListedQualifiedName(namedTypeDecl(T), Names);
}

/// The type of the object a member call is made on, pointers and smart pointers looked through.
static QualType objectType(QualType T, bool IsArrow) {
  T = T.getNonReferenceType();
  if (IsArrow && T->isPointerType())
    return T->getPointeeType();
  return T;
}

std::optional<StreamCall> asMemberCall(const CallExpr *C) {
  StreamCall Out;
  Out.Call = C;
  Out.Args = llvm::ArrayRef(C->getArgs(), C->getNumArgs());
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(C)) {
    const CXXMethodDecl *Method = Member->getMethodDecl();
    if (!Method || !Method->getIdentifier())
      return std::nullopt;
    Out.Object = Member->getImplicitObjectArgument();
    Out.Method = Method->getName().str();
    Out.Loc = Member->getExprLoc();
    Out.MethodClass = Method->getParent();
    return Out;
  }
  const Expr *Callee = C->getCallee() ? C->getCallee()->IgnoreParens() : nullptr;
  if (const auto *Unresolved = dyn_cast_or_null<UnresolvedMemberExpr>(Callee)) {
    if (Unresolved->isImplicitAccess() || !Unresolved->getMemberName().isIdentifier())
      return std::nullopt;
    Out.Object = Unresolved->getBase();
    Out.Method = Unresolved->getMemberName().getAsString();
    Out.Loc = Unresolved->getMemberLoc();
    Out.ObjectType = objectType(Unresolved->getBaseType(), Unresolved->isArrow());
    return Out;
  }
  if (const auto *Dependent = dyn_cast_or_null<CXXDependentScopeMemberExpr>(Callee)) {
    if (Dependent->isImplicitAccess() || !Dependent->getMember().isIdentifier())
      return std::nullopt;
    Out.Object = Dependent->getBase();
    Out.Method = Dependent->getMember().getAsString();
    Out.Loc = Dependent->getMemberLoc();
    Out.ObjectType = objectType(Dependent->getBaseType(), Dependent->isArrow());
    return Out;
  }
  return std::nullopt;
}

const Expr *throughPointers(const Expr *E) {
  while (E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *Unary = dyn_cast<UnaryOperator>(E); Unary && Unary->getOpcode() == UO_Deref) {
      E = Unary->getSubExpr();
      continue;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
        Op && Op->getNumArgs() == 1 &&
        (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star)) {
      E = Op->getArg(0);
      continue;
    }
    return E;
  }
  return E;
}

std::optional<StreamCall> asStreamCall(const CallExpr *C,
                                       const std::vector<std::string> &StreamTypes) {
  std::optional<StreamCall> Call = asMemberCall(C);
  if (!Call || !Call->Object)
    return std::nullopt;
  const bool IsStream = Call->MethodClass ? hasListedQualifiedName(Call->MethodClass, StreamTypes)
                                          : isTypeNamed(Call->ObjectType, StreamTypes);
  return IsStream ? Call : std::nullopt;
}

const FunctionDecl *outerFunction(const DeclContext *D) {
  const FunctionDecl *F = nullptr;
  while (D) {
    if (const auto *Method = dyn_cast<CXXMethodDecl>(D); Method && Method->getParent()->isLambda()) {
      D = Method->getParent()->getDeclContext();
      continue;
    }
    if ((F = dyn_cast<FunctionDecl>(D)))
      break;
    if (isa<BlockDecl>(D) || isa<CapturedDecl>(D)) {
      D = D->getParent();
      continue;
    }
    return nullptr;
  }
  return F ? functionAsWritten(F) : nullptr;
}

const FunctionDecl *functionAsWritten(const FunctionDecl *F) {
  if (const FunctionDecl *Pattern = F->getTemplateInstantiationPattern())
    F = Pattern;
  return F->getCanonicalDecl();
}

static const CXXRecordDecl *patternOf(const CXXRecordDecl *Record) {
  if (const CXXRecordDecl *Pattern = Record->getTemplateInstantiationPattern())
    Record = Pattern;
  return Record->getCanonicalDecl();
}

const CXXRecordDecl *ownerClass(const FunctionDecl *F) {
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(F);
  return Method ? patternOf(Method->getParent()) : nullptr;
}

/// The data member an accessor returns (`stream()` whose body is `return ws_;`), or \p E.
static const Expr *throughAccessor(const Expr *E) {
  const auto *Call = dyn_cast<CXXMemberCallExpr>(E);
  const CXXMethodDecl *Method = Call ? Call->getMethodDecl() : nullptr;
  const auto *Body = Method ? dyn_cast_or_null<CompoundStmt>(Method->getBody()) : nullptr;
  const auto *Return = Body && Body->size() == 1 ? dyn_cast<ReturnStmt>(Body->body_front())
                                                : nullptr;
  const Expr *Value = Return && Return->getRetValue() ? Return->getRetValue()->IgnoreParenImpCasts()
                                                      : nullptr;
  return Value && isa<MemberExpr>(Value) ? Value : E;
}

/// The object a local alias is initialised to designate: `auto &s = ws;`, `auto *w = &ws_;`,
/// `auto *w = &session->stream();` (ownedObject looks through the accessor); null for anything
/// else.
static const Expr *aliasedObject(const VarDecl *Var) {
  if (isa<ParmVarDecl>(Var) || !Var->hasLocalStorage() || !Var->getInit() ||
      !(Var->getType()->isReferenceType() || Var->getType()->isPointerType()))
    return nullptr;
  const Expr *Init = Var->getInit()->IgnoreParenImpCasts();
  if (Var->getType()->isPointerType()) {
    const auto *AddressOf = dyn_cast<UnaryOperator>(Init);
    if (!AddressOf || AddressOf->getOpcode() != UO_AddrOf)
      return nullptr;
    Init = AddressOf->getSubExpr()->IgnoreParenImpCasts();
  }
  return Init;
}

SourceLocation calleeLoc(const CallExpr *Call) {
  if (std::optional<StreamCall> Member = asMemberCall(Call))
    return Member->Loc;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(Call->getCallee()->IgnoreParenImpCasts()))
    return Ref->getLocation();
  return Call->getBeginLoc();
}

std::optional<ObjectKey> localKey(const VarDecl *Var) {
  const FunctionDecl *Owner = outerFunction(Var->getDeclContext());
  if (!Owner)
    return std::nullopt;
  return ObjectKey{Owner, Var->getName().str(), Var->getLocation().getRawEncoding()};
}

std::optional<ObjectKey> ownedObject(const Expr *E) {
  const Expr *Direct = E ? E->IgnoreParenImpCasts() : nullptr;
  // `feed->ws()` whose body is `return ws_;` designates the data member ws_.
  E = throughPointers(E);
  if (E)
    E = throughAccessor(E);
  if (!E)
    return std::nullopt;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    // A local alias is the object it designates (`T &s = s;` compiles: it designates nothing).
    if (const Expr *Aliased = Var ? aliasedObject(Var) : nullptr)
      return refersTo(Aliased, Var) ? std::nullopt : ownedObject(Aliased);
    // A reference (parameter or local alias) designates an object someone else owns, and so does a
    // pointer or smart pointer handed in as a parameter.
    if (!Var || !Var->hasLocalStorage() || Var->getType()->isReferenceType())
      return std::nullopt;
    if (isa<ParmVarDecl>(Var) && (Direct != E || Var->getType()->isPointerType()))
      return std::nullopt;
    return localKey(Var);
  }
  // A data member belongs to its class whichever object it is reached through (`ws_`,
  // `self->ws_`, `other.ws_`): every member function of the class is its owner.
  if (const auto *Member = dyn_cast<MemberExpr>(E)) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    const auto *Record = Field ? dyn_cast<CXXRecordDecl>(Field->getParent()) : nullptr;
    if (!Record || Field->getType()->isReferenceType() || !Field->getIdentifier() ||
        Record->isLambda())
      return std::nullopt;
    return ObjectKey{patternOf(Record), Field->getName().str()};
  }
  // In a template, `ws_` of a dependent type is known only by name, and only through `this`.
  const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(E);
  if (!Dependent || Dependent->isImplicitAccess() || !Dependent->getMember().isIdentifier())
    return std::nullopt;
  const auto *This = dyn_cast<CXXThisExpr>(Dependent->getBase()->IgnoreParenImpCasts());
  const CXXRecordDecl *Record = This ? This->getType()->getPointeeCXXRecordDecl() : nullptr;
  if (!Record)
    return std::nullopt;
  const std::string Name = Dependent->getMember().getAsString();
  return ObjectKey{patternOf(Record), Name};
}

std::optional<ObjectKey> borrowedObject(const Expr *E) {
  const auto *Ref = dyn_cast_or_null<DeclRefExpr>(throughPointers(E));
  const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  if (!Var || !Var->hasLocalStorage() || ownedObject(E))
    return std::nullopt;
  const FunctionDecl *Function = outerFunction(Var->getDeclContext());
  if (!Function)
    return std::nullopt;
  return ObjectKey{Function, Var->getName().str(), Var->getLocation().getRawEncoding()};
}

std::optional<ObjectKey> ownedOrBorrowedObject(const Expr *E, bool *Borrowed) {
  std::optional<ObjectKey> Key = ownedObject(E);
  if (Borrowed)
    *Borrowed = !Key;
  return Key ? Key : borrowedObject(E);
}

std::optional<std::pair<const FunctionDecl *, unsigned>> referenceParameter(const Expr *E) {
  const auto *Ref = dyn_cast_or_null<DeclRefExpr>(throughPointers(E));
  const auto *Param = Ref ? dyn_cast<ParmVarDecl>(Ref->getDecl()) : nullptr;
  if (!Param || !(Param->getType()->isReferenceType() || Param->getType()->isPointerType()))
    return std::nullopt;
  const auto *Function = dyn_cast<FunctionDecl>(Param->getDeclContext());
  if (const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Function);
      !Function || (Method && Method->getParent()->isLambda()))
    return std::nullopt; // a lambda's parameter: its callers are not known
  return std::make_pair(outerFunction(Function), Param->getFunctionScopeIndex());
}

bool ownerHasUnseenMember(const ObjectKey &K) {
  const auto *Class = dyn_cast_or_null<CXXRecordDecl>(K.Owner);
  if (!Class || !Class->hasDefinition())
    return false;
  for (const CXXMethodDecl *M : Class->getDefinition()->methods()) {
    if (M->isImplicit() || M->isDeleted() || M->isDefaulted() || M->isPureVirtual())
      continue;
    const FunctionDecl *Pattern = M->getTemplateInstantiationPattern();
    if (!(Pattern ? Pattern : M)->isDefined())
      return true;
  }
  return false;
}

/// True when \p T names the same class (template) as \p Field's type: a stream built from
/// another stream, not from a socket.
static bool sameStreamClass(QualType T, QualType Field) {
  const NamedDecl *A = namedTypeDecl(T.getNonReferenceType());
  return A && A == namedTypeDecl(Field.getNonReferenceType());
}

/// A stream the owner receives already made: a by-value parameter of the function
/// (`awaitable<void> session(ws_t ws)`) unless every caller makes it in the call from a socket, or
/// a data member a constructor builds from another stream
/// (`session(ws_t &&ws) : ws_(std::move(ws))`). Its maker may have configured it.
static bool receivedMade(const ObjectKey &K) {
  if (const auto *Function = dyn_cast_or_null<FunctionDecl>(K.Owner))
    return llvm::any_of(Function->parameters(), [&](const ParmVarDecl *P) {
      return P->getName() == K.Name && !P->getType()->isReferenceType() &&
             P->getLocation().getRawEncoding() == K.Declared && !alwaysPassedFresh(Function, P);
    });
  const auto *Class = dyn_cast_or_null<CXXRecordDecl>(K.Owner);
  if (!Class || !Class->hasDefinition())
    return false;
  for (const CXXConstructorDecl *Ctor : Class->getDefinition()->ctors()) {
    const FunctionDecl *Definition = nullptr;
    if (!Ctor->hasBody(Definition))
      continue;
    for (const CXXCtorInitializer *Init : cast<CXXConstructorDecl>(Definition)->inits()) {
      const FieldDecl *Field = Init->getMember();
      if (!Field || Field->getName() != K.Name || !Init->getInit())
        continue;
      const auto *Construct = dyn_cast<CXXConstructExpr>(Init->getInit()->IgnoreImplicit());
      const Expr *From = Construct && Construct->getNumArgs() == 1 ? Construct->getArg(0)
                                                                   : nullptr;
      if (const auto *List = dyn_cast<ParenListExpr>(Init->getInit()); List && List->getNumExprs() == 1)
        From = List->getExpr(0); // in a template: ws_(std::move(ws)) not yet resolved
      if (From && sameStreamClass(stripConversions(From)->getType(), Field->getType()))
        return true;
    }
  }
  return false;
}

bool mayBeConfiguredElsewhere(const ObjectKey &K) {
  return ownerHasUnseenMember(K) || receivedMade(K);
}

bool isStringNamed(const Expr *E, const std::vector<std::string> &Names) {
  const auto *Literal = dyn_cast_or_null<StringLiteral>(stripConversions(E));
  if (!Literal || !Literal->isOrdinary())
    return false;
  return llvm::any_of(Names, [&](const std::string &N) {
    return Literal->getString().equals_insensitive(N);
  });
}

bool isEnumeratorNamed(const Expr *E, const std::vector<std::string> &Names) {
  const auto *Ref = dyn_cast_or_null<DeclRefExpr>(stripConversions(E));
  const auto *Enumerator = Ref ? dyn_cast<EnumConstantDecl>(Ref->getDecl()) : nullptr;
  return Enumerator && hasListedQualifiedName(Enumerator, Names);
}

} // namespace clang::tidy::errorshield::ws
