//===--- StreamModel.h - What the WebSocket checks know about a stream -*- C++ -*-===//
//
// The WebSocket checks judge a call on a stream by what its *owner* does elsewhere: for a local
// stream, the function that declares it; for a data member, every member function of its class; for
// a stream reached through a reference parameter (or anything else), nothing is known and nothing is
// flagged. Calls are recognised both resolved (template instantiations, ordinary code) and unresolved
// (template patterns that are never instantiated), so facts and findings are keyed by the template
// pattern of the owner, and a finding seen in both forms is reported once.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_STREAMMODEL_H
#define ERRORSHIELD_WEBSOCKET_STREAMMODEL_H

#include "clang/AST/ExprCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include <optional>
#include <tuple>
#include <set>
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

/// The class or class template \p T designates (references stripped; alias templates and dependent
/// specializations like `websocket::stream<Next>` included), or null.
const NamedDecl *namedTypeDecl(QualType T);

/// True when namedTypeDecl(T) has one of \p Names (core hasListedQualifiedName: a name matches
/// the end of the qualified name, inline namespaces skipped).
bool isTypeNamed(QualType T, const std::vector<std::string> &Names);

/// A call of a member function on an object of one of the stream types.
struct StreamCall {
  const CallExpr *Call = nullptr;
  const Expr *Object = nullptr; ///< The stream expression (may be `*p`, `p->`, a smart pointer).
  std::string Method;
  SourceLocation Loc; ///< The member name: where findings about the call are reported.
  llvm::ArrayRef<const Expr *> Args;
  /// The class the member function belongs to (resolved calls), or the object's type as written
  /// (unresolved calls in templates, `->` looked through).
  const CXXRecordDecl *MethodClass = nullptr;
  QualType ObjectType;
};

/// \p C as a call on a stream, whether resolved or not.
std::optional<StreamCall> asStreamCall(const CallExpr *C, const std::vector<std::string> &StreamTypes);

/// Looks through `*p`, `p->` (built-in or overloaded) to the expression naming the owner's object.
const Expr *throughPointers(const Expr *E);

/// The member name and object of any member call, resolved or not (for non-stream objects such as
/// requests, buffers and headers).
std::optional<StreamCall> asMemberCall(const CallExpr *C);

/// Where a finding about a call is shown: the called name (`ws_.write` at `write`, `enqueue(...)`
/// at `enqueue`), else the call's start.
SourceLocation calleeLoc(const CallExpr *Call);

/// A stream (or any object) as its owner sees it: the owner is a canonical FunctionDecl for a local,
/// a canonical CXXRecordDecl for a data member, both the template pattern when there is one.
struct ObjectKey {
  const Decl *Owner = nullptr;
  std::string Name;
  /// Tells apart two locals of one function that share a name (the declaration's location, the
  /// same in a template and its instantiations); 0 for data members.
  SourceLocation::UIntTy Declared = 0;
  bool operator<(const ObjectKey &O) const {
    return std::tie(Owner, Name, Declared) < std::tie(O.Owner, O.Name, O.Declared);
  }
  bool operator==(const ObjectKey &O) const {
    return Owner == O.Owner && Name == O.Name && Declared == O.Declared;
  }
};

/// The owner-relative identity of the object \p E designates, looking through `*p`, `p->` and
/// smart pointers. None for reference parameters, references and globals.
std::optional<ObjectKey> ownedObject(const Expr *E);

/// The key of the local variable \p Var in the function that owns it (lambdas belong to the
/// function around them); none outside a function.
std::optional<ObjectKey> localKey(const VarDecl *Var);

/// For a stream the function does not own (a reference or pointer parameter, a local reference),
/// a key for what that function itself does with it; none for owned objects and globals.
std::optional<ObjectKey> borrowedObject(const Expr *E);

/// ownedObject(\p E), else borrowedObject(\p E): the key under which a check records what is
/// done to a stream, whoever owns it. \p Borrowed, when given, tells which of the two it is.
std::optional<ObjectKey> ownedOrBorrowedObject(const Expr *E, bool *Borrowed = nullptr);

/// \p F as written: the template pattern for an instantiation; canonical.
const FunctionDecl *functionAsWritten(const FunctionDecl *F);

/// The function whose body contains \p D's code: lambdas are part of the function that spells them.
/// The template pattern is returned for instantiations; canonical.
const FunctionDecl *outerFunction(const DeclContext *D);

/// The class whose member functions together own a data member of \p F's class (the pattern of a
/// template specialization); null when \p F is not a member function. Canonical.
const CXXRecordDecl *ownerClass(const FunctionDecl *F);

/// True when \p E (conversions stripped) is a string literal equal to one of \p Names, ignoring case.
bool isStringNamed(const Expr *E, const std::vector<std::string> &Names);

/// True when \p E (conversions stripped) names one of the enumerators \p Names
/// (hasListedQualifiedName).
bool isEnumeratorNamed(const Expr *E, const std::vector<std::string> &Names);

/// The reference (or pointer) parameter \p E designates, as (function pattern, parameter index).
std::optional<std::pair<const FunctionDecl *, unsigned>> referenceParameter(const Expr *E);

/// True when \p K is a data member whose class has a member function (or constructor) declared
/// here but defined in another translation unit: what that function does to the stream is unknown,
/// so a fact about the owner ("never sets a timeout") cannot be established in this one.
bool ownerHasUnseenMember(const ObjectKey &K);

/// True when \p K may have been configured by code its owner does not show: the owner has an
/// unseen member function, or receives the stream already made (a by-value parameter, or a data
/// member a constructor builds from another stream that the caller may have configured).
bool mayBeConfiguredElsewhere(const ObjectKey &K);

/// Facts established about streams: (stream, fact) pairs, e.g. (ws_ of session, "limit"). A fact
/// set by a helper on its reference parameter (`setup(ws_)` calling `ws.read_message_max(n)`) is
/// a fact about every owned stream passed to that helper.
class OwnerFacts {
public:
  /// Records the fact for the call's object: an owned stream, or a helper's reference parameter.
  void addFor(const Expr *Object, llvm::StringRef Fact);
  void add(const ObjectKey &K, llvm::StringRef Fact) { Facts.insert({K, Fact.str()}); }
  /// Records that \p Call passes owned streams (arguments of \p StreamTypes, or their addresses)
  /// to its callee; a callee whose code is unknown (a std::function, a function pointer) may
  /// establish any fact.
  void addPasses(const CallExpr *Call, const std::vector<std::string> &StreamTypes);
  bool has(const ObjectKey &K, llvm::StringRef Fact) const;
  /// True when the fact comes from the owner's own calls only: no helper it is passed to, and no
  /// unknown code, may have established it too.
  bool hasOwnOnly(const ObjectKey &K, llvm::StringRef Fact) const;
  /// The owned streams \p Call passes to a parameter of its callee that has \p Fact
  /// (`read_next(ws_, buf)` where read_next reads its parameter), with the call.
  std::vector<ObjectKey> passedWithFact(const CallExpr *Call,
                                        const std::vector<std::string> &StreamTypes,
                                        llvm::StringRef Fact) const;
  /// The owned streams handed to parameter \p Index of \p F (the function as written: a call
  /// of any of a template's instantiations counts).
  std::vector<ObjectKey> passedToParameter(const FunctionDecl *F, unsigned Index) const;
  /// True when \p K is handed to code not known here (a std::function, a function pointer).
  bool lentToUnknownCode(const ObjectKey &K) const { return Opaque.count(K) != 0; }
  /// True when \p K is passed to a function for which \p Matches holds.
  bool passedTo(const ObjectKey &K,
                llvm::function_ref<bool(const FunctionDecl *)> Matches) const;
  void clear();

private:
  using Parameter = std::pair<const FunctionDecl *, unsigned>;
  /// The owned streams (of \p StreamTypes, or their addresses) \p Call hands to its callee,
  /// each with the parameter it binds to.
  static std::vector<std::pair<ObjectKey, Parameter>>
  handedStreams(const CallExpr *Call, const std::vector<std::string> &StreamTypes);
  std::set<std::pair<ObjectKey, std::string>> Facts;
  std::set<std::pair<Parameter, std::string>> ParameterFacts;
  /// Owned stream -> helper parameters it is passed to.
  std::set<std::pair<ObjectKey, Parameter>> Passes;
  /// Owned streams handed to code not seen here (a std::function, a function pointer): any fact.
  std::set<ObjectKey> Opaque;
};

} // namespace clang::tidy::errorshield::ws

namespace clang::tidy::errorshield::ws::matchers {

/// A call of one of \p Methods on an object of one of \p StreamTypes (resolved or not).
AST_MATCHER_P2(CallExpr, streamMethodCall, std::vector<std::string>, StreamTypes,
               std::vector<std::string>, Methods) {
  std::optional<StreamCall> Call = asStreamCall(&Node, StreamTypes);
  return Call && llvm::is_contained(Methods, Call->Method);
}

/// A wrapper that holds a stream of one of \p StreamTypes in place, to be re-created:
/// `std::optional<stream>`, `std::unique_ptr<stream>`.
AST_MATCHER_P(QualType, holdsStream, std::vector<std::string>, StreamTypes) {
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      Node.getNonReferenceType()->getAsCXXRecordDecl());
  if (!Spec || Spec->getTemplateArgs().size() == 0)
    return false;
  const TemplateArgument &Held = Spec->getTemplateArgs()[0];
  return Held.getKind() == TemplateArgument::Type && isTypeNamed(Held.getAsType(), StreamTypes);
}

/// A call or construction with an argument of one of \p Types, or a pointer to one (a stream
/// handed to a helper, a request passed on).
AST_POLYMORPHIC_MATCHER_P(hasArgumentOfType,
                          AST_POLYMORPHIC_SUPPORTED_TYPES(CallExpr, CXXConstructExpr),
                          std::vector<std::string>, Types) {
  return llvm::any_of(Node.arguments(), [&](const Expr *Arg) {
    QualType T = Arg->getType();
    return isTypeNamed(T->isPointerType() ? T->getPointeeType() : T, Types);
  });
}

} // namespace clang::tidy::errorshield::ws::matchers

#endif // ERRORSHIELD_WEBSOCKET_STREAMMODEL_H
