//===--- RequestFlow.h - Where an HTTP upgrade request's headers are read -*- C++ -*-===//
//
// errorshield-ws-handshake-origin accepts an Origin check made anywhere the request travels within
// the translation unit: in the owner of the stream, in a function the owner passes the request to,
// or in a function that passes the request to the one that accepts it.
//
//===----------------------------------------------------------------------===//

#ifndef ERRORSHIELD_WEBSOCKET_REQUESTFLOW_H
#define ERRORSHIELD_WEBSOCKET_REQUESTFLOW_H

#include "clang/AST/Decl.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringRef.h"
#include <set>
#include <string>
#include <vector>

namespace clang::tidy::errorshield::ws {

class RequestFlow {
public:
  /// \p Function (an outerFunction()) reads the header \p Header ("origin", "subprotocol").
  void addRead(const FunctionDecl *Function, llvm::StringRef Header);
  /// \p Caller passes a request to \p Callee (both outerFunction()s, or a declaration).
  void addPass(const FunctionDecl *Caller, const FunctionDecl *Callee);
  /// \p Function accepts a WebSocket handshake.
  void addAcceptor(const FunctionDecl *Function) { Acceptors.insert(Function); }

  /// True when \p Function reads \p Header itself, or passes the request to a function that does
  /// (a function whose body is not in this translation unit is assumed to). With \p SkipAcceptors,
  /// functions that accept a handshake themselves do not count: a router that hands requests to
  /// several sessions does not check Origin for all of them because one session does.
  bool readsDown(const FunctionDecl *Function, llvm::StringRef Header, unsigned Depth = 4,
                 bool SkipAcceptors = false) const;
  /// True when handing the request to \p Callee checks \p Header: it reads it down, or its body
  /// is not seen here (given the benefit of the doubt).
  bool passChecks(const FunctionDecl *Callee, llvm::StringRef Header) const;
  /// True when a function that passes the request to \p Function reads \p Header before (or
  /// after: order is not tracked) doing so, itself, through a helper, or through its own callers.
  bool readByCaller(const FunctionDecl *Function, llvm::StringRef Header, unsigned Depth = 4) const;
  /// True when some function of this translation unit passes a request to \p Function.
  bool hasCaller(const FunctionDecl *Function) const { return Callers.count(Function) != 0; }
  /// True when a caller of any member function or constructor of \p Record reads \p Header:
  /// the request may have been handed to the object before the function that accepts it runs.
  bool readByCallerOfClass(const CXXRecordDecl *Record, llvm::StringRef Header) const;
  /// True when any member function of \p Record seen in the translation unit reads \p Header down.
  bool readInClass(const CXXRecordDecl *Record, llvm::StringRef Header) const;

  void clear();

private:
  std::set<std::pair<const FunctionDecl *, std::string>> Reads;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallPtrSet<const FunctionDecl *, 4>> Callees;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallPtrSet<const FunctionDecl *, 4>> Callers;
  llvm::SmallPtrSet<const FunctionDecl *, 16> Seen;
  llvm::SmallPtrSet<const FunctionDecl *, 8> Acceptors;
};

} // namespace clang::tidy::errorshield::ws

#endif // ERRORSHIELD_WEBSOCKET_REQUESTFLOW_H
