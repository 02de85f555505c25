//===--- RequestFlow.cpp - Where an HTTP upgrade request's headers are read ---===//

#include "websocket/RequestFlow.h"
#include "websocket/OriginDecision.h"
#include "websocket/StreamModel.h"
#include "clang/AST/DeclCXX.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::errorshield::ws {

void RequestFlow::addRead(const FunctionDecl *Function, StringRef Header) {
  if (!Function)
    return;
  Reads.insert({Function, Header.str()});
  Seen.insert(Function);
}

void RequestFlow::addPass(const FunctionDecl *Caller, const FunctionDecl *Callee) {
  if (!Caller || !Callee || Caller == Callee)
    return;
  Callees[Caller].insert(Callee);
  Callers[Callee].insert(Caller);
  Seen.insert(Caller);
}

/// A function of the program (not of a library) whose body this translation unit cannot see: what
/// it does with the request is unknown, so it is given the benefit of the doubt. Except when it
/// returns text and its name is not about the header sought (`std::string session_user(req)` for
/// "origin"): it extracts something from the request rather than deciding on it.
static bool isOpaqueUserFunction(const FunctionDecl *F, StringRef Header) {
  if (F->hasBody() || F->isDefaulted())
    return false;
  if (returnsText(F) && !F->getName().contains_insensitive(Header))
    return false;
  const SourceManager &SM = F->getASTContext().getSourceManager();
  return !SM.isInSystemHeader(F->getLocation());
}

bool RequestFlow::readsDown(const FunctionDecl *Function, StringRef Header, unsigned Depth,
                            bool SkipAcceptors) const {
  if (SkipAcceptors && Acceptors.contains(Function))
    return false;
  if (Reads.count({Function, Header.str()}))
    return true;
  auto It = Callees.find(Function);
  if (Depth == 0 || It == Callees.end())
    return false;
  for (const FunctionDecl *Callee : It->second)
    if (isOpaqueUserFunction(Callee, Header) || readsDown(Callee, Header, Depth - 1, SkipAcceptors))
      return true;
  return false;
}

bool RequestFlow::passChecks(const FunctionDecl *Callee, StringRef Header) const {
  return isOpaqueUserFunction(Callee, Header) || readsDown(Callee, Header);
}

bool RequestFlow::readByCaller(const FunctionDecl *Function, StringRef Header,
                               unsigned Depth) const {
  auto It = Callers.find(Function);
  if (Depth == 0 || It == Callers.end())
    return false;
  for (const FunctionDecl *Caller : It->second)
    if (readsDown(Caller, Header, /*Depth=*/4, /*SkipAcceptors=*/true) ||
        readByCaller(Caller, Header, Depth - 1))
      return true;
  return false;
}

bool RequestFlow::readByCallerOfClass(const CXXRecordDecl *Record, StringRef Header) const {
  for (const auto &Entry : Callers)
    if (ownerClass(Entry.first) == Record && readByCaller(Entry.first, Header))
      return true;
  return false;
}

bool RequestFlow::readInClass(const CXXRecordDecl *Record, StringRef Header) const {
  for (const FunctionDecl *F : Seen)
    if (ownerClass(F) == Record && readsDown(F, Header, /*Depth=*/4, /*SkipAcceptors=*/true))
      return true;
  return false;
}

void RequestFlow::clear() {
  Reads.clear();
  Callees.clear();
  Callers.clear();
  Seen.clear();
  Acceptors.clear();
}

} // namespace clang::tidy::errorshield::ws
