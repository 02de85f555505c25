//===--- WsCloseCodeCheck.cpp - errorshield-ws-close-code -----------------===//

#include "websocket/WsCloseCodeCheck.h"
#include "websocket/CloseCodeValues.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "clang/Lex/Lexer.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {

using ws::constantOf;
using ws::possibleCodes;
using ws::whyForbidden;

/// True when \p Reason initialises a local variable that is read, and only field by field
/// (`close_reason observed{close_code::abnormal}; log(observed.code);`): a record of what
/// happened, never handed to a close. Passed, copied, returned or captured whole, it may be sent.
static bool onlyFieldsRead(const CXXConstructExpr *Reason, ASTContext &Ctx) {
  const VarDecl *Var = nullptr;
  for (DynTypedNodeList Parents = Ctx.getParents(*Reason); !Parents.empty() && !Var;
       Parents = Ctx.getParents(Parents[0])) {
    Var = Parents[0].get<VarDecl>();
    const auto *Wrapper = Parents[0].get<Expr>();
    if (!Var && !isa_and_nonnull<ImplicitCastExpr, ExprWithCleanups, MaterializeTemporaryExpr,
                                 CXXBindTemporaryExpr, CXXFunctionalCastExpr>(Wrapper))
      return false;
  }
  const Stmt *Body = Var && Var->isLocalVarDecl()
                         ? enclosingFunctionBody(Reason, Ctx, /*StopAtLambdas=*/false)
                         : nullptr;
  if (!Body)
    return false;
  bool Escapes = false, FieldRead = false;
  forEachDescendant(Body, [&](const Stmt *S) {
    const auto *Ref = dyn_cast<DeclRefExpr>(S);
    if (!Ref || Ref->getDecl() != Var || Escapes)
      return;
    DynTypedNodeList Parents = Ctx.getParents(*Ref);
    const auto *Member = Parents.empty() ? nullptr : Parents[0].get<MemberExpr>();
    FieldRead = Member && isa<FieldDecl>(Member->getMemberDecl());
    Escapes = !FieldRead;
  });
  return FieldRead && !Escapes;
}

WsCloseCodeCheck::WsCloseCodeCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), StreamTypes(listOption("StreamTypes")),
      CloseMethods(listOption("CloseMethods")), CloseReasonTypes(listOption("CloseReasonTypes")),
      ForbiddenCodes(listOption("ForbiddenCodes")), FixItCodes(listOption("FixItCodes")) {
  // Entries are "N" or "LOW-HIGH"; a malformed one is named and skipped, the rest still apply.
  for (StringRef Entry : ForbiddenCodes) {
    auto [Low, High] = Entry.split('-');
    uint64_t L = 0, H = 0;
    if (Low.trim().getAsInteger(10, L) || (High.empty() ? (H = L, false)
                                                        : High.trim().getAsInteger(10, H)) ||
        H < L) {
      configurationDiag("errorshield: %0.ForbiddenCodes: '%1' is not a code or a LOW-HIGH range")
          << Name << Entry;
      continue;
    }
    Ranges.emplace_back(L, H);
  }
  for (StringRef Entry : FixItCodes) {
    auto [Code, Replacement] = Entry.split('=');
    uint64_t C = 0;
    if (Code.trim().getAsInteger(10, C) || Replacement.trim().empty()) {
      configurationDiag("errorshield: %0.FixItCodes: '%1' is not CODE=enumerator") << Name << Entry;
      continue;
    }
    Replacements[C] = Replacement.trim().str();
  }
}

void WsCloseCodeCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "StreamTypes", StreamTypes);
  storeList(Opts, "CloseMethods", CloseMethods);
  storeList(Opts, "CloseReasonTypes", CloseReasonTypes);
  storeList(Opts, "ForbiddenCodes", ForbiddenCodes);
  storeList(Opts, "FixItCodes", FixItCodes);
}

void WsCloseCodeCheck::registerCheckMatchers(MatchFinder *Finder) {
  auto CloseCall = callExpr(ws::matchers::streamMethodCall(StreamTypes, CloseMethods),
                            argumentCountAtLeast(1));
  auto ReasonConstruct = cxxConstructExpr(
      hasType(hasUnqualifiedDesugaredType(recordType(hasDeclaration(
          cxxRecordDecl(matchers::hasAnyListedName(CloseReasonTypes)))))),
      argumentCountAtLeast(1));
  Finder->addMatcher(CloseCall.bind("close"), this);
  Finder->addMatcher(ReasonConstruct.bind("reason"), this);
}

const Expr *WsCloseCodeCheck::codeOf(const Expr *Reason) const {
  const Expr *E = Reason->IgnoreImplicit()->IgnoreParens();
  if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
    E = Cast->getSubExpr()->IgnoreImplicit();
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
    if (!ws::isTypeNamed(Construct->getType(), CloseReasonTypes) || Construct->getNumArgs() == 0)
      return nullptr;
    E = Construct->getArg(0)->IgnoreImplicit()->IgnoreParens();
  } else if (const auto *List = dyn_cast<InitListExpr>(E); List && List->getNumInits() > 0) {
    E = List->getInit(0)->IgnoreImplicit()->IgnoreParens(); // unresolved `{1006, "bye"}`
  }
  const QualType T = E->getType();
  if (T.isNull() || !(T->isIntegralOrEnumerationType()))
    return nullptr; // close_reason(string_view): code 1000
  return E;
}

const Expr *WsCloseCodeCheck::codeStoredBefore(const VarDecl *Reason, const CallExpr *Close) const {
  const Stmt *Body = enclosingFunctionBody(Close, *Context, /*StopAtLambdas=*/true);
  if (!Body || !ws::isTypeNamed(Reason->getType(), CloseReasonTypes))
    return nullptr;
  const SourceManager &SM = Context->getSourceManager();
  const Expr *Last = nullptr; // statements are visited in source order: the last one wins
  forEachDescendant(Body, [&](const Stmt *S) {
    const auto *Assign = dyn_cast<BinaryOperator>(S);
    const auto *Member =
        Assign && Assign->getOpcode() == BO_Assign
            ? dyn_cast<MemberExpr>(Assign->getLHS()->IgnoreParenImpCasts())
            : nullptr;
    const auto *Base = Member ? dyn_cast<DeclRefExpr>(Member->getBase()->IgnoreParenImpCasts())
                              : nullptr;
    if (!Base || Base->getDecl() != Reason || Member->getMemberDecl()->getName() != "code" ||
        !SM.isBeforeInTranslationUnit(Assign->getBeginLoc(), Close->getBeginLoc()))
      return;
    Last = Assign->getRHS()->IgnoreImplicit()->IgnoreParens();
  });
  return Last && !Last->getType().isNull() && Last->getType()->isIntegralOrEnumerationType()
             ? Last
             : nullptr;
}

std::optional<std::pair<uint64_t, uint64_t>> WsCloseCodeCheck::forbiddenRange(uint64_t Code) const {
  for (const auto &Range : Ranges)
    if (Code >= Range.first && Code <= Range.second)
      return Range;
  return std::nullopt;
}

void WsCloseCodeCheck::check(const MatchFinder::MatchResult &Result) {
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("close")) {
    std::optional<ws::StreamCall> Close = ws::asStreamCall(Call, StreamTypes);
    Context = Result.Context;
    if (const Expr *Code = codeOf(Call->getArg(0))) {
      JudgedCodes.insert(Code);
      if (!reportAtInstantiations(Call, Code, Close->Loc))
        reportCode(Close->Loc, Code, *Result.Context);
      noteForwardedCode(Code, Result.SourceManager->getExpansionLoc(Close->Loc));
    } else if (const auto *Ref = dyn_cast<DeclRefExpr>(stripConversions(Call->getArg(0)))) {
      const auto *Param = dyn_cast<ParmVarDecl>(Ref->getDecl());
      const auto *Function = Param ? dyn_cast<FunctionDecl>(Param->getDeclContext()) : nullptr;
      if (Function && Function->getBody() && ws::isTypeNamed(Param->getType(), CloseReasonTypes) &&
          (!Param->getType()->isReferenceType() ||
           Param->getType().getNonReferenceType().isConstQualified()))
        ForwardedReasons.push_back({Function, Param->getFunctionScopeIndex(),
                                    Result.SourceManager->getExpansionLoc(Close->Loc)});
      // A local reason built from a code parameter (`close_reason cr{code}; ws.close(cr, ec);`):
      // its construction is judged where it is; the parameter at the function's calls.
      const auto *Local = dyn_cast<VarDecl>(Ref->getDecl());
      if (const Expr *Code = Local && Local->isLocalVarDecl() && Local->getInit()
                                 ? codeOf(Local->getInit())
                                 : nullptr)
        noteForwardedCode(Code, Result.SourceManager->getExpansionLoc(Close->Loc));
      // `cr.code = 1006; ws.async_close(cr);`: the code last stored before the close is sent.
      if (const Expr *Code = Local && Local->isLocalVarDecl() ? codeStoredBefore(Local, Call)
                                                              : nullptr) {
        JudgedCodes.insert(Code);
        reportCode(Close->Loc, Code, *Result.Context);
      }
    }
    return;
  }
  const auto *Reason = Result.Nodes.getNodeAs<CXXConstructExpr>("reason");
  Context = Result.Context;
  if (onlyFieldsRead(Reason, *Result.Context))
    return; // Built to log or compare, never sent.
  if (const Expr *Code = codeOf(Reason); Code && !JudgedCodes.contains(Code)) {
    if (!reportAtInstantiations(Reason, Code, Reason->getBeginLoc()))
      reportCode(Reason->getBeginLoc(), Code, *Result.Context);
    // A factory of close reasons (`close_reason make_reason(code, why)`) is judged at its calls.
    noteForwardedCode(Code, Result.SourceManager->getExpansionLoc(Reason->getBeginLoc()),
                      /*BuildsReason=*/true);
  }
}

bool WsCloseCodeCheck::reportAtInstantiations(const Stmt *Close, const Expr *Code,
                                              SourceLocation CloseLoc) {
  // `close_all<kLiftClosed>(...)`: a template argument, chosen by each call that instantiates
  // the function (no fix-it in the template). IgnoreParenImpCasts() would skip the substitution.
  const Expr *E = Code;
  while (isa<ParenExpr, ImplicitCastExpr, ExplicitCastExpr>(E))
    E = isa<ParenExpr>(E) ? cast<ParenExpr>(E)->getSubExpr() : cast<CastExpr>(E)->getSubExpr();
  const FunctionDecl *F = isa<SubstNonTypeTemplateParmExpr>(E)
                              ? enclosingFunctionDecl(Close, *Context, /*StopAtLambdas=*/true)
                              : nullptr;
  if (!F || !F->isTemplateInstantiation())
    return false;
  const SourceManager &SM = Context->getSourceManager();
  for (const CallExpr *Call : callsOf(F, *Context))
    if (reportPossibleCode(SM.getExpansionLoc(Call->getBeginLoc()), Code, /*SpelledAtCall=*/false,
                           *Context))
      diag(SM.getExpansionLoc(CloseLoc), "the close in '%0' sends it here", DiagnosticIDs::Note)
          << F->getName();
  return true;
}

void WsCloseCodeCheck::noteForwardedCode(const Expr *Code, SourceLocation CloseLoc,
                                         bool BuildsReason) {
  // `static_cast<close_code>(code)` forwards the parameter as much as `code` does.
  const auto *Ref = dyn_cast<DeclRefExpr>(Code->IgnoreParenCasts());
  const auto *Param = Ref ? dyn_cast<ParmVarDecl>(Ref->getDecl()) : nullptr;
  // In a coroutine the body names the frame's copy of a parameter, initialized from it.
  if (const auto *Copy = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
      !Param && Copy && Copy->isLocalVarDecl() && Copy->isImplicit() && Copy->getInit()) {
    const Expr *Init = Copy->getInit()->IgnoreImplicit();
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(Init); Construct && Construct->getNumArgs() == 1)
      Init = Construct->getArg(0)->IgnoreImplicit();
    if (const auto *From = dyn_cast<DeclRefExpr>(Init->IgnoreParenImpCasts()))
      Param = dyn_cast<ParmVarDecl>(From->getDecl());
  }
  const auto *Function = Param ? dyn_cast<FunctionDecl>(Param->getDeclContext()) : nullptr;
  if (!Function || !Function->getBody() || Param->getType()->isReferenceType())
    return;
  // A coroutine's parameters are moved into its frame: what its own statements do is what counts.
  const Stmt *Body = writtenBody(Function->getBody());
  // A code the function changes before closing (`code = sanitize(code);`, `++code`) is judged
  // where it closes. (Handing it to a forwarding reference, as `json{{"code", code}}` does, is
  // not a change.)
  if (findDescendant(Body, [&](const Stmt *S) {
        const Expr *Target = nullptr;
        if (const auto *Assign = dyn_cast<BinaryOperator>(S); Assign && Assign->isAssignmentOp())
          Target = Assign->getLHS();
        else if (const auto *Step = dyn_cast<UnaryOperator>(S); Step && Step->isIncrementDecrementOp())
          Target = Step->getSubExpr();
        const auto *Changed = Target ? dyn_cast<DeclRefExpr>(Target->IgnoreParenImpCasts()) : nullptr;
        return Changed && Changed->getDecl() == Param;
      }))
    return;
  if (const auto *Method = dyn_cast<CXXMethodDecl>(Function); Method && Method->getParent()->isLambda())
    return;
  // A factory must return a close reason; a function that only builds one for its own use
  // (logging it, say) is not one.
  if (BuildsReason && !ws::isTypeNamed(Function->getReturnType(), CloseReasonTypes))
    return;
  Forwarded.push_back({Function, Param->getFunctionScopeIndex(), CloseLoc, BuildsReason});
}

void WsCloseCodeCheck::judgeForwardedReasons() {
  const SourceManager &SM = Context->getSourceManager();
  for (const ForwardedReason &R : ForwardedReasons)
    for (const CallExpr *Call : callsOf(R.Function, *Context)) {
      const unsigned Offset = isa<CXXOperatorCallExpr>(Call) ? 1 : 0;
      const Expr *Code =
          R.Param + Offset < Call->getNumArgs() ? codeOf(Call->getArg(R.Param + Offset)) : nullptr;
      if (!Code)
        continue;
      if (reportCode(SM.getExpansionLoc(Call->getArg(R.Param + Offset)->getBeginLoc()), Code,
                     *Context))
        diag(R.CloseLoc, "%0 sends it in a close frame here", DiagnosticIDs::Note)
            << R.Function;
      noteForwardedCode(Code, SM.getExpansionLoc(Call->getBeginLoc()));
    }
}

void WsCloseCodeCheck::onEndOfTranslationUnit() {
  if (Context)
    judgeForwardedReasons();
  // Index-based: a call that forwards its own parameter (`terminate_with(code)` calling
  // `make_reason(code, why)`) adds its function to the list, judged at its own calls (a few deep).
  for (size_t I = 0; I < Forwarded.size() && I < 64; ++I) {
    const ForwardedCode F = Forwarded[I]; // a copy: the loop appends to Forwarded
    // The calls of that function (of that instantiation, for a template): the code it is given.
    for (const CallExpr *Call : callsOf(F.Function, *Context)) {
      const unsigned Offset = isa<CXXOperatorCallExpr>(Call) ? 1 : 0;
      if (F.Param + Offset >= Call->getNumArgs())
        continue;
      const Expr *Arg = Call->getArg(F.Param + Offset);
      const SourceLocation At = Context->getSourceManager().getExpansionLoc(Arg->getBeginLoc());
      if (reportCode(At, Arg, *Context))
        diag(F.CloseLoc, "'%0' %select{sends it in a close frame|puts it in the close reason it "
                         "returns}1 here",
             DiagnosticIDs::Note)
            << F.Function->getName() << F.BuildsReason;
      else
        noteForwardedCode(Arg, Context->getSourceManager().getExpansionLoc(Call->getBeginLoc()));
    }
  }
  Forwarded.clear();
  ForwardedReasons.clear();
  JudgedCodes.clear();
  Context = nullptr;
}

bool WsCloseCodeCheck::reportCode(SourceLocation At, const Expr *Code, ASTContext &Context) {
  llvm::SmallVector<PossibleCode, 2> Codes;
  possibleCodes(Code, Context, Codes);
  bool Reported = false;
  for (const PossibleCode &Possible : Codes) {
    if (!Possible.Returned) {
      Reported |= reportPossibleCode(At, Possible.Value, Possible.SpelledAtCall, Context);
      continue;
    }
    const SourceLocation ReturnAt =
        Context.getSourceManager().getExpansionLoc(Possible.Value->getBeginLoc());
    // No fix-it there: the function may map codes for other uses too.
    if (reportPossibleCode(ReturnAt, Possible.Value, /*SpelledAtCall=*/false, Context)) {
      diag(At, "the returned code is sent in a close frame here", DiagnosticIDs::Note);
      Reported = true;
    }
  }
  return Reported;
}

bool WsCloseCodeCheck::reportPossibleCode(SourceLocation At, const Expr *Code, bool SpelledAtCall,
                                          const ASTContext &Context) {
  if (Code->isValueDependent())
    return false;
  Expr::EvalResult Value;
  if (!Code->EvaluateAsInt(Value, Context))
    return reportOffsetCode(At, Code, Context);
  if (Value.Val.getInt().isNegative())
    return false;
  const uint64_t N = Value.Val.getInt().getZExtValue();
  if (!forbiddenRange(N) || !firstReportAt(At))
    return false;
  auto Diag = report(At, "close code %0 must not be sent in a close frame: %1") << std::to_string(N)
                                                                              << whyForbidden(N);
  auto Replacement = Replacements.find(N);
  if (Replacement == Replacements.end() || Code->getBeginLoc().isMacroID() || !SpelledAtCall)
    return true;
  // An enumerator keeps the qualifier the user wrote; a literal needs the catalog's qualified name.
  const StringRef Spelling = Replacement->second;
  const StringRef Enumerator = Spelling.contains("::") ? Spelling.rsplit("::").second : Spelling;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(Code); Ref && isa<EnumConstantDecl>(Ref->getDecl()))
    Diag << FixItHint::CreateReplacement(Ref->getNameInfo().getSourceRange(), Enumerator);
  else if (isa<IntegerLiteral>(Code) && Spelling.contains("::"))
    Diag << FixItHint::CreateReplacement(Code->getSourceRange(), Spelling);
  return true;
}


bool WsCloseCodeCheck::reportOffsetCode(SourceLocation At, const Expr *Code,
                                        const ASTContext &Context) {
  // `1000 + reason`: a code counted up from a base. A mask or remainder bounds the offset
  // (`4100 + (reason & 0x0f)` stays in 4100-4115); anything else may be any small number, which
  // from a base in the protocol's own range (1000-2999) soon reaches 1004-1006 or 1015.
  const auto *Sum = dyn_cast<BinaryOperator>(Code->IgnoreParenCasts());
  if (!Sum || Sum->getOpcode() != BO_Add)
    return false;
  const Expr *Offset = Sum->getRHS();
  std::optional<uint64_t> Base = constantOf(Sum->getLHS(), Context);
  if (!Base) {
    Base = constantOf(Sum->getRHS(), Context);
    Offset = Sum->getLHS();
  }
  if (!Base || constantOf(Offset, Context))
    return false;
  std::optional<uint64_t> Largest; // The largest offset, when something bounds it.
  if (const auto *Bound = dyn_cast<BinaryOperator>(Offset->IgnoreParenCasts())) {
    const std::optional<uint64_t> Limit = constantOf(Bound->getRHS(), Context);
    if (Limit && Bound->getOpcode() == BO_And)
      Largest = *Limit;
    else if (Limit && *Limit > 0 && Bound->getOpcode() == BO_Rem)
      Largest = *Limit - 1;
  }
  if (!Largest && (*Base < 1000 || *Base >= 3000))
    return false;
  const uint64_t Last = Largest ? *Base + *Largest : 2999;
  for (uint64_t N = *Base; N <= Last; ++N) {
    if (!forbiddenRange(N))
      continue;
    if (!firstReportAt(At))
      return false;
    const StringRef OffsetText =
        Lexer::getSourceText(CharSourceRange::getTokenRange(Offset->getSourceRange()),
                             Context.getSourceManager(), Context.getLangOpts());
    report(At, "close code %0 + '%1' can reach %2, which must not be sent in a close frame: %3")
        << std::to_string(*Base) << OffsetText << std::to_string(N) << whyForbidden(N);
    return true;
  }
  return false;
}

} // namespace clang::tidy::errorshield
