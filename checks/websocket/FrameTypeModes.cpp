//===--- FrameTypeModes.cpp - The mode a stream writes in, for errorshield-ws-frame-type ---===//
//
// The control-flow half of WsFrameTypeCheck: which text()/binary() setting is in force at a write,
// and which helper leaves a stream in the wrong mode.
//
//===----------------------------------------------------------------------===//

#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/WsFrameTypeCheck.h"
#include "clang/AST/ASTLambda.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::errorshield {

bool WsFrameTypeCheck::mayLeaveOtherMode(const FunctionDecl *Helper,
                                         const SourceManager &SM) const {
  // Library functions set no text/binary mode; a project function does, if at all, through the
  // setters seen in its body, the last of which is the mode it leaves. One whose body is not in
  // this translation unit may set any.
  const std::string Name = Helper->getQualifiedNameAsString();
  if (SM.isInSystemHeader(SM.getExpansionLoc(Helper->getLocation())) ||
      StringRef(Name).starts_with("boost::") || StringRef(Name).starts_with("std::"))
    return false;
  if (!Helper->hasBody())
    return true;
  const ModeSet *Last = nullptr;
  for (const ModeSet &M : ModeSets)
    if (ws::functionAsWritten(M.Function) == ws::functionAsWritten(Helper) &&
        (!Last || SM.isBeforeInTranslationUnit(Last->Loc, M.Loc)))
      Last = &M;
  return Last && Last->Set != Mode::Text;
}

bool WsFrameTypeCheck::modeSettersAllSeen(const ws::ObjectKey &Stream,
                                          const SourceManager &SM) const {
  return !ws::mayBeConfiguredElsewhere(Stream) && !Checked.lentToUnknownCode(Stream) &&
         !Checked.passedTo(Stream, [&](const FunctionDecl *Helper) {
           return mayLeaveOtherMode(Helper, SM);
         });
}

/// True when \p Write may run after \p Setter although it comes first: a loop around the write
/// also holds the setter (it runs before the next iteration), or the write is in a lambda (which
/// runs whenever it is called).
static bool mayRunAfter(const CallExpr *Write, SourceLocation Setter, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  DynTypedNode Node = DynTypedNode::create(*Write);
  for (int Hops = 0; Hops < 64; ++Hops) {
    DynTypedNodeList Parents = Ctx.getParents(Node);
    if (Parents.empty())
      return false;
    if (const auto *Function = Parents[0].get<FunctionDecl>())
      return isLambdaCallOperator(Function); // a lambda's body is its call operator's
    Node = Parents[0];
    const auto *S = Node.get<Stmt>();
    if (S && isLoop(S) && spansLocation(S, Setter, SM))
      return true;
  }
  return false;
}

std::optional<WsFrameTypeCheck::Mode>
WsFrameTypeCheck::modeSetBefore(const ws::ObjectKey &Stream, const FunctionDecl *Function,
                                SourceLocation At, const SourceManager &SM) const {
  // The last setter before \p At in the same function decides, when At is in its block (a setter
  // in one branch says nothing of the other).
  const ModeSet *Last = nullptr;
  for (const ModeSet &M : ModeSets)
    if (M.Stream == Stream && M.Function == Function && SM.isBeforeInTranslationUnit(M.Loc, At) &&
        (!Last || SM.isBeforeInTranslationUnit(Last->Loc, M.Loc)))
      Last = &M;
  if (!Last)
    return std::nullopt;
  return !Last->Block || spansLocation(Last->Block, At, SM) ? Last->Set : Mode::Unknown;
}

bool WsFrameTypeCheck::settersAllText(const ws::ObjectKey &Stream) const {
  return llvm::all_of(ModeSets, [&](const ModeSet &M) {
    return !(M.Stream == Stream) || M.Set == Mode::Text;
  });
}

WsFrameTypeCheck::Mode WsFrameTypeCheck::modeAt(const ByteWrite &W,
                                                const SourceManager &SM) const {
  const ws::ObjectKey &Stream = W.Stream;
  const CallExpr *WriteCall = W.Call;
  const FunctionDecl *Function = W.Function;
  // The last setter before the write in the same function decides; failing that, setters
  // elsewhere in the owner decide only if they all agree on text; with none anywhere, Beast's
  // default (text) holds if every place that could set the mode is visible.
  const SourceLocation Write = SM.getExpansionLoc(WriteCall->getBeginLoc());
  if (std::optional<Mode> Set = modeSetBefore(Stream, Function, Write, SM))
    return *Set;
  if (W.Borrowed)
    return lentStreamsMode(W);
  // A stream of this function (a local, or taken by value) written before any of its setters
  // runs is still in the mode it was made in: Beast's default, text. Not from a lambda, which may
  // run after them.
  const bool Local = Stream.Declared != 0 && Stream.Owner == Function;
  const bool Any = llvm::any_of(ModeSets, [&](const ModeSet &M) { return M.Stream == Stream; });
  if (!Any || (Local && Context && llvm::none_of(ModeSets, [&](const ModeSet &M) {
                 return M.Stream == Stream && mayRunAfter(WriteCall, M.Loc, *Context);
               })))
    return modeSettersAllSeen(Stream, SM) ? Mode::Text : Mode::Unknown;
  return settersAllText(Stream) ? Mode::Text : Mode::Unknown;
}

WsFrameTypeCheck::Mode WsFrameTypeCheck::lentStreamsMode(const ByteWrite &W) const {
  // A helper that sets no mode writes in the mode of the stream it is lent. With no call of it in
  // the translation unit nothing sets one: Beast's default, text. With calls, it is text when
  // every call lends a stream that is in text mode there; otherwise their streams may be in
  // either mode (a session that sets binary once, then lends the stream).
  std::optional<ws::StreamCall> Write = ws::asStreamCall(W.Call, StreamTypes);
  auto Param = Write ? ws::referenceParameter(Write->Object) : std::nullopt;
  if (!Param || !Context)
    return Mode::Unknown;
  std::vector<const CallExpr *> Calls; // of each instantiation, for a template
  if (const FunctionTemplateDecl *Template = W.Function->getDescribedFunctionTemplate())
    for (const FunctionDecl *Specialization : Template->specializations())
      llvm::append_range(Calls, callsOf(Specialization, *Context));
  else
    Calls = callsOf(W.Function, *Context);
  const bool AllText =
      Param->second < W.Function->getNumParams() &&
      llvm::all_of(Calls, [&](const CallExpr *Call) {
        const Expr *Lent = argumentForParameter(Call, W.Function->getParamDecl(Param->second));
        return Lent && modeLentAt(Call, Lent) == Mode::Text;
      });
  return AllText ? Mode::Text : Mode::Unknown;
}

WsFrameTypeCheck::Mode WsFrameTypeCheck::modeLentAt(const CallExpr *Call, const Expr *Lent) const {
  bool Borrowed = false;
  std::optional<ws::ObjectKey> Stream = ws::ownedOrBorrowedObject(Lent, &Borrowed);
  const FunctionDecl *Caller = enclosingFunctionDecl(Call, *Context, /*StopAtLambdas=*/true);
  if (!Stream || Borrowed || !Caller)
    return Mode::Unknown;
  // The caller's last setter before the call decides; with none, every setter of the stream
  // anywhere, and the last setter of every helper it is lent to, must be text (or absent).
  const SourceManager &SM = Context->getSourceManager();
  if (std::optional<Mode> Set =
          modeSetBefore(*Stream, Caller, SM.getExpansionLoc(Call->getBeginLoc()), SM))
    return *Set;
  return settersAllText(*Stream) && modeSettersAllSeen(*Stream, SM) ? Mode::Text : Mode::Unknown;
}

const FunctionDecl *WsFrameTypeCheck::leftInModeBy(const ByteWrite &W, Mode Wrong,
                                                  const SourceManager &SM) const {
  // Only for a write whose function sets no mode before it, on a stream it owns: its mode is
  // whatever the owner's other functions left it in. Each function leaves the mode its last
  // setter sets.
  const SourceLocation Write = SM.getExpansionLoc(W.Call->getBeginLoc());
  if (W.Borrowed || !Context)
    return nullptr;
  llvm::DenseMap<const FunctionDecl *, const ModeSet *> LastIn;
  for (const ModeSet &M : ModeSets) {
    if (!(M.Stream == W.Stream))
      continue;
    if (M.Function == W.Function && SM.isBeforeInTranslationUnit(M.Loc, Write))
      return nullptr;
    const ModeSet *&Last = LastIn[M.Function];
    if (!Last || SM.isBeforeInTranslationUnit(Last->Loc, M.Loc))
      Last = &M;
  }
  const FunctionDecl *Leaves = nullptr;
  for (const auto &[Function, Last] : LastIn)
    if (Function != W.Function && Last->Set == Wrong &&
        (!Leaves || SM.isBeforeInTranslationUnit(Last->Loc, LastIn[Leaves]->Loc)))
      Leaves = Function;
  if (!Leaves)
    return nullptr;
  // A caller that sets the mode before calling the writer decides it (`binary(true); flush();`).
  for (const CallExpr *Call : callsOf(W.Function, *Context)) {
    const SourceLocation At = SM.getExpansionLoc(Call->getBeginLoc());
    for (const ModeSet &M : ModeSets)
      if (M.Stream == W.Stream && M.Function != W.Function &&
          spansLocation(M.Function->getBody(), At, SM) && SM.isBeforeInTranslationUnit(M.Loc, At))
        return nullptr;
  }
  return Leaves;
}

} // namespace clang::tidy::errorshield
