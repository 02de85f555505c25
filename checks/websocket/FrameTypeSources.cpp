//===--- FrameTypeSources.cpp - Where the bytes of errorshield-ws-frame-type come from ---===//
//
// The data-flow half of WsFrameTypeCheck: which read buffers a parsed string is made of, and
// whether a written buffer holds bytes (FrameTypeModes.cpp: which mode the stream writes in).
//
//===----------------------------------------------------------------------===//

#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/WsFrameTypeCheck.h"
#include "clang/AST/ASTLambda.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::errorshield {

/// When statement \p S stores a value into \p Target (a local or a data member), that value: the
/// right-hand side of `Target = v`; with \p Appends, also of `Target += v` and of `Target << v`
/// (a stream; `Target << a << b` stores `b` last).
static const Expr *storedBy(const Stmt *S, const ValueDecl *Target, bool Appends) {
  auto IsTarget = [&](const Expr *E) {
    while (const auto *Chain = dyn_cast<CXXOperatorCallExpr>(E->IgnoreParenImpCasts()))
      if (Appends && Chain->getOperator() == OO_LessLess && Chain->getNumArgs() == 2)
        E = Chain->getArg(0); // `os << a << b`
      else
        break;
    E = E->IgnoreParenImpCasts();
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      return Ref->getDecl() == Target;
    const auto *Member = dyn_cast<MemberExpr>(E);
    return Member && Member->getMemberDecl() == Target;
  };
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
    const OverloadedOperatorKind K = Op->getOperator();
    const bool Stores = K == OO_Equal || (Appends && (K == OO_PlusEqual || K == OO_LessLess));
    return Stores && Op->getNumArgs() == 2 && IsTarget(Op->getArg(0)) ? Op->getArg(1) : nullptr;
  }
  const auto *Assign = dyn_cast<BinaryOperator>(S);
  const bool Stores =
      Assign && (Appends ? Assign->isAssignmentOp() : Assign->getOpcode() == BO_Assign);
  return Stores && IsTarget(Assign->getLHS()) ? Assign->getRHS() : nullptr;
}

/// The expressions stored into local \p Var: its initializer, and the right-hand sides of `=`,
/// `+=` and `<<` (a stream) applied to it in its function.
static std::vector<const Expr *> storedInto(const VarDecl *Var) {
  std::vector<const Expr *> Stored;
  if (Var->getInit())
    Stored.push_back(Var->getInit());
  const auto *Function = dyn_cast<FunctionDecl>(Var->getDeclContext());
  if (!Function || !Function->getBody())
    return Stored;
  forEachDescendant(Function->getBody(), [&](const Stmt *S) {
    if (const Expr *Value = storedBy(S, Var, /*Appends=*/true))
      Stored.push_back(Value);
  });
  return Stored;
}

void WsFrameTypeCheck::bufferSources(const Expr *E, unsigned Depth,
                                     std::vector<ws::ObjectKey> &Out) const {
  auto DataOfOwnedObject = [&](const Stmt *S) -> std::optional<ws::ObjectKey> {
    const auto *Call = dyn_cast<CallExpr>(S);
    std::optional<ws::StreamCall> Member = Call ? ws::asMemberCall(Call) : std::nullopt;
    if (!Member || !llvm::is_contained(BufferDataMethods, Member->Method))
      return std::nullopt;
    return ws::ownedObject(Member->Object);
  };
  findDescendant(
      E,
      [&](const Stmt *S) {
        if (const auto *Ref = dyn_cast<DeclRefExpr>(S); Ref && Depth > 0)
          if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()); Var && Var->isLocalVarDecl())
            for (const Expr *Stored : storedInto(Var))
              bufferSources(Stored, Depth - 1, Out);
        return false;
      },
      // A `buffer.data()` is where the search ends: its object is the source.
      [&](const Stmt *S) {
        std::optional<ws::ObjectKey> Buffer = DataOfOwnedObject(S);
        if (Buffer)
          Out.push_back(*Buffer);
        return Buffer.has_value();
      });
}

/// The first template argument of \p Spec when it is a type (a container's element), or null.
static QualType firstTypeArgument(const ClassTemplateSpecializationDecl *Spec) {
  const TemplateArgumentList &Args = Spec->getTemplateArgs();
  return Args.size() > 0 && Args[0].getKind() == TemplateArgument::Type ? Args[0].getAsType()
                                                                         : QualType();
}

bool WsFrameTypeCheck::isByteType(QualType T) const {
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  else if (const ArrayType *Array = T->getAsArrayTypeUnsafe())
    T = Array->getElementType();
  if (const auto *Spec =
          dyn_cast_or_null<ClassTemplateSpecializationDecl>(T->getAsCXXRecordDecl())) {
    T = firstTypeArgument(Spec);
    if (!hasListedQualifiedName(Spec, ByteContainerTypes) || T.isNull())
      return false;
  }
  // Named by its declaration (std::byte), or as a builtin (unsigned char) for typedefs like uint8_t.
  T = T.getCanonicalType().getUnqualifiedType();
  if (const TagDecl *Tag = T->getAsTagDecl())
    return hasListedQualifiedName(Tag, ByteElementTypes);
  return llvm::is_contained(ByteElementTypes, T.getAsString());
}

/// True for an object whose bytes are not text: a trivially copyable class of the project (a
/// packed header, a struct of prices), or a number other than a character.
static bool isRawObjectType(QualType T) {
  T = T.getNonReferenceType().getCanonicalType().getUnqualifiedType();
  if (const auto *Record = T->getAsCXXRecordDecl())
    return Record->hasDefinition() && Record->isTriviallyCopyable() && !Record->isLambda() &&
           !isInListedNamespace(Record, {"std", "boost"});
  return T->isArithmeticType() && !T->isAnyCharacterType() && !T->isBooleanType() &&
         !T->isSpecificBuiltinType(BuiltinType::UChar) &&
         !T->isSpecificBuiltinType(BuiltinType::SChar);
}

/// The element type of a standard container specialization (`std::vector<Header>`), or null.
static QualType elementType(QualType T) {
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType()->getAsCXXRecordDecl());
  return Spec && isInListedNamespace(Spec, {"std"}) ? firstTypeArgument(Spec) : QualType();
}

/// What was last stored into \p Source before \p Write in \p Function: the right-hand side of
/// the last `=` written before it, or, for a local, its initializer.
static const Expr *lastStoreBefore(const ValueDecl *Source, const Expr *Write,
                                   const FunctionDecl *Function, const SourceManager &SM) {
  const Expr *Last = nullptr;
  const SourceLocation WriteLoc = SM.getExpansionLoc(Write->getBeginLoc());
  if (Function && Function->getBody())
    forEachDescendant(Function->getBody(), [&](const Stmt *S) {
      const Expr *Value = storedBy(S, Source, /*Appends=*/false);
      if (Value &&
          SM.isBeforeInTranslationUnit(SM.getExpansionLoc(S->getBeginLoc()), WriteLoc) &&
          (!Last || SM.isBeforeInTranslationUnit(Last->getBeginLoc(), Value->getBeginLoc())))
        Last = Value;
    });
  if (Last)
    return Last;
  const auto *Var = dyn_cast<VarDecl>(Source);
  return Var && Var->isLocalVarDecl() ? Var->getInit() : nullptr;
}

/// The container a construction copies whole, `T(c.begin(), c.end())` or `T(ptr(c.data()), n)`;
/// null for anything else.
static const Expr *rangeConstructedFrom(const CXXConstructExpr *Construct) {
  if (!Construct || Construct->getNumArgs() < 2)
    return nullptr;
  // T(reinterpret_cast<const char *>(row.data()), row.size()): the object whose storage it copies.
  const Expr *First = stripConversions(Construct->getArg(0));
  const Expr *Pointer = First;
  if (const auto *Cast = dyn_cast<ExplicitCastExpr>(Pointer))
    Pointer = stripConversions(Cast->getSubExpr());
  if (const auto *Data = dyn_cast<CXXMemberCallExpr>(Pointer);
      Data && Data->getMethodDecl() && Data->getMethodDecl()->getName() == "data" &&
      Construct->getArg(1)->getType()->isIntegerType())
    return stripConversions(Data->getImplicitObjectArgument());
  const auto *Begin = dyn_cast<CXXMemberCallExpr>(First);
  const auto *End = dyn_cast<CXXMemberCallExpr>(stripConversions(Construct->getArg(1)));
  if (!Begin || !End || !Begin->getMethodDecl() || !End->getMethodDecl() ||
      Begin->getMethodDecl()->getName() != "begin" || End->getMethodDecl()->getName() != "end")
    return nullptr;
  const ValueDecl *Container = declNamedBy(Begin->getImplicitObjectArgument());
  if (!Container || Container != declNamedBy(End->getImplicitObjectArgument()))
    return nullptr;
  return stripConversions(Begin->getImplicitObjectArgument());
}

/// The standard container \p E takes an element of (`queue_.front()`, `back()`, `at(i)`,
/// `batches_[i]`), or null.
static const Expr *containerOfElement(const Expr *E) {
  const Expr *Container = nullptr;
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(E);
      Member && Member->getMethodDecl() && Member->getMethodDecl()->getIdentifier() &&
      llvm::is_contained({"front", "back", "at"}, Member->getMethodDecl()->getName()))
    Container = Member->getImplicitObjectArgument();
  else if (const auto *Subscript = dyn_cast<CXXOperatorCallExpr>(E);
           Subscript && Subscript->getOperator() == OO_Subscript)
    Container = Subscript->getArg(0);
  const CXXRecordDecl *Record = Container ? Container->getType()->getAsCXXRecordDecl() : nullptr;
  return Record && isInListedNamespace(Record, {"std"}) ? Container : nullptr;
}

/// The source of the last `memcpy(dst, src, n)` (or memmove) into \p Target before \p Write in
/// \p Function, `dst` naming it as `t`, `t.data()` or `&t[0]`; null if none.
static const Expr *lastCopyInto(const ValueDecl *Target, const Expr *Write,
                                const FunctionDecl *Function, const SourceManager &SM) {
  const Expr *Last = nullptr;
  if (!Function || !Function->getBody())
    return nullptr;
  forEachDescendant(Function->getBody(), [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
    if (!Callee || !Callee->getIdentifier() || Call->getNumArgs() != 3 ||
        !llvm::is_contained({"memcpy", "memmove"}, Callee->getName()) ||
        !SM.isBeforeInTranslationUnit(SM.getExpansionLoc(S->getBeginLoc()),
                                      SM.getExpansionLoc(Write->getBeginLoc())))
      return;
    const Expr *Dst = stripConversions(Call->getArg(0));
    if (const auto *Data = dyn_cast<CXXMemberCallExpr>(Dst);
        Data && Data->getMethodDecl() && Data->getMethodDecl()->getName() == "data")
      Dst = Data->getImplicitObjectArgument();
    else if (const auto *AddressOf = dyn_cast<UnaryOperator>(Dst);
             AddressOf && AddressOf->getOpcode() == UO_AddrOf)
      if (const Expr *Container = containerOfElement(stripConversions(AddressOf->getSubExpr())))
        Dst = Container;
    if (declNamedBy(stripConversions(Dst)) == Target)
      Last = Call->getArg(1);
  });
  return Last;
}

WsFrameTypeCheck::PayloadSource WsFrameTypeCheck::payloadOf(const Expr *Buffer,
                                                            const Expr *Write,
                                                            const FunctionDecl *Function,
                                                            unsigned Depth) const {
  const Expr *E = stripConversions(Buffer);
  bool ThroughData = false;
  for (int Hops = 0; Hops < 4 && E; ++Hops) {
    const auto *Call = dyn_cast<CallExpr>(E);
    const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
    if (Callee && hasListedQualifiedName(Callee, TextSerializers))
      return {Payload::SerializedText, Callee->getNameAsString()}; // net::buffer(msg.dump())
    if (Callee && hasListedQualifiedName(Callee, BinarySerializers))
      return {Payload::SerializedBytes, Callee->getNameAsString()}; // json::to_cbor(doc)
    const auto *Construct = dyn_cast<CXXConstructExpr>(E);
    if (Callee && Call->getNumArgs() > 0 && !isa<CXXMemberCallExpr>(Call) &&
        hasListedQualifiedName(Callee, BufferFunctions)) {
      E = stripConversions(Call->getArg(0)); // net::buffer(bytes), net::buffer(p, n)
    } else if (Construct && Construct->getNumArgs() > 0 &&
               ws::isTypeNamed(Construct->getType(), BufferFunctions)) {
      E = stripConversions(Construct->getArg(0)); // net::const_buffer(p, n)
    } else if (Callee && Call->getNumArgs() == 1 &&
               hasListedQualifiedName(Callee, PointerFactories)) {
      E = stripConversions(Call->getArg(0)); // std::make_shared<const bytes_t>(std::move(enc))
    } else if (const Expr *Range = rangeConstructedFrom(Construct)) {
      E = Range; // std::string(bytes.begin(), bytes.end())
    } else if (const auto *Offset = dyn_cast<BinaryOperator>(E);
               Offset && Offset->isAdditiveOp() && Offset->getType()->isPointerType()) {
      // net::buffer(smf.data() + off, n): a chunk of what the pointer points into.
      E = stripConversions(Offset->getLHS()->getType()->isPointerType() ? Offset->getLHS()
                                                                         : Offset->getRHS());
    } else if (const auto *Member = dyn_cast<CXXMemberCallExpr>(E);
               Member && llvm::is_contained(BufferDataMethods,
                                            Member->getMethodDecl()->getNameAsString())) {
      E = stripConversions(Member->getImplicitObjectArgument()); // bytes.data()
      ThroughData = true;
    } else {
      break;
    }
  }
  if (const auto *AddressOf = dyn_cast_or_null<UnaryOperator>(E);
      AddressOf && AddressOf->getOpcode() == UO_AddrOf) {
    E = stripConversions(AddressOf->getSubExpr()); // net::buffer(&header, sizeof header)
    if (!isRawObjectType(E->getType()))
      return {};
    ThroughData = true;
  }
  // Through a pointer: `*bytes` (a shared_ptr to a byte vector), `tick.get()` (the struct a
  // shared_ptr owns): judged by the type pointed to, named by the pointer. Likewise an element
  // of a container of byte buffers (`queue_.front()`), named by the container.
  QualType Pointee;
  if (const Expr *Container = E ? containerOfElement(E) : nullptr;
      Container && isByteType(E->getType())) {
    Pointee = E->getType();
    E = stripConversions(Container);
  } else if (const auto *Deref = dyn_cast_or_null<UnaryOperator>(E);
      Deref && Deref->getOpcode() == UO_Deref) {
    Pointee = Deref->getType();
    E = stripConversions(Deref->getSubExpr());
  } else if (const auto *Star = dyn_cast_or_null<CXXOperatorCallExpr>(E);
             Star && Star->getOperator() == OO_Star && Star->getNumArgs() == 1) {
    Pointee = Star->getType();
    E = stripConversions(Star->getArg(0));
  } else if (const auto *Get = dyn_cast_or_null<CXXMemberCallExpr>(E);
             Get && Get->getMethodDecl() && Get->getMethodDecl()->getName() == "get" &&
             Get->getType()->isPointerType()) {
    Pointee = Get->getType()->getPointeeType();
    E = stripConversions(Get->getImplicitObjectArgument());
    ThroughData = true;
  }
  // `net::buffer(load_part_pdf(part))`: a function of the project returning a binary file.
  if (const auto *Call = dyn_cast_or_null<CallExpr>(E);
      Call && Pointee.isNull() && returnsBinaryFile(Call->getDirectCallee()))
    return {Payload::FileBytes, Call->getDirectCallee()->getNameAsString()};
  const ValueDecl *Source = nullptr;
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E))
    Source = Ref->getDecl();
  else if (const auto *Member = dyn_cast_or_null<MemberExpr>(E))
    Source = Member->getMemberDecl();
  if (!Source)
    return {};
  const QualType T = Pointee.isNull() ? Source->getType() : Pointee;
  if (isByteType(T))
    return {Payload::DeclaredBytes, Source->getNameAsString()};
  if ((ThroughData && isRawObjectType(T)) ||
      (!elementType(T).isNull() && isRawObjectType(elementType(T))))
    return {Payload::RawObject, Source->getNameAsString()};
  if (Pointee.isNull() && filledFromBinaryFile(Source, Function))
    return {Payload::FileBytes, Source->getNameAsString()};
  if (Depth == 0 || !SM)
    return {};
  if (!Pointee.isNull()) {
    // `auto body = std::make_shared<std::string>(msg.dump()); ... net::buffer(*body)`: what the
    // pointed-to object was made from.
    const auto *Var = dyn_cast<VarDecl>(Source);
    const auto *Make = Var && Var->isLocalVarDecl() && Var->getInit()
                           ? dyn_cast<CallExpr>(stripConversions(Var->getInit()))
                           : nullptr;
    const FunctionDecl *Factory = Make ? Make->getDirectCallee() : nullptr;
    if (!Factory || Make->getNumArgs() != 1 || !hasListedQualifiedName(Factory, PointerFactories))
      return {};
    return payloadOf(Make->getArg(0), Write, Function, Depth - 1);
  }
  // `std::memcpy(replay_.data(), ticks.data(), n)`: a text-typed buffer holding copied bytes.
  if (const Expr *Copied = lastCopyInto(Source, Write, Function, *SM)) {
    const PayloadSource From = payloadOf(Copied, Write, Function, Depth - 1);
    if (From.Kind == Payload::RawObject || From.Kind == Payload::DeclaredBytes)
      return {From.Kind, Source->getNameAsString()};
  }
  if (const Expr *Stored = lastStoreBefore(Source, Write, Function, *SM))
    return payloadOf(Stored, Write, Function, Depth - 1); // auto buf = net::buffer(bytes);
  return {};
}

} // namespace clang::tidy::errorshield
