//===--- WsHandshakeOriginCheck.h - errorshield-ws-handshake-origin *- C++ -*-===//

#ifndef ERRORSHIELD_WEBSOCKET_WSHANDSHAKEORIGINCHECK_H
#define ERRORSHIELD_WEBSOCKET_WSHANDSHAKEORIGINCHECK_H

#include "core/ErrorShieldCheck.h"
#include "websocket/OriginDecision.h"
#include "websocket/RequestFlow.h"
#include "websocket/StreamModel.h"

namespace clang::tidy::errorshield {

/// Finds WebSocket handshakes accepted without an Origin check (cross-site WebSocket hijacking):
/// accept() without a request, accept(req) where the request's Origin is never read, and a fixed
/// Sec-WebSocket-Protocol answer that was never negotiated. Where the request's headers are read is
/// known only at the end of the translation unit, so accepts are judged there.
///
/// For the user-facing documentation see: docs/checks/errorshield-ws-handshake-origin.md
class WsHandshakeOriginCheck : public ErrorShieldCheck {
public:
  WsHandshakeOriginCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  void collectAccept(const CallExpr *Call, const FunctionDecl *Function, const SourceManager &SM);
  void collectHeaderUse(const Expr *Header, StringRef Which, ASTContext &Context,
                        const FunctionDecl *Function);
  void collectRequestPass(const CallExpr *Call, const FunctionDecl *Function, ASTContext &Ctx);
  bool accessesRequest(const Expr *Access) const;
  bool ownerReads(const ws::ObjectKey &Stream, const FunctionDecl *Function,
                  StringRef Header) const;

  const std::vector<std::string> StreamTypes;
  const std::vector<std::string> AcceptMethods;
  const std::vector<std::string> RequestTypes;
  const std::vector<std::string> HeaderWriteMethods;
  const std::vector<std::string> OriginFields;
  const std::vector<std::string> OriginHeaderNames;
  const std::vector<std::string> SubprotocolFields;
  const std::vector<std::string> SubprotocolHeaderNames;
  const std::vector<std::string> ObjectFactories;
  const ws::OriginNames Names{AcceptMethods, RequestTypes};

  struct Accept {
    const CallExpr *Call;
    SourceLocation Loc;
    std::string Method;
    ws::ObjectKey Stream;
    const FunctionDecl *Function;
    bool HasRequest;
    /// Judged only where a caller is seen: the request is a parameter of a function defined in a
    /// header (callers in other translation units may have checked it), or the stream is handed
    /// in with the request (`finish_upgrade(ws, req)`), by callers that may have checked it.
    bool NeedsCaller;
  };
  struct FixedSubprotocol {
    SourceLocation Loc;
    std::string Value;
    const FunctionDecl *Function;
  };
  std::vector<Accept> Accepts;
  /// True when \p A's own function checks Origin only where it cannot guard the accept: no caller
  /// that checks, and every read of Origin (or call of a function that reads it) in the function
  /// after the accept or in another branch of an `if`. Another member of the stream's class that
  /// checks is trusted to run first only when the accepting function makes no check of its own:
  /// one that does is the place of the check, and an accept it reaches unchecked is unguarded.
  bool checkedOnlyAfter(const Accept &A) const;
  /// Calls of an Origin accessor, or of a function that checks Origin (`if (!origin_ok())`), that
  /// decide on its answer are that caller's Origin reads.
  void addCalledReads();
  /// Functions that return the Origin header instead of checking it, and calls of the functions
  /// of this code (which may be those, or checks).
  llvm::SmallPtrSet<const FunctionDecl *, 4> OriginAccessors;
  struct UserCall {
    const FunctionDecl *Caller, *Callee;
    const CallExpr *Call;
  };
  std::vector<UserCall> UserCalls;
  ASTContext *Ctx = nullptr;
  /// Where each function reads Origin, and hands the request to another function.
  std::vector<std::pair<const FunctionDecl *, SourceLocation>> OriginReadsAt;
  struct PassAt {
    const FunctionDecl *Caller, *Callee;
    SourceLocation Loc;
  };
  std::vector<PassAt> PassesAt;
  std::vector<FixedSubprotocol> Answers;
  ws::RequestFlow Flow;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_WEBSOCKET_WSHANDSHAKEORIGINCHECK_H
