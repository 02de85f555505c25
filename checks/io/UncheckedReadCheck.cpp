//===--- UncheckedReadCheck.cpp - errorshield-unchecked-read --------------===//
//
// Three matchers, one per kind of read: C/POSIX calls returning a count, Asio/Beast synchronous
// operations with an error_code out-parameter, and asynchronous reads with a completion handler.
// The data-flow questions are answered in ReadResultAnalysis.cpp and ErrorCodeFlow.cpp.
//
//===----------------------------------------------------------------------===//

#include "io/UncheckedReadCheck.h"
#include "core/Matchers.h"
#include "io/EofLoop.h"
#include "io/ReadAnalysis.h"
#include "clang/Lex/Lexer.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {
namespace {

/// A function declared in one of \p Namespaces (or a class inside one).
AST_MATCHER_P(FunctionDecl, isInNamespaces, std::vector<std::string>, Namespaces) {
  std::string Qualified = Node.getQualifiedNameAsString();
  return llvm::any_of(Namespaces, [&](const std::string &NS) {
    return StringRef(Qualified).starts_with(StringRef(NS).ltrim(':').str() + "::");
  });
}

/// Where a diagnostic about a call goes: the called name (`async_read` in `ws_.async_read(...)`).
SourceLocation calledNameLoc(const CallExpr *Call) {
  if (isa<CXXMemberCallExpr>(Call))
    return Call->getExprLoc();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(Call->getCallee()->IgnoreImplicit()))
    return Ref->getLocation();
  return Call->getBeginLoc();
}

/// A handler returns void: declared so, or a generic lambda (return type not yet deduced) that
/// never returns a value.
bool returnsVoid(const FunctionDecl *Handler) {
  QualType Result = Handler->getReturnType();
  if (Result->isVoidType())
    return true;
  if (!Result->getContainedAutoType()) // `auto`, deduced or not, in a generic lambda
    return false;
  const Stmt *ValueReturn = findDescendant(
      Handler->getBody(),
      [](const Stmt *S) {
        const auto *Return = dyn_cast<ReturnStmt>(S);
        return Return && Return->getRetValue();
      },
      [](const Stmt *S) { return isa<LambdaExpr>(S); });
  return !ValueReturn;
}

/// \p Call's callee is one of \p Names, written unqualified or fully qualified.
bool calleeIsListed(const CallExpr *Call, const std::vector<std::string> &Names) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  std::string Qualified = Callee->getQualifiedNameAsString();
  return llvm::any_of(Names, [&](const std::string &Name) {
    StringRef N = StringRef(Name).ltrim(':');
    return N == Qualified;
  });
}

std::vector<std::string> globalNames(const std::vector<std::string> &Names) {
  std::vector<std::string> Global;
  for (const std::string &Name : Names)
    Global.push_back("::" + StringRef(Name).ltrim(':').str());
  return Global;
}

} // namespace

UncheckedReadCheck::UncheckedReadCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), ReadFunctions(listOption("ReadFunctions")),
      ZeroMeansEndFunctions(listOption("ZeroMeansEndFunctions")),
      ShortReadFunctions(listOption("ShortReadFunctions")), IoNamespaces(listOption("IoNamespaces")),
      ErrorCodeTypes(listOption("ErrorCodeTypes")),
      SyncReadOperations(listOption("SyncReadOperations")),
      AsyncReadOperations(listOption("AsyncReadOperations")),
      AnyReadOperations(concat(SyncReadOperations, AsyncReadOperations)),
      HandlerBinders(listOption("HandlerBinders")), HandlerWrappers(listOption("HandlerWrappers")),
      RearmAfterErrorOperations(listOption("RearmAfterErrorOperations")),
      IstreamTypes(listOption("IstreamTypes")),
      IstreamReadMethods(listOption("IstreamReadMethods")),
      IstreamBufferReads(listOption("IstreamBufferReads")) {}

void UncheckedReadCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "ReadFunctions", ReadFunctions);
  storeList(Opts, "ZeroMeansEndFunctions", ZeroMeansEndFunctions);
  storeList(Opts, "ShortReadFunctions", ShortReadFunctions);
  storeList(Opts, "IoNamespaces", IoNamespaces);
  storeList(Opts, "ErrorCodeTypes", ErrorCodeTypes);
  storeList(Opts, "SyncReadOperations", SyncReadOperations);
  storeList(Opts, "AsyncReadOperations", AsyncReadOperations);
  storeList(Opts, "HandlerBinders", HandlerBinders);
  storeList(Opts, "HandlerWrappers", HandlerWrappers);
  storeList(Opts, "RearmAfterErrorOperations", RearmAfterErrorOperations);
  storeList(Opts, "IstreamTypes", IstreamTypes);
  storeList(Opts, "IstreamReadMethods", IstreamReadMethods);
  storeList(Opts, "IstreamBufferReads", IstreamBufferReads);
}

void UncheckedReadCheck::registerCheckMatchers(MatchFinder *Finder) {
  using namespace matchers;
  // Template instantiations are examined (a Session<Stream> is still a session); findings in
  // them are reported once, at the template's code.
  // 1-2. C and POSIX reads, which report errors and end of stream in their result.
  Finder->addMatcher(
      callExpr(callee(functionDecl(hasAnyListedName(globalNames(ReadFunctions)))))
          .bind("result"),
      this);
  // 3. Synchronous Asio/Beast operations that report through an error_code out-parameter.
  const auto ErrorCodeVariable = varDecl(hasType(hasUnqualifiedDesugaredType(
      recordType(hasDeclaration(cxxRecordDecl(hasAnyListedName(ErrorCodeTypes)))))));
  Finder->addMatcher(
      callExpr(callee(functionDecl(hasAnyListedName(SyncReadOperations),
                                   isInNamespaces(IoNamespaces))),
               hasAnyArgument(ignoringParenImpCasts(declRefExpr(to(ErrorCodeVariable.bind("ec"))))),
               unless(isExpansionInSystemHeader()))
          .bind("sync"),
      this);
  // 3b. Asynchronous reads in a stackful coroutine given `yield[ec]`: they return when complete,
  //     with the outcome in `ec`, like a synchronous read.
  const auto YieldWithErrorCode = cxxOperatorCallExpr(
      hasOverloadedOperatorName("[]"),
      hasArgument(0, hasType(hasUnqualifiedDesugaredType(recordType(
                         hasDeclaration(cxxRecordDecl(hasName("basic_yield_context"))))))),
      hasArgument(1, ignoringParenImpCasts(declRefExpr(to(ErrorCodeVariable.bind("ec"))))));
  Finder->addMatcher(
      callExpr(callee(functionDecl(hasAnyListedName(AsyncReadOperations),
                                   isInNamespaces(IoNamespaces))),
               hasAnyArgument(ignoringImplicit(YieldWithErrorCode)),
               unless(isExpansionInSystemHeader()))
          .bind("sync"),
      this);
  // 4. Asynchronous reads: the outcome arrives in the completion handler.
  Finder->addMatcher(callExpr(callee(functionDecl(hasAnyListedName(AsyncReadOperations),
                                                  isInNamespaces(IoNamespaces))),
                              unless(isExpansionInSystemHeader()))
                         .bind("async"),
                     this);
  // 5. Input streams read in a loop that asks eof() first: `while (!in.eof()) in.read(...)`.
  const auto Istream = expr(hasType(hasUnqualifiedDesugaredType(recordType(hasDeclaration(
      cxxRecordDecl(isSameOrDerivedFrom(cxxRecordDecl(hasAnyListedName(IstreamTypes)))))))));
  const auto StreamName = ignoringParenImpCasts(
      anyOf(declRefExpr(to(valueDecl().bind("stream"))), memberExpr(member(valueDecl().bind("stream")))));
  const auto NotEof = ignoringParenImpCasts(unaryOperator(
      hasOperatorName("!"),
      hasUnaryOperand(ignoringParenImpCasts(cxxMemberCallExpr(
          callee(cxxMethodDecl(hasName("eof"))), on(expr(Istream, StreamName)))))));
  Finder->addMatcher(stmt(anyOf(whileStmt(hasCondition(NotEof)), forStmt(hasCondition(NotEof))),
                          unless(isExpansionInSystemHeader()))
                         .bind("eof-loop"),
                     this);
  // 5b. ... or in an endless loop (`for (;;)`, `while (true)`) that leaves only on the data read.
  const auto StreamRead =
      expr(anyOf(cxxMemberCallExpr(callee(cxxMethodDecl(hasAnyListedName(IstreamReadMethods))),
                                   on(expr(Istream, StreamName))),
                 // std::getline(in, line), operator>>(in, x) as a free function
                 callExpr(callee(functionDecl(hasAnyListedName(IstreamReadMethods))),
                          hasArgument(0, expr(Istream, StreamName)))));
  const auto True = ignoringParenImpCasts(cxxBoolLiteral(equals(true)));
  Finder->addMatcher(stmt(anyOf(forStmt(unless(hasCondition(expr()))), forStmt(hasCondition(True)),
                                whileStmt(hasCondition(True))),
                          hasDescendant(StreamRead), unless(isExpansionInSystemHeader()))
                         .bind("endless-loop"),
                     this);
  // 6. A stream read into a buffer whose state is not tested where it is made
  //    (`in.read(buf, n);` as a statement): is the buffer used before the stream is tested?
  Finder->addMatcher(
      cxxMemberCallExpr(callee(cxxMethodDecl(hasAnyListedName(IstreamBufferReads))),
                        on(expr(Istream, ignoringParenImpCasts(
                                             declRefExpr(to(varDecl().bind("read-stream")))))),
                        unless(isExpansionInSystemHeader()))
          .bind("istream-read"),
      this);
}

void UncheckedReadCheck::check(const MatchFinder::MatchResult &Result) {
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("result"))
    checkResultOfCall(Call, *Result.Context);
  else if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("sync"))
    checkErrorCodeOverload(Call, Result.Nodes.getNodeAs<VarDecl>("ec"), *Result.Context);
  else if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("async"))
    checkCompletionHandler(Call, *Result.Context);
  else if (const auto *Read = Result.Nodes.getNodeAs<CXXMemberCallExpr>("istream-read"))
    checkIstreamBufferRead(Read, Result.Nodes.getNodeAs<VarDecl>("read-stream"), *Result.Context);
  else if (const auto *Loop = Result.Nodes.getNodeAs<Stmt>("eof-loop"))
    checkIstreamLoop(Loop, Result.Nodes.getNodeAs<ValueDecl>("stream"), /*Endless=*/false,
                     *Result.SourceManager);
  else if (const auto *Loop = Result.Nodes.getNodeAs<Stmt>("endless-loop"))
    checkIstreamLoop(Loop, Result.Nodes.getNodeAs<ValueDecl>("stream"), /*Endless=*/true,
                     *Result.SourceManager);
}

void UncheckedReadCheck::checkIstreamLoop(const Stmt *Loop, const ValueDecl *Stream, bool Endless,
                                          const SourceManager &SM) {
  // A stream made afresh in each iteration (`std::istream is(&buf);` in the body) takes no end of
  // input into the next one: what feeds the loop, a socket read, is judged on its own.
  if (Endless && isa<VarDecl>(Stream) &&
      SM.isPointWithin(Stream->getLocation(), Loop->getBeginLoc(), Loop->getEndLoc()))
    return;
  for (const Expr *Read : readsUncheckedInEofLoop(Loop, Stream, IstreamReadMethods)) {
    const SourceLocation Loc = SM.getExpansionLoc(Read->getExprLoc());
    if (firstReportAt(Loc))
      report(Loc, "read of '%0' in %select{a loop that tests eof() before reading: the read that "
                  "reaches the end fails, and the loop goes on with the previous data|an endless "
                  "loop that never tests the stream: at the end every read fails, and the loop "
                  "goes on with the previous data}1")
          << Stream->getName() << Endless;
  }
}

void UncheckedReadCheck::checkIstreamBufferRead(const CXXMemberCallExpr *Read,
                                                const VarDecl *Stream, ASTContext &Ctx) {
  if (!isResultDiscarded(Read, Ctx))
    return; // `if (!in.read(...))`, `while (in.read(...))`: tested where it is made
  // A stream that throws on failure (`in.exceptions(std::ios::failbit)` in this function) needs
  // no test.
  const Stmt *Body = enclosingFunctionBody(Read, Ctx, /*StopAtLambdas=*/true);
  if (!Body || findDescendant(Body, [&](const Stmt *S) {
        const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
        return Call && Call->getNumArgs() > 0 && Call->getMethodDecl() &&
               Call->getMethodDecl()->getName() == "exceptions" &&
               declNamedBy(Call->getImplicitObjectArgument()) == Stream;
      }))
    return;
  std::optional<std::string> Why = streamUsedBeforeTest(Read, Stream, Ctx);
  const SourceLocation Loc = Ctx.getSourceManager().getExpansionLoc(Read->getExprLoc());
  if (Why && firstReportAt(Loc))
    report(Loc, "'%0' of '%1' is not tested %2: a short or failed read leaves it partly "
                "unfilled")
        << Read->getMethodDecl()->getName() << Stream->getName() << *Why;
}

void UncheckedReadCheck::checkResultOfCall(const CallExpr *Call, ASTContext &Ctx) {
  StringRef Name = Call->getDirectCallee()->getName();
  SourceLocation Loc = calledNameLoc(Call);
  if (Ctx.getSourceManager().isInSystemHeader(Loc))
    return;
  if (isResultDiscarded(Call, Ctx)) {
    if (!firstReportAt(Loc))
      return;
    report(Loc, "the result of '%0' is discarded: an error or the end of the stream goes unnoticed")
        << Name;
  } else if (calleeIsListed(Call, ZeroMeansEndFunctions) &&
             !endOfStreamDistinguished(Call, Ctx) && firstReportAt(Loc)) {
    report(Loc, "the result of '%0' is never told apart from 0 (end of stream): at end of "
                "stream the code carries on as if data had arrived")
        << Name;
  } else if (calleeIsListed(Call, ShortReadFunctions) && freadTestedOnlyForZero(Call, Ctx) &&
             firstReportAt(Loc)) {
    report(Loc, "the result of '%0' is only tested for nonzero: a short read passes as a "
                "complete one")
        << Name;
  }
}

void UncheckedReadCheck::checkErrorCodeOverload(const CallExpr *Call, const VarDecl *Ec,
                                                ASTContext &Ctx) {
  std::optional<std::string> Why = untestedErrorCode(Call, Ec, AnyReadOperations, Ctx);
  if (Why && firstReportAt(calledNameLoc(Call))) {
    report(calledNameLoc(Call), "error_code '%0' set by '%1' is not tested %2")
        << Ec->getName() << Call->getDirectCallee()->getName() << *Why;
  }
}

void UncheckedReadCheck::checkCompletionHandler(const CallExpr *Call, ASTContext &Ctx) {
  if (awaitedTupleDiscarded(Call, Ctx)) {
    if (firstReportAt(calledNameLoc(Call)))
      report(calledNameLoc(Call), "the result of '%0' is discarded: as_tuple hands its error_code "
                                  "back in that result, so an error goes unnoticed")
          << Call->getDirectCallee()->getName();
    return;
  }
  // An awaited read reports into an error_code of the coroutine: tested like an out-parameter.
  if (const ValueDecl *Ec = awaitedErrorCode(Call, Ctx)) {
    std::optional<std::string> Why =
        untestedErrorCode(Call, Ec, AnyReadOperations, Ctx, /*EndsInToken=*/true);
    if (Why && firstReportAt(calledNameLoc(Call)))
      report(calledNameLoc(Call), "error_code '%0' set by '%1' is not tested %2")
          << Ec->getName() << Call->getDirectCallee()->getName() << *Why;
    return;
  }
  const Expr *Token = lastWrittenArgument(Call);
  const FunctionDecl *Handler =
      Token ? resolveHandler(Token, HandlerBinders, HandlerWrappers) : nullptr;
  const ParmVarDecl *Ec = Handler ? errorCodeParameter(Handler, ErrorCodeTypes) : nullptr;
  if (!Ec || !Handler->hasBody())
    return;
  StringRef Operation = Call->getDirectCallee()->getName();
  if (!Ec->getIdentifier() || !refersTo(Handler->getBody(), Ec)) {
    if (!firstReportAt(calledNameLoc(Call)))
      return;
    report(calledNameLoc(Call), "the completion handler of '%0' never examines its error_code: "
                                "a failed read is handled like a successful one")
        << Operation;
    diag(Ec->getLocation(), "the handler's error_code parameter", DiagnosticIDs::Note);
    return;
  }
  // An accept loop accepts again after a failed accept: only an ignored error_code is reported.
  const auto *Method = dyn_cast<CXXMethodDecl>(Call->getDirectCallee());
  if (Method && llvm::any_of(RearmAfterErrorOperations, [&](const std::string &Name) {
        return StringRef(Name).ltrim(':') ==
               Method->getParent()->getQualifiedNameAsString() + "::" + Operation.str();
      }))
    return;
  // `if (ec == operation_aborted) return;` alone: end of stream and resets carry on as data.
  if (onlyComparedEqual(Handler->getBody(), Ec)) {
    if (firstReportAt(calledNameLoc(Call)))
      report(calledNameLoc(Call), "the completion handler of '%0' compares its error_code with "
                                  "particular codes only: any other failure (end of stream, a "
                                  "reset) is handled like a successful read")
          << Operation;
    return;
  }
  const IfStmt *Branch = fallThroughErrorBranch(Handler, Ec);
  if (Branch && firstReportAt(calledNameLoc(Call))) {
    {
      StringRef Condition = Lexer::getSourceText(
          CharSourceRange::getTokenRange(Branch->getCond()->getSourceRange()),
          Ctx.getSourceManager(), Ctx.getLangOpts());
      auto Diag = report(calledNameLoc(Call),
                         "the completion handler of '%0' carries on after a failed read: "
                         "'if (%1)' does not return on the error path")
                  << Operation << Condition;
      for (const FixItHint &Fix : returnFromErrorBranch(Branch, Handler, Ctx))
        Diag << Fix;
    }
    diag(Branch->getBeginLoc(), "the error branch falls through to the code after it",
         DiagnosticIDs::Note);
  }
}

llvm::SmallVector<FixItHint, 2>
UncheckedReadCheck::returnFromErrorBranch(const IfStmt *If, const FunctionDecl *Handler,
                                          ASTContext &Ctx) {
  const Stmt *Then = If->getThen();
  // Only `if (ec)`-style branches get a fix-it; for `if (!ec)` the error path has no branch.
  // A branch that already returns (`if (ec && ec != eof) return;`) needs another test, not a return.
  if (!returnsVoid(Handler) || isa<UnaryOperator>(If->getCond()->IgnoreParenImpCasts()) ||
      Then->getBeginLoc().isMacroID() || findDescendant(Then, [](const Stmt *S) {
        return isa<ReturnStmt>(S);
      }) || !FixedBranches.insert(If).second)
    return {};
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LangOpts = Ctx.getLangOpts();
  if (const auto *E = dyn_cast<Expr>(Then)) {
    // `if (ec) fail(ec, "read");` -> `if (ec) return fail(ec, "read");`
    if (E->getType()->isVoidType())
      return {FixItHint::CreateInsertion(E->getBeginLoc(), "return ")};
    // `if (ec) ++errors;` -> `if (ec) { ++errors; return; }`
    SourceLocation AfterSemi =
        Lexer::findLocationAfterToken(E->getEndLoc(), tok::semi, SM, LangOpts, false);
    if (AfterSemi.isInvalid() || AfterSemi.isMacroID())
      return {};
    return {FixItHint::CreateInsertion(E->getBeginLoc(), "{ "),
            FixItHint::CreateInsertion(AfterSemi, " return; }")};
  }
  // `if (ec) { log(ec); }` -> `if (ec) { log(ec); return; }`
  const auto *Block = dyn_cast<CompoundStmt>(Then);
  if (!Block || Block->body_empty())
    return {};
  const Stmt *Last = Block->body_back();
  SourceLocation End =
      Lexer::findLocationAfterToken(Last->getEndLoc(), tok::semi, SM, LangOpts, false);
  if (End.isInvalid())
    End = Lexer::getLocForEndOfToken(Last->getEndLoc(), 0, SM, LangOpts);
  if (End.isInvalid() || End.isMacroID())
    return {};
  bool OneLine =
      SM.getSpellingLineNumber(Last->getBeginLoc()) == SM.getSpellingLineNumber(Block->getLBracLoc());
  std::string Text = OneLine ? " return;"
                             : "\n" + std::string(SM.getSpellingColumnNumber(
                                                      Last->getBeginLoc()) - 1, ' ') + "return;";
  return {FixItHint::CreateInsertion(End, Text)};
}

} // namespace clang::tidy::errorshield
