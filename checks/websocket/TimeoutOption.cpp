//===--- TimeoutOption.cpp - The value of a stream_base::timeout ----------===//

#include "websocket/TimeoutOption.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"

namespace clang::tidy::errorshield::ws {

static bool isCallTo(const Expr *E, const std::vector<std::string> &Names) {
  const auto *Call = dyn_cast_or_null<CallExpr>(E ? E->IgnoreImplicit()->IgnoreParens() : nullptr);
  return Call && hasListedQualifiedName(Call->getDirectCallee(), Names);
}

/// The std::ratio<N, D> of a std::chrono::duration<Rep, Period> type, as N / D.
static std::optional<double> periodOf(QualType T) {
  const auto *Spec =
      dyn_cast_or_null<ClassTemplateSpecializationDecl>(T.getNonReferenceType()->getAsCXXRecordDecl());
  if (!Spec || Spec->getTemplateArgs().size() < 2)
    return std::nullopt;
  const TemplateArgument &Period = Spec->getTemplateArgs()[1];
  if (Period.getKind() != TemplateArgument::Type)
    return std::nullopt;
  const auto *Ratio = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      Period.getAsType()->getAsCXXRecordDecl());
  if (!Ratio || Ratio->getTemplateArgs().size() < 2)
    return std::nullopt;
  const TemplateArgument &Num = Ratio->getTemplateArgs()[0], &Den = Ratio->getTemplateArgs()[1];
  if (Num.getKind() != TemplateArgument::Integral || Den.getKind() != TemplateArgument::Integral ||
      Den.getAsIntegral() == 0)
    return std::nullopt;
  return double(Num.getAsIntegral().getSExtValue()) / double(Den.getAsIntegral().getSExtValue());
}

std::optional<double> durationSeconds(const Expr *E, const ASTContext &Context) {
  if (!E || E->isValueDependent() || E->isTypeDependent())
    return std::nullopt;
  const std::optional<double> Period = periodOf(E->getType());
  Expr::EvalResult Result;
  // A duration is a class holding one count: evaluate the whole expression (30s, seconds(30),
  // minutes(5) converted to nanoseconds, a constexpr variable) and read that count.
  if (!Period || !E->EvaluateAsRValue(Result, Context) || !Result.Val.isStruct() ||
      Result.Val.getStructNumFields() < 1)
    return std::nullopt;
  const APValue &Count = Result.Val.getStructField(0);
  if (Count.isInt())
    return double(Count.getInt().getSExtValue()) * *Period;
  if (Count.isFloat())
    return Count.getFloat().convertToDouble() * *Period;
  return std::nullopt;
}

static DurationField durationField(const Expr *E, const TimeoutVocabulary &V, const ASTContext &C) {
  DurationField F;
  F.Explicit = true;
  if (isCallTo(stripConversions(E), V.NoTimeoutFunctions)) {
    F.State = DurationField::Disabled;
  } else if (std::optional<double> Seconds = durationSeconds(E, C)) {
    F.State = DurationField::Constant;
    F.Seconds = *Seconds;
  }
  return F;
}

static void assignField(TimeoutValue &T, StringRef Field, const Expr *Value,
                        const TimeoutVocabulary &V, const ASTContext &C, SourceLocation At) {
  if (Field == V.HandshakeField) {
    T.Handshake = durationField(Value, V, C);
    T.Handshake.WrittenAt = At;
  } else if (Field == V.IdleField) {
    T.Idle = durationField(Value, V, C);
    T.Idle.WrittenAt = At;
  } else if (Field == V.KeepAliveField) {
    T.KeepAliveExplicit = true;
    bool B = false;
    T.KeepAlivePings = Value->isValueDependent() || !Value->EvaluateAsBooleanCondition(B, C)
                           ? std::nullopt
                           : std::optional<bool>(B);
  }
}

/// timeout::suggested(role) as Beast defines it: 30 s handshake for both roles; a server gets a
/// 300 s idle timeout with keep-alive pings, a client neither.
static TimeoutValue suggested(const CallExpr *Call, const TimeoutVocabulary &V) {
  TimeoutValue T;
  if (Call->getNumArgs() != 1)
    return T;
  T.Handshake = {DurationField::Constant, 30, false, {}};
  const auto *Ref = dyn_cast<DeclRefExpr>(Call->getArg(0)->IgnoreParenImpCasts());
  if (!Ref || !isa<EnumConstantDecl>(Ref->getDecl()))
    return T;
  const bool Client = isEnumeratorNamed(Ref, V.ClientRoles);
  T.Idle = Client ? DurationField{DurationField::Disabled, 0, false, {}}
                  : DurationField{DurationField::Constant, 300, false, {}};
  T.KeepAlivePings = !Client;
  T.SuggestedForServer = !Client;
  return T;
}

/// The value of an initializer: suggested(...), an aggregate `timeout{...}`, or unknown.
static TimeoutValue initialValue(const Expr *Init, const TimeoutVocabulary &V, ASTContext &C) {
  TimeoutValue T;
  if (!Init)
    return T;
  const Expr *E = Init->IgnoreImplicit()->IgnoreParens();
  if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
    E = Cast->getSubExpr()->IgnoreImplicit();
  if (isCallTo(E, V.SuggestedFunctions))
    return suggested(cast<CallExpr>(E), V);
  const auto *List = dyn_cast<InitListExpr>(E);
  const RecordDecl *Record = List ? List->getType()->getAsRecordDecl() : nullptr;
  if (!Record)
    return T;
  if (List->isSyntacticForm() && List->getSemanticForm())
    List = List->getSemanticForm();
  unsigned Index = 0;
  for (const FieldDecl *Field : Record->fields()) {
    if (Index >= List->getNumInits())
      break;
    const Expr *Value = List->getInit(Index++);
    if (!isa<ImplicitValueInitExpr>(Value))
      assignField(T, Field->getName(), Value, V, C, SourceLocation()); // shown at the call
  }
  return T;
}

/// The value a function of the project returns, when its body has one `return` (a helper that
/// builds the option: `timeout for_listeners() { auto t = suggested(server); ...; return t; }`).
static const ReturnStmt *onlyReturn(const Expr *E, const SourceManager &SM) {
  const auto *Call = dyn_cast<CallExpr>(E);
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  const FunctionDecl *Definition = nullptr;
  if (!Callee || !Callee->hasBody(Definition) || SM.isInSystemHeader(Definition->getLocation()))
    return nullptr;
  const ReturnStmt *Only = nullptr;
  unsigned Count = 0;
  forEachDescendant(Definition->getBody(), [&](const Stmt *S) {
    if (const auto *Return = dyn_cast<ReturnStmt>(S); Return && Return->getRetValue())
      Only = ++Count == 1 ? Return : nullptr;
  });
  return Only;
}

TimeoutValue evaluateTimeout(const Expr *Option, const Stmt *Call, const TimeoutVocabulary &V,
                             ASTContext &Context, unsigned Depth) {
  const auto *Ref = dyn_cast<DeclRefExpr>(stripConversions(Option));
  const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  if (const ReturnStmt *Return = Depth > 0 && !Var
                                     ? onlyReturn(stripConversions(Option),
                                                  Context.getSourceManager())
                                     : nullptr)
    return evaluateTimeout(Return->getRetValue(), Return, V, Context, Depth - 1);
  if (!Var || !Var->hasLocalStorage())
    return initialValue(stripConversions(Option), V, Context);
  // A local option: its initializer, then every field assignment written before the call.
  TimeoutValue T = initialValue(Var->getInit(), V, Context);
  const auto *Function = dyn_cast<FunctionDecl>(Var->getDeclContext());
  if (!Function || !Function->getBody())
    return T;
  const SourceManager &SM = Context.getSourceManager();
  forEachDescendant(Function->getBody(), [&](const Stmt *S) {
    // `opt.keep_alive_pings = false` is built-in; `opt.idle_timeout = ...` calls operator=.
    const auto Store = storeParts(S);
    if (!Store || !SM.isBeforeInTranslationUnit(S->getBeginLoc(), Call->getBeginLoc()))
      return;
    const auto [LHS, RHS] = *Store;
    const auto *Member = dyn_cast<MemberExpr>(LHS->IgnoreParenImpCasts());
    const auto *Base = Member ? dyn_cast<DeclRefExpr>(Member->getBase()->IgnoreParenImpCasts())
                              : nullptr;
    if (Base && Base->getDecl() == Var)
      assignField(T, Member->getMemberDecl()->getName(), RHS, V, Context, S->getBeginLoc());
  });
  return T;
}

} // namespace clang::tidy::errorshield::ws
