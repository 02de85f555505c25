//===--- OwnerFacts.cpp - What each owner does to its streams ------------===//
//
// The facts a WebSocket check collects per stream owner (a limit set, a timeout configured), the
// streams handed to helpers whose parameters gather facts of their own, and the configurators
// whose code is not known. Declared in StreamModel.h.
//
//===----------------------------------------------------------------------===//

#include "websocket/StreamModel.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::errorshield::ws {

void OwnerFacts::addFor(const Expr *Object, StringRef Fact) {
  if (std::optional<ObjectKey> Key = ownedObject(Object))
    add(*Key, Fact);
  else if (auto Param = referenceParameter(Object))
    ParameterFacts.insert({*Param, Fact.str()});
}

void OwnerFacts::addPasses(const CallExpr *Call, const std::vector<std::string> &StreamTypes) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Callee);
  // A configurator whose code is not known here: a std::function or functor object, a function
  // pointer (`stream_setup setup; setup(ws);`). What it sets is unknown, so nothing is missing.
  const bool ThroughPointer = !Callee && !Op && !Call->isInstantiationDependent() &&
                              Call->getCallee()->getType()->isPointerType(); // not a dependent call
  if (ThroughPointer ||
      (Op && Op->getOperator() == OO_Call && Method && !Method->getParent()->isLambda())) {
    for (const Expr *Arg : Call->arguments())
      if (isTypeNamed(Arg->IgnoreParenImpCasts()->getType(), StreamTypes))
        if (std::optional<ObjectKey> Key = ownedObject(Arg->IgnoreParenImpCasts()))
          Opaque.insert(*Key);
    return;
  }
  for (const auto &[Key, Param] : handedStreams(Call, StreamTypes))
    Passes.insert({Key, Param});
}

std::vector<std::pair<ObjectKey, OwnerFacts::Parameter>>
OwnerFacts::handedStreams(const CallExpr *Call, const std::vector<std::string> &StreamTypes) {
  std::vector<std::pair<ObjectKey, Parameter>> Handed;
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || isa<CXXOperatorCallExpr>(Call))
    return Handed;
  const FunctionDecl *Helper = outerFunction(Callee);
  // A member call's arguments start after the object; a static or free call's at 0.
  for (unsigned I = 0; I < Call->getNumArgs(); ++I) {
    const Expr *Arg = Call->getArg(I)->IgnoreParenImpCasts();
    if (const auto *AddressOf = dyn_cast<UnaryOperator>(Arg);
        AddressOf && AddressOf->getOpcode() == UO_AddrOf) // setup(&ws_)
      Arg = AddressOf->getSubExpr();
    if (isTypeNamed(Arg->getType(), StreamTypes))
      if (std::optional<ObjectKey> Key = ownedObject(Arg))
        Handed.push_back({*Key, {Helper, I}});
  }
  return Handed;
}

std::vector<ObjectKey> OwnerFacts::passedToParameter(const FunctionDecl *F, unsigned Index) const {
  std::vector<ObjectKey> Streams;
  for (const auto &[Key, Param] : Passes)
    if (Param.first && Param.second == Index &&
        functionAsWritten(Param.first) == functionAsWritten(F))
      Streams.push_back(Key);
  return Streams;
}

bool OwnerFacts::passedTo(const ObjectKey &K,
                          llvm::function_ref<bool(const FunctionDecl *)> Matches) const {
  for (auto It = Passes.lower_bound({K, {nullptr, 0}}); It != Passes.end() && It->first == K; ++It)
    if (It->second.first && Matches(It->second.first))
      return true;
  return false;
}

bool OwnerFacts::has(const ObjectKey &K, StringRef Fact) const {
  if (Facts.count({K, Fact.str()}) || Opaque.count(K))
    return true;
  for (auto It = Passes.lower_bound({K, {nullptr, 0}}); It != Passes.end() && It->first == K; ++It)
    if (ParameterFacts.count({It->second, Fact.str()}))
      return true;
  return false;
}

std::vector<ObjectKey> OwnerFacts::passedWithFact(const CallExpr *Call,
                                                  const std::vector<std::string> &StreamTypes,
                                                  StringRef Fact) const {
  std::vector<ObjectKey> Streams;
  for (const auto &[Key, Param] : handedStreams(Call, StreamTypes))
    if (ParameterFacts.count({Param, Fact.str()}))
      Streams.push_back(Key);
  return Streams;
}

bool OwnerFacts::hasOwnOnly(const ObjectKey &K, StringRef Fact) const {
  if (!Facts.count({K, Fact.str()}) || Opaque.count(K))
    return false;
  for (auto It = Passes.lower_bound({K, {nullptr, 0}}); It != Passes.end() && It->first == K; ++It)
    if (ParameterFacts.count({It->second, Fact.str()}))
      return false;
  return true;
}

void OwnerFacts::clear() {
  Facts.clear();
  Opaque.clear();
  ParameterFacts.clear();
  Passes.clear();
}

} // namespace clang::tidy::errorshield::ws
