//===--- WsFrameTypeCheck.cpp - errorshield-ws-frame-type -----------------===//

#include "websocket/WsFrameTypeCheck.h"
#include "websocket/FrameTypeGuard.h"
#include "core/Matchers.h"
#include "clang/Basic/SourceManager.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

WsFrameTypeCheck::WsFrameTypeCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), StreamTypes(listOption("StreamTypes")),
      ReadMethods(listOption("ReadMethods")), WriteMethods(listOption("WriteMethods")),
      FrameTypeQueries(listOption("FrameTypeQueries")),
      TextModeSetters(listOption("TextModeSetters")),
      BinaryModeSetters(listOption("BinaryModeSetters")),
      BufferDataMethods(listOption("BufferDataMethods")), TextParsers(listOption("TextParsers")),
      BufferFunctions(listOption("BufferFunctions")),
      ByteContainerTypes(listOption("ByteContainerTypes")),
      ByteElementTypes(listOption("ByteElementTypes")),
      TextSerializers(listOption("TextSerializers")),
      BinarySerializers(listOption("BinarySerializers")),
      PointerFactories(listOption("PointerFactories")),
      FileStreamTypes(listOption("FileStreamTypes")),
      IgnoreNonThrowingParses(
          StringRef(stringOption("IgnoreNonThrowingParses")).equals_insensitive("true")) {}

void WsFrameTypeCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "StreamTypes", StreamTypes);
  storeList(Opts, "ReadMethods", ReadMethods);
  storeList(Opts, "WriteMethods", WriteMethods);
  storeList(Opts, "FrameTypeQueries", FrameTypeQueries);
  storeList(Opts, "TextModeSetters", TextModeSetters);
  storeList(Opts, "BinaryModeSetters", BinaryModeSetters);
  storeList(Opts, "BufferDataMethods", BufferDataMethods);
  storeList(Opts, "TextParsers", TextParsers);
  storeList(Opts, "BufferFunctions", BufferFunctions);
  storeList(Opts, "ByteContainerTypes", ByteContainerTypes);
  storeList(Opts, "ByteElementTypes", ByteElementTypes);
  storeList(Opts, "TextSerializers", TextSerializers);
  storeList(Opts, "BinarySerializers", BinarySerializers);
  storeList(Opts, "PointerFactories", PointerFactories);
  storeList(Opts, "FileStreamTypes", FileStreamTypes);
  Options.store(Opts, "IgnoreNonThrowingParses", IgnoreNonThrowingParses ? "true" : "false");
}

/// A parameter or field whose name says it carries the frame type (see FrameTypeFlags.cpp).
static constexpr llvm::StringLiteral FrameTypeFlagName = "([Bb]inary|[Tt]ext)_?$";

void WsFrameTypeCheck::registerCheckMatchers(MatchFinder *Finder) {
  using ws::matchers::streamMethodCall;
  auto InFunction = forCallable(decl().bind("fn"));
  std::vector<std::string> Setters = TextModeSetters;
  Setters.insert(Setters.end(), BinaryModeSetters.begin(), BinaryModeSetters.end());
  Finder->addMatcher(callExpr(streamMethodCall(StreamTypes, ReadMethods), argumentCountAtLeast(1))
                         .bind("read"),
                     this);
  Finder->addMatcher(callExpr(streamMethodCall(StreamTypes, FrameTypeQueries)).bind("query"), this);
  Finder->addMatcher(
      callExpr(streamMethodCall(StreamTypes, Setters), argumentCountIs(1), InFunction).bind("mode"),
      this);
  Finder->addMatcher(callExpr(streamMethodCall(StreamTypes, WriteMethods), argumentCountAtLeast(1),
                              InFunction)
                         .bind("write"),
                     this);
  Finder->addMatcher(callExpr(ws::matchers::hasArgumentOfType(StreamTypes)).bind("pass"), this);
  // A project function told whether a payload is binary (`enqueue(bytes, /*binary=*/false)`).
  Finder->addMatcher(
      callExpr(callee(functionDecl(hasAnyParameter(parmVarDecl(
                   hasType(booleanType()), matchesName(FrameTypeFlagName.str()))))),
               InFunction)
          .bind("flagged"),
      this);
  // A record queued for a writer, its frame type in a bool field (`Outgoing{bytes, false}`).
  Finder->addMatcher(
      initListExpr(hasType(cxxRecordDecl(
                       has(fieldDecl(hasType(booleanType()), matchesName(FrameTypeFlagName.str()))))),
                   unless(isExpansionInSystemHeader()), InFunction)
          .bind("flagged-record"),
      this);
  Finder->addMatcher(callExpr(callee(functionDecl(matchers::hasListedQualifiedName(TextParsers))),
                              argumentCountAtLeast(1))
                         .bind("parse"),
                     this);
}

/// True when the parse \p Call reports bad input instead of throwing: nlohmann's
/// `parse(text, nullptr, false)` (allow_exceptions false), or a parse given an error_code to fill.
static bool reportsFailure(const CallExpr *Call, ASTContext &Ctx) {
  for (unsigned I = 0; I < Call->getNumArgs(); ++I) {
    const Expr *Arg = Call->getArg(I);
    if (isa<CXXDefaultArgExpr>(Arg) || Arg->isValueDependent())
      continue;
    const QualType T = Arg->getType().getNonReferenceType();
    if (const auto *Record = T->getAsCXXRecordDecl();
        Record && Record->getName() == "error_code")
      return true;
    bool Allowed = true;
    if (I == 2 && T->isBooleanType() && Arg->EvaluateAsBooleanCondition(Allowed, Ctx) && !Allowed)
      return true;
  }
  return false;
}

/// For code in an instantiation of a function template whose parameter \p Name has a type that
/// depends on the template's parameters (`const Payload &payload`): the call that instantiated it.
static SourceLocation instantiatingCall(const Decl *Callable, StringRef Name) {
  // Function templates only: a member of a class template is instantiated by its first call,
  // which is not where the class's arguments were chosen.
  const auto *Function = dyn_cast_or_null<FunctionDecl>(Callable);
  const FunctionDecl *Pattern =
      Function && Function->getPrimaryTemplate() &&
              Function->getTemplateSpecializationKind() == TSK_ImplicitInstantiation
          ? Function->getTemplateInstantiationPattern()
          : nullptr;
  if (!Pattern)
    return {};
  // A call in a system header (std::visit running a generic lambda) is not shown: the finding
  // stays at the write.
  const SourceLocation Call = Function->getPointOfInstantiation();
  const SourceManager &SM = Function->getASTContext().getSourceManager();
  if (Call.isInvalid() || SM.isInSystemHeader(SM.getExpansionLoc(Call)))
    return {};
  for (const ParmVarDecl *Param : Pattern->parameters())
    if (Param->getName() == Name && Param->getType()->isDependentType())
      return Call;
  return {};
}

void WsFrameTypeCheck::check(const MatchFinder::MatchResult &Result) {
  SM = Result.SourceManager;
  Context = Result.Context;
  const FunctionDecl *Function =
      ws::outerFunction(dyn_cast_or_null<FunctionDecl>(Result.Nodes.getNodeAs<Decl>("fn")));
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("pass")) {
    Checked.addPasses(Call, StreamTypes);
  } else if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("read")) {
    std::optional<ws::StreamCall> Read = ws::asStreamCall(Call, StreamTypes);
    // A lent stream: the function that reads it must look at what it read.
    bool Borrowed = false;
    std::optional<ws::ObjectKey> Stream = ws::ownedOrBorrowedObject(Read->Object, &Borrowed);
    if (std::optional<ws::ObjectKey> Buffer = ws::ownedObject(Read->Args[0]))
      Reads.push_back({*Buffer, Stream, Borrowed, Call});
  } else if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("query")) {
    const Expr *Object = ws::asStreamCall(Call, StreamTypes)->Object;
    Checked.addFor(Object, "frame-type");
    if (std::optional<ws::ObjectKey> Asked = ws::ownedOrBorrowedObject(Object))
      Queries.push_back({Call, *Asked});
    if (std::optional<ws::ObjectKey> Lent = ws::borrowedObject(Object))
      Checked.add(*Lent, "frame-type"); // for the reads of the function it was lent to
  } else if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("mode")) {
    std::optional<ws::StreamCall> Set = ws::asStreamCall(Call, StreamTypes);
    std::optional<ws::ObjectKey> Stream = ws::ownedOrBorrowedObject(Set->Object);
    bool On = false;
    Mode M = Mode::Unknown;
    if (!Set->Args[0]->isValueDependent() &&
        Set->Args[0]->EvaluateAsBooleanCondition(On, *Result.Context))
      M = (On == llvm::is_contained(TextModeSetters, Set->Method)) ? Mode::Text : Mode::Binary;
    const Stmt *Block = nullptr;
    for (DynTypedNodeList Parents = Result.Context->getParents(*Call); !Parents.empty() && !Block;
         Parents = Result.Context->getParents(Parents[0]))
      Block = Parents[0].get<CompoundStmt>();
    const ValueDecl *Flag = declNamedBy(Set->Args[0]);
    if (Stream && Function)
      ModeSets.push_back({*Stream, Set->Loc, Function, M, Block, Flag ? Flag->getName() : ""});
  } else if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("write")) {
    std::optional<ws::StreamCall> Write = ws::asStreamCall(Call, StreamTypes);
    bool Borrowed = false;
    std::optional<ws::ObjectKey> Stream = ws::ownedOrBorrowedObject(Write->Object, &Borrowed);
    // `write_some(fin, buffers)`: the payload follows the bool.
    const Expr *Buffer = Write->Args[0];
    if (Write->Args.size() > 1 && stripConversions(Buffer)->getType()->isBooleanType())
      Buffer = Write->Args[1];
    PayloadSource Source = payloadOf(Buffer, Call, Function);
    if (Source.Kind != Payload::None && Stream && Function)
      Writes.push_back({Write->Loc, Write->Method, *Stream, Function, Source, Call, Borrowed,
                        instantiatingCall(Result.Nodes.getNodeAs<Decl>("fn"), Source.Name)});
  } else if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("flagged")) {
    noteFlaggedPayload(Call, Function, *Result.Context);
  } else if (const auto *Init = Result.Nodes.getNodeAs<InitListExpr>("flagged-record")) {
    noteFlaggedRecord(Init, Function, *Result.Context);
  } else if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("parse")) {
    if (IgnoreNonThrowingParses && reportsFailure(Call, *Result.Context))
      return; // a binary message becomes a parse error the code handles, not an exception
    Parse P{ws::calleeLoc(Call), Call->getDirectCallee()->getNameAsString(), {}, Call};
    for (const Expr *Arg : Call->arguments())
      bufferSources(Arg, /*Depth=*/3, P.Buffers);
    if (!P.Buffers.empty())
      Parses.push_back(std::move(P));
  }
}

WsFrameTypeCheck::Chain WsFrameTypeCheck::callChain(llvm::ArrayRef<const CallExpr *> Calls,
                                                    const ws::ObjectKey &Stream, unsigned Depth,
                                                    const FunctionDecl *&Via) const {
  if (Calls.empty() || Depth == 0)
    return Chain::Unknown;
  Chain Result = Chain::Guarded;
  for (const CallExpr *Call : Calls) {
    const Stmt *Body = enclosingFunctionBody(Call, *Context, /*StopAtLambdas=*/true);
    llvm::SmallVector<const CallExpr *, 4> Asked;
    for (const Query &Q : Queries)
      if (Q.Stream == Stream && Body &&
          enclosingFunctionBody(Q.Call, *Context, /*StopAtLambdas=*/true) == Body)
        Asked.push_back(Q.Call);
    const FunctionDecl *Caller = enclosingFunctionDecl(Call, *Context, /*StopAtLambdas=*/true);
    switch (ws::frameAtParse(Call, Asked, *Context)) {
    case ws::FrameAtParse::Text:
      continue;
    case ws::FrameAtParse::Binary:
    case ws::FrameAtParse::Unguarded:
      Via = Caller;
      return Caller ? Chain::Unguarded : Chain::Unknown;
    case ws::FrameAtParse::NotJudged:
      break;
    }
    if (!Asked.empty() || !Caller)
      return Chain::Unknown; // an answer kept in a variable, or a call from a lambda
    // A caller nothing here calls (a completion handler, bound by address) is where the chain
    // starts: nobody on the way asked.
    const FunctionDecl *Unused = nullptr;
    const std::vector<const CallExpr *> CallerCalls = callsOf(Caller, *Context);
    const Chain Above = CallerCalls.empty() ? Chain::Unguarded
                                            : callChain(CallerCalls, Stream, Depth - 1, Unused);
    if (Above == Chain::Unguarded) {
      Via = Caller;
      return Chain::Unguarded;
    }
    if (Above == Chain::Unknown)
      Result = Chain::Unknown;
  }
  return Result;
}

void WsFrameTypeCheck::judgeParseAgainstQueries(const Parse &P, const Read &R) {
  if (!Context)
    return;
  const ws::ObjectKey &Stream = *R.Stream;
  const Stmt *Body = enclosingFunctionBody(P.Call, *Context, /*StopAtLambdas=*/true);
  llvm::SmallVector<const CallExpr *, 4> Asked;
  for (const Query &Q : Queries)
    if (Q.Stream == Stream && Body &&
        enclosingFunctionBody(Q.Call, *Context, /*StopAtLambdas=*/true) == Body)
      Asked.push_back(Q.Call);
  const ws::FrameAtParse Frame = ws::frameAtParse(P.Call, Asked, *Context);
  // A function that does not ask is judged by its callers: the session asks in one helper
  // (on_lobby_message) but dispatches to another (on_match_message) without asking.
  const FunctionDecl *Via = nullptr;
  // The function reads the message itself and lends the stream to no helper that might ask: no
  // caller can have looked at its frame type.
  auto LendsStream = [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    return Call && llvm::any_of(Call->arguments(), [&](const Expr *Arg) {
             bool Borrowed = false;
             std::optional<ws::ObjectKey> Lent = ws::ownedOrBorrowedObject(Arg, &Borrowed);
             return Lent && *Lent == Stream;
           });
  };
  if (Frame == ws::FrameAtParse::NotJudged && Asked.empty() && R.Call && Body &&
      enclosingFunctionBody(R.Call, *Context, /*StopAtLambdas=*/true) == Body &&
      !findDescendant(Body, LendsStream)) {
    if (firstReportAt(P.Loc))
      report(P.Loc, "'%0' parses a message read from '%1' as text, but the function that reads "
                    "it never checks got_text() or got_binary(): a binary message reaches the "
                    "text parser")
          << P.Parser << Stream.Name;
    return;
  }
  if (Frame == ws::FrameAtParse::NotJudged && Asked.empty()) {
    const FunctionDecl *Parser = enclosingFunctionDecl(P.Call, *Context, /*StopAtLambdas=*/true);
    if (Parser &&
        callChain(callsOf(Parser, *Context), Stream, /*Depth=*/3, Via) == Chain::Unguarded && Via &&
        firstReportAt(P.Loc))
      report(P.Loc, "'%0' parses a message read from '%1' as text, but neither this function "
                    "nor '%2', which calls it, checks got_text() or got_binary(): a binary "
                    "message reaches the text parser")
          << P.Parser << Stream.Name << Via->getName();
    return;
  }
  if ((Frame != ws::FrameAtParse::Binary && Frame != ws::FrameAtParse::Unguarded) ||
      !firstReportAt(P.Loc))
    return;
  report(P.Loc, "'%0' parses a message read from '%1' as text %select{in the branch where the "
                "frame is binary|where this function's got_text()/got_binary() check does not "
                "cover it}2: a binary message reaches the text parser")
      << P.Parser << Stream.Name << (Frame == ws::FrameAtParse::Unguarded);
}

std::string WsFrameTypeCheck::describe(const PayloadSource &Source) {
  const std::string Quoted = "'" + Source.Name + "'";
  switch (Source.Kind) {
  case Payload::None:
    return "";
  case Payload::DeclaredBytes:
    return Quoted + ", declared as bytes,";
  case Payload::RawObject:
    return "the raw bytes of " + Quoted;
  case Payload::SerializedBytes:
    return "the bytes " + Quoted + " produces";
  case Payload::FileBytes:
    return Quoted + ", read from a file opened in binary mode,";
  case Payload::SerializedText:
    return "the text " + Quoted + " produces";
  }
  llvm_unreachable("every payload kind is described");
}

void WsFrameTypeCheck::onEndOfTranslationUnit() {
  for (const Parse &P : Parses) {
    for (const ws::ObjectKey &Buffer : P.Buffers) {
      auto Unchecked = llvm::find_if(Reads, [&](const Read &R) {
        return R.Buffer == Buffer && R.Stream && !Checked.has(*R.Stream, "frame-type") &&
               (R.Borrowed || !ownerHasUnseenMember(*R.Stream));
      });
      if (Unchecked == Reads.end()) {
        for (const Read &R : Reads)
          if (R.Buffer == Buffer && R.Stream)
            judgeParseAgainstQueries(P, R);
        continue;
      }
      if (!firstReportAt(P.Loc))
        continue;
      report(P.Loc, "'%0' parses a message read from '%1' as text, but %select{the stream's "
                    "owner|the function that reads it}2 never checks got_text() or got_binary(): "
                    "a binary message reaches the text parser")
          << P.Parser << Unchecked->Stream->Name << Unchecked->Borrowed;
      break;
    }
  }
  for (const FlaggedPayload &F : Flagged) {
    // Only a flag that, under its name, ends up choosing a stream's mode
    // (`ws_.binary(outbox_.front().binary)`).
    if (llvm::none_of(ModeSets, [&](const ModeSet &M) { return M.FlagName == F.Flag; }) ||
        !firstReportAt(F.Loc))
      continue;
    report(F.Loc, "'%0' is told that %2 %select{is binary|are text}3 ('%1' is %4): the "
                  "%select{text goes out as a binary frame|bytes go out as a text frame}3")
        << F.Target << F.Flag << describe(F.Source) << (F.Source.Kind != Payload::SerializedText)
        << (F.Value ? "true" : "false");
  }
  for (const ByteWrite &W : Writes) {
    const bool Text = W.Source.Kind == Payload::SerializedText;
    const Mode Wrong = Text ? Mode::Binary : Mode::Text;
    const Mode M = SM ? modeAt(W, *SM) : Mode::Unknown;
    const SourceLocation At = W.CallSite.isValid() ? W.CallSite : W.Loc;
    const FunctionDecl *Leaves = nullptr;
    if (M == Mode::Unknown && SM)
      Leaves = leftInModeBy(W, Wrong, *SM);
    if ((M != Wrong && !Leaves) || !firstReportAt(At))
      continue;
    if (Leaves)
      report(At, "%0 sends %1 on '%2' without setting its mode, and '%3' leaves it in "
                 "%select{binary|text}4 mode: the %select{text goes out as a binary frame|bytes go "
                 "out as a text frame}4")
          << W.Method << describe(W.Source) << W.Stream.Name << Leaves->getNameAsString() << !Text;
    else if (Text)
      report(At, "%0 sends %1 on '%2', which is in binary mode: the text goes out as a binary "
                 "frame, which a browser hands to the page as a Blob or ArrayBuffer instead of a "
                 "string")
          << W.Method << describe(W.Source) << W.Stream.Name;
    else
      report(At, "%0 sends %1 on '%2', which is in text mode: the bytes go out as a text frame, "
                 "which peers reject unless it is valid UTF-8")
          << W.Method << describe(W.Source) << W.Stream.Name;
    if (W.CallSite.isValid())
      diag(W.Loc, "the write, in the function template instantiated by this call",
           DiagnosticIDs::Note);
  }
  Reads.clear();
  Parses.clear();
  Queries.clear();
  Context = nullptr;
  ModeSets.clear();
  Writes.clear();
  Flagged.clear();
  Checked.clear();
}

} // namespace clang::tidy::errorshield
