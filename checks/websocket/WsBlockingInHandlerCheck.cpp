//===--- WsBlockingInHandlerCheck.cpp - errorshield-ws-blocking-in-handler ---===//

#include "websocket/WsBlockingInHandlerCheck.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "clang/AST/DeclTemplate.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

namespace {
AST_MATCHER_P(CallExpr, isInitiatingCall, std::string, Prefix) {
  return asio::isInitiatingCall(&Node, Prefix);
}
} // namespace

WsBlockingInHandlerCheck::WsBlockingInHandlerCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), AsyncPrefix(stringOption("AsyncPrefix")),
      BindFunctions(listOption("BindFunctions")), AsioNamespaces(listOption("AsioNamespaces")),
      SyncOperations(listOption("SyncOperations")),
      BlockingFunctions(listOption("BlockingFunctions")),
      HelperDepth(static_cast<unsigned>(unsignedOption("HelperDepth", 2))) {}

void WsBlockingInHandlerCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "AsyncPrefix", AsyncPrefix);
  storeList(Opts, "BindFunctions", BindFunctions);
  storeList(Opts, "AsioNamespaces", AsioNamespaces);
  storeList(Opts, "SyncOperations", SyncOperations);
  storeList(Opts, "BlockingFunctions", BlockingFunctions);
  Options.store(Opts, "HelperDepth", std::to_string(HelperDepth));
}

void WsBlockingInHandlerCheck::registerCheckMatchers(MatchFinder *Finder) {
  Finder->addMatcher(
      callExpr(isInitiatingCall(AsyncPrefix), unless(isExpansionInSystemHeader())).bind("async"),
      this);
}

/// The class (or class template) whose member \p C calls, resolved or not.
static const CXXRecordDecl *calledClass(const CallExpr *C) {
  std::optional<ws::StreamCall> Member = ws::asMemberCall(C);
  if (!Member)
    return nullptr;
  if (Member->MethodClass)
    return Member->MethodClass;
  const NamedDecl *Type = ws::namedTypeDecl(Member->ObjectType);
  if (const auto *Template = dyn_cast_or_null<ClassTemplateDecl>(Type))
    return Template->getTemplatedDecl();
  return dyn_cast_or_null<CXXRecordDecl>(Type);
}

/// True when \p Record (or a base) declares \p Name: the asynchronous twin of a sync operation.
static bool declaresMember(const CXXRecordDecl *Record, StringRef Name, unsigned Depth = 0) {
  if (!Record || Depth > 8)
    return false;
  const DeclarationName Wanted(&Record->getASTContext().Idents.get(Name));
  if (!Record->lookup(Wanted).empty())
    return true;
  if (!Record->hasDefinition())
    return false;
  return llvm::any_of(Record->bases(), [&](const CXXBaseSpecifier &Base) {
    return declaresMember(Base.getType()->getAsCXXRecordDecl(), Name, Depth + 1);
  });
}

std::string WsBlockingInHandlerCheck::syncAsioOperation(const CallExpr *C) const {
  const std::string Name = calleeName(C);
  if (Name.empty() || !llvm::is_contained(SyncOperations, Name))
    return {};
  const std::string Twin = AsyncPrefix + Name;
  // A member operation: the object's class belongs to Asio/Beast and offers the async form
  // (websocket::stream::write has async_write; basic_socket::close has no async_close).
  if (const CXXRecordDecl *Class = calledClass(C))
    return isInListedNamespace(Class, AsioNamespaces) && declaresMember(Class, Twin)
               ? (Class->getName() + "::" + Name).str()
               : std::string();
  // A free operation (net::write, http::read): its namespace declares the async form too.
  for (const FunctionDecl *F : calleeCandidates(C)) {
    const DeclContext *Scope = F->getDeclContext()->getRedeclContext();
    if (!isa<CXXRecordDecl>(Scope) && isInListedNamespace(F, AsioNamespaces) &&
        !Scope->getPrimaryContext()
             ->lookup(DeclarationName(&F->getASTContext().Idents.get(Twin)))
             .empty())
      return F->getQualifiedNameAsString();
  }
  return {};
}

std::string WsBlockingInHandlerCheck::blockingName(const CallExpr *C) const {
  if (std::string Operation = syncAsioOperation(C); !Operation.empty())
    return Operation;
  return listedCallName(C, BlockingFunctions);
}

void WsBlockingInHandlerCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Initiating = Result.Nodes.getNodeAs<CallExpr>("async");
  for (const asio::CompletionHandler &H : asio::completionHandlers(Initiating, BindFunctions)) {
    if (!H.Body)
      continue;
    llvm::SmallPtrSet<const FunctionDecl *, 8> Seen;
    scan({H.Function, H.Body, 0, ""}, Initiating, *Result.SourceManager, Seen);
  }
}

void WsBlockingInHandlerCheck::scan(const Frame &F, const CallExpr *Initiating,
                                    const SourceManager &SM,
                                    llvm::SmallPtrSetImpl<const FunctionDecl *> &Seen) {
  if (F.Function && !Seen.insert(F.Function->getCanonicalDecl()).second)
    return;
  // Lambdas inside the handler are not part of it: they run wherever they are posted (a
  // thread pool) or are handlers of their own initiating calls, matched separately.
  findDescendant(F.Body, [&](const Stmt *S) {
    const auto *C = dyn_cast<CallExpr>(S);
    if (!C)
      return false;
    if (std::string Name = blockingName(C); !Name.empty()) {
      const SourceLocation Loc = SM.getExpansionLoc(C->getExprLoc());
      if (!firstReportAt(Loc))
        return false;
      report(Loc, "'%0' blocks the I/O thread inside a completion handler: every connection served "
                  "by this thread waits until it returns")
          << Name;
      if (!F.Via.empty())
        diag(Loc, "reached from the completion handler through a call to '%0'", DiagnosticIDs::Note)
            << F.Via;
      diag(SM.getExpansionLoc(Initiating->getExprLoc()),
           "the handler runs when '%0' completes; use the asynchronous operation or post the "
           "blocking work to a separate thread pool",
           DiagnosticIDs::Note)
          << calleeName(Initiating);
      return false;
    }
    // Follow the project's own functions the handler calls directly.
    const FunctionDecl *Callee = C->getDirectCallee();
    const FunctionDecl *Definition = nullptr;
    if (F.Depth >= HelperDepth || !Callee || !Callee->hasBody(Definition) ||
        SM.isInSystemHeader(Definition->getLocation()) ||
        asio::isInitiatingCall(C, AsyncPrefix))
      return false;
    scan({Definition, Definition->getBody(), F.Depth + 1,
          F.Via.empty() ? Definition->getNameAsString() : F.Via},
         Initiating, SM, Seen);
    return false;
  }, isNestedCode);
}

} // namespace clang::tidy::errorshield
