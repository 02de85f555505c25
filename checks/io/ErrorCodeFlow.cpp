//===--- ErrorCodeFlow.cpp - error_code out-parameters and read handlers ---===//

#include "core/CallNames.h"
#include "core/Matchers.h"
#include "io/ReadAnalysis.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::errorshield {
namespace {

/// The variable behind a read's data argument: `buf`, `asio::buffer(data)` -> data,
/// `asio::dynamic_buffer(line)` -> line.
const VarDecl *dataVariable(const Expr *Arg) {
  const Expr *E = stripConversions(Arg);
  for (unsigned Depth = 0; Depth < 3; ++Depth) {
    const auto *Call = dyn_cast<CallExpr>(E);
    if (!Call || isa<CXXMemberCallExpr>(Call) || Call->getNumArgs() == 0)
      break;
    E = stripConversions(Call->getArg(0));
  }
  if (const auto *Address = dyn_cast<UnaryOperator>(E); Address && Address->getOpcode() == UO_AddrOf)
    E = stripConversions(Address->getSubExpr()); // asio::buffer(&header, sizeof header)
  return rootVariable(E);
}

/// \p Arg hands \p Ec to a read to fill: `ec`, `yield[ec]`, `redirect_error(use_awaitable, ec)`.
bool fillsErrorCode(const Expr *Arg, const ValueDecl *Ec) {
  if (rootVariable(Arg) == Ec)
    return true;
  const Expr *E = stripConversions(Arg);
  if (const auto *Index = dyn_cast<CXXOperatorCallExpr>(E);
      Index && Index->getOperator() == OO_Subscript && Index->getNumArgs() == 2)
    return rootVariable(Index->getArg(1)) == Ec;
  const auto *Token = dyn_cast<CallExpr>(E);
  return Token && Token->getNumArgs() == 2 && calleeName(Token) == "redirect_error" &&
         rootVariable(Token->getArg(1)) == Ec;
}

/// True when \p S calls one of \p SyncReads with \p Ec among its arguments.
bool readsInto(const Stmt *S, const ValueDecl *Ec, const std::vector<std::string> &SyncReads) {
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    const auto *Callee = Call->getDirectCallee();
    if (Callee && Callee->getIdentifier() && llvm::is_contained(SyncReads, Callee->getName()) &&
        llvm::any_of(Call->arguments(), [&](const Expr *A) { return fillsErrorCode(A, Ec); }))
      return true;
  }
  return llvm::any_of(S->children(),
                      [&](const Stmt *C) { return C && readsInto(C, Ec, SyncReads); });
}

/// \p S is an `if` whose condition refers to \p Ec only to compare it equal to particular codes
/// (`if (ec == websocket::error::closed) break;`): every other error, a reset or an end of
/// stream, goes on as success.
bool testsOnlyParticularCodes(const Stmt *S, const ValueDecl *Ec) {
  // The whole if counts: its else-ifs and branches too (`else if (ec) return;`, `fail(ec)`).
  const auto *If = dyn_cast<IfStmt>(S);
  return If && refersTo(If->getCond(), Ec) && onlyComparedEqual(If, Ec);
}

/// References to \p Ec in \p S other than as the out-argument of another synchronous read.
bool testsErrorCode(const Stmt *S, const ValueDecl *Ec,
                    const std::vector<std::string> &SyncReads) {
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    const auto *Callee = Call->getDirectCallee();
    if (Callee && Callee->getIdentifier() && llvm::is_contained(SyncReads, Callee->getName()))
      return llvm::any_of(Call->arguments(), [&](const Expr *A) {
        return !fillsErrorCode(A, Ec) && testsErrorCode(A, Ec, SyncReads);
      });
  }
  if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
    return Ref->getDecl() == Ec;
  return llvm::any_of(S->children(),
                      [&](const Stmt *C) { return C && testsErrorCode(C, Ec, SyncReads); });
}

/// True when the condition of the statement \p Node (if, loop, ?:) refers to \p Ec.
bool conditionTests(const DynTypedNode &Node, const ValueDecl *Ec) {
  const Stmt *S = Node.get<Stmt>();
  const Expr *Cond = S ? conditionOf(S) : nullptr;
  return Cond && refersTo(Cond, Ec);
}

bool isLoopBody(const DynTypedNode &Parent, const Stmt *Body) {
  if (const auto *While = Parent.get<WhileStmt>())
    return While->getBody() == Body;
  if (const auto *For = Parent.get<ForStmt>())
    return For->getBody() == Body;
  if (const auto *Range = Parent.get<CXXForRangeStmt>())
    return Range->getBody() == Body;
  if (const auto *Do = Parent.get<DoStmt>())
    return Do->getBody() == Body;
  return false;
}

} // namespace

bool onlyComparedEqual(const Stmt *S, const ValueDecl *Ec) {
  // The operands of every `==` in S, collected once; every mention of ec must be one of them.
  llvm::SmallPtrSet<const Expr *, 8> Compared;
  findDescendant(S, [&](const Stmt *E) {
    if (const auto Equality = equalityParts(E); Equality && Equality->Equal)
      for (const Expr *Operand : {Equality->LHS, Equality->RHS}) {
        Compared.insert(stripConversions(Operand));
        Compared.insert(Operand->IgnoreParenImpCasts());
      }
    return false;
  });
  return !findDescendant(S, [&](const Stmt *C) {
    const auto *Ref = dyn_cast<DeclRefExpr>(C);
    return Ref && Ref->getDecl() == Ec && !Compared.contains(Ref);
  });
}

const Expr *lastWrittenArgument(const CallExpr *Call) {
  const Expr *Last = nullptr;
  for (const Expr *Arg : Call->arguments())
    if (!isa<CXXDefaultArgExpr>(Arg))
      Last = Arg;
  return Last;
}

/// Why an error_code (or a stream's state) is not tested in time: what comes first after the read.
struct Untested {
  enum Kind { NextRead, DataUsed, LoopEnd, FunctionEnd } What;
  const ValueDecl *Data = nullptr; ///< For DataUsed: the data used.
  std::string describe() const {
    switch (What) {
    case NextRead:
      return "before the next read overwrites it";
    case DataUsed:
      return "before '" + Data->getName().str() + "' is used";
    case LoopEnd:
      return "before the end of the loop body";
    case FunctionEnd:
      break;
    }
    return "anywhere after the read";
  }
};

/// The first thing after \p Call that decides whether \p Ec (an error_code, or the stream a read
/// sets the state of) is tested in time: none when a statement tests it, otherwise why not (see
/// untestedErrorCode). \p Data: what the read produced; a variable declared with its result
/// joins it.
static std::optional<Untested>
firstUntestedUse(const CallExpr *Call, const ValueDecl *Ec,
                 llvm::SmallPtrSetImpl<const ValueDecl *> &Data,
                 const std::vector<std::string> &SyncReads, ASTContext &Ctx) {
  // Walk outwards from the read: the statements after it in its block, then in enclosing blocks.
  const Stmt *Child = Call;
  DynTypedNodeList Parents = Ctx.getParents(*Call);
  while (!Parents.empty()) {
    const DynTypedNode Parent = Parents[0];
    if (Parent.get<LambdaExpr>() || Parent.get<FunctionDecl>())
      break;
    if (const auto *Result = Parent.get<DecompositionDecl>()) {
      for (const BindingDecl *Binding : Result->bindings()) // auto [ec, n] = co_await ...
        if (Binding != Ec)
          Data.insert(Binding);
    } else if (const auto *Result = Parent.get<VarDecl>()) {
      Data.insert(Result); // std::size_t n = sock.read_some(buf, ec);
    }
    if (const auto *Block = Parent.get<CompoundStmt>()) {
      bool After = false;
      for (const Stmt *S : Block->body()) {
        if (!After) {
          After = S == Child;
          continue;
        }
        if (testsErrorCode(S, Ec, SyncReads) && !testsOnlyParticularCodes(S, Ec))
          return std::nullopt;
        if (readsInto(S, Ec, SyncReads))
          return Untested{Untested::NextRead};
        for (const ValueDecl *V : Data)
          if (refersTo(S, V))
            return Untested{Untested::DataUsed, V};
      }
      DynTypedNodeList Up = Ctx.getParents(*Block);
      if (!Up.empty() && isLoopBody(Up[0], Block) && !conditionTests(Up[0], Ec))
        return Untested{Untested::LoopEnd};
    }
    // `do { ... } while (!ec)`, `while (read(..., ec) > 0 && !ec)`, `if (...; !ec)`; an if's
    // condition runs before its branches, so it tests only a read in the condition itself.
    const auto *If = Parent.get<IfStmt>();
    if (conditionTests(Parent, Ec) &&
        (!If || (Child != If->getThen() && Child != If->getElse())))
      return std::nullopt;
    if (const auto *S = Parent.get<Stmt>())
      Child = S;
    Parents = Ctx.getParents(Parent);
  }
  return Untested{Untested::FunctionEnd};
}

std::optional<std::string> untestedErrorCode(const CallExpr *Call, const ValueDecl *Ec,
                                             const std::vector<std::string> &SyncReads,
                                             ASTContext &Ctx, bool EndsInToken) {
  if (const auto *Var = dyn_cast<VarDecl>(Ec);
      !Var || !Var->hasLocalStorage() || isa<ParmVarDecl>(Var) || Var->getType()->isReferenceType())
    if (!isa<BindingDecl>(Ec))
      return std::nullopt; // the caller, or whoever owns it, tests it

  // The data the read produced: its buffer arguments (not the stream, not ec, not a completion
  // token) and its result.
  llvm::SmallPtrSet<const ValueDecl *, 4> Data;
  const Expr *Token = EndsInToken ? lastWrittenArgument(Call) : nullptr;
  for (unsigned I = isa<CXXMemberCallExpr>(Call) ? 0 : 1; I < Call->getNumArgs(); ++I)
    if (const VarDecl *V = dataVariable(Call->getArg(I));
        V && V != Ec && Call->getArg(I) != Token)
      Data.insert(V);
  if (std::optional<Untested> Why = firstUntestedUse(Call, Ec, Data, SyncReads, Ctx))
    return Why->describe();
  return std::nullopt;
}

std::optional<std::string> streamUsedBeforeTest(const CXXMemberCallExpr *Read,
                                                const ValueDecl *Stream, ASTContext &Ctx) {
  // `in.read(reinterpret_cast<char *>(&hdr), sizeof hdr)` fills `hdr`.
  const VarDecl *Buffer =
      Read->getNumArgs() > 0 ? dataVariable(Read->getArg(0)->IgnoreParenCasts()) : nullptr;
  if (!Buffer || Buffer == Stream)
    return std::nullopt;
  llvm::SmallPtrSet<const ValueDecl *, 4> Data;
  Data.insert(Buffer);
  // Any later mention of the stream is taken as its test (`if (!in)`, `in.gcount()`, a further
  // read whose state is tested with it); only a use of the data before any of them is reported.
  std::optional<Untested> Why = firstUntestedUse(Read, Stream, Data, {}, Ctx);
  if (!Why || Why->What != Untested::DataUsed)
    return std::nullopt;
  return Why->describe();
}

/// The call that makes \p Read's completion token: written in place, or kept in a constant
/// (`constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);`) or a local
/// (`auto token = asio::redirect_error(asio::use_awaitable, ec);`).
static const CallExpr *completionTokenCall(const CallExpr *Read) {
  const Expr *Token = stripConversions(lastWrittenArgument(Read));
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Token))
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
        Var && (Var->getType().isConstQualified() || Var->isLocalVarDecl()) && Var->getInit())
      Token = stripConversions(Var->getInit());
  return dyn_cast_or_null<CallExpr>(Token);
}

bool awaitedTupleDiscarded(const CallExpr *Call, ASTContext &Ctx) {
  const CallExpr *Token = completionTokenCall(Call);
  if (!Token || calleeName(Token) != "as_tuple")
    return false;
  // A callback token's call returns nothing to discard: only the co_await's tuple can be dropped,
  // wherever a dropped synchronous read's result would be (a statement, a branch, a void cast).
  for (DynTypedNodeList Parents = Ctx.getParents(*Call); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    const auto *E = Parents[0].get<Expr>();
    if (const auto *Await = dyn_cast_or_null<CoawaitExpr>(E))
      return isResultDiscarded(Await, Ctx);
    if (!E || !isa<ExprWithCleanups, MaterializeTemporaryExpr, ImplicitCastExpr, ParenExpr,
                   CXXBindTemporaryExpr, CXXMemberCallExpr, MemberExpr, OpaqueValueExpr>(E))
      return false;
  }
  return false;
}

const ValueDecl *awaitedErrorCode(const CallExpr *Call, ASTContext &Ctx) {
  const CallExpr *Token = completionTokenCall(Call);
  const std::string Name = Token ? calleeName(Token) : std::string();
  if (Name == "redirect_error" && Token->getNumArgs() == 2)
    return rootVariable(Token->getArg(1));
  if (Name != "as_tuple")
    return nullptr;
  for (DynTypedNodeList Parents = Ctx.getParents(*Call); !Parents.empty();
       Parents = Ctx.getParents(Parents[0])) {
    if (const auto *Result = Parents[0].get<DecompositionDecl>())
      return Result->bindings().empty() ? nullptr : Result->bindings()[0];
    if (!Parents[0].get<Expr>())
      return nullptr;
  }
  return nullptr;
}

const FunctionDecl *resolveHandler(const Expr *Arg, const std::vector<std::string> &Binders,
                                   const std::vector<std::string> &Wrappers) {
  const Expr *E = stripConversions(Arg);
  for (unsigned Depth = 0; E && Depth < 4; ++Depth) {
    if (const auto *Lambda = dyn_cast<LambdaExpr>(E))
      return Lambda->getCallOperator();
    const auto *Call = dyn_cast<CallExpr>(E);
    const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
    if (!Callee || Call->getNumArgs() == 0)
      return nullptr;
    std::string Name = Callee->getQualifiedNameAsString();
    if (llvm::is_contained(Wrappers, Name)) {
      E = stripConversions(lastWrittenArgument(Call));
      continue;
    }
    if (!llvm::is_contained(Binders, Name))
      return nullptr;
    const Expr *Target = stripConversions(Call->getArg(0));
    if (const auto *AddressOf = dyn_cast<UnaryOperator>(Target))
      Target = AddressOf->getSubExpr()->IgnoreParens();
    const auto *Ref = dyn_cast<DeclRefExpr>(Target);
    const auto *Fn = Ref ? dyn_cast<FunctionDecl>(Ref->getDecl()) : nullptr;
    if (!Fn)
      return nullptr;
    const FunctionDecl *Definition = Fn->getDefinition();
    return Definition ? Definition : Fn;
  }
  return nullptr;
}

const ParmVarDecl *errorCodeParameter(const FunctionDecl *Handler,
                                      const std::vector<std::string> &ErrorCodeTypes) {
  for (const ParmVarDecl *Param : Handler->parameters())
    if (isNamedRecord(Param->getType().getNonReferenceType().getUnqualifiedType(),
                      ErrorCodeTypes))
      return Param;
  // [](auto ec, std::size_t n), and [](auto...) {} which takes the error_code and ignores it.
  if (Handler->getNumParams() > 0 && Handler->getParamDecl(0)->getType()->isDependentType())
    return Handler->getParamDecl(0);
  return nullptr;
}

/// Whether \p Cond tests that the read failed (`ec`, `ec.failed()`, `static_cast<bool>(ec)`,
/// `ec && ec != aborted`: true) or succeeded (`!ec`: false); none when it tests something else.
static std::optional<bool> testsFailure(const Expr *Cond, const ParmVarDecl *Ec) {
  const Expr *E = Cond->IgnoreParenImpCasts();
  if (const auto *Not = dyn_cast<UnaryOperator>(E); Not && Not->getOpcode() == UO_LNot) {
    std::optional<bool> Inner = testsFailure(Not->getSubExpr(), Ec);
    return Inner ? std::optional<bool>(!*Inner) : std::nullopt;
  }
  if (const auto *And = dyn_cast<BinaryOperator>(E); And && And->getOpcode() == BO_LAnd) {
    if (testsFailure(And->getLHS(), Ec) == true)
      return true; // `ec && ec != operation_aborted`: taken only on (some) failures
    return std::nullopt;
  }
  if (const auto *Cast = dyn_cast<CXXStaticCastExpr>(E))
    E = Cast->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *Method = Call->getMethodDecl();
    bool Truthy = isa_and_nonnull<CXXConversionDecl>(Method) ||
                  (Method && Method->getIdentifier() && Method->getName() == "failed");
    if (Truthy && rootVariable(Call->getImplicitObjectArgument()) == Ec)
      return true;
    return std::nullopt;
  }
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E); Ref && Ref->getDecl() == Ec)
    return true; // generic lambda: `if (ec)` is dependent
  return std::nullopt;
}

/// True when every way through \p S might leave the handler: it returns, throws, or calls a
/// noreturn function somewhere (nested lambdas excluded).
static bool leaves(const Stmt *S) {
  return findDescendant(
      S,
      [](const Stmt *S) {
        if (isa<ReturnStmt, CXXThrowExpr, CoreturnStmt>(S))
          return true;
        const auto *Call = dyn_cast<CallExpr>(S);
        const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
        return Callee && Callee->isNoReturn();
      },
      [](const Stmt *S) { return isa<LambdaExpr>(S); });
}

const IfStmt *fallThroughErrorBranch(const FunctionDecl *Handler, const ParmVarDecl *Ec) {
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Handler->getBody());
  if (!Body)
    return nullptr;
  for (auto It = Body->body_begin(), End = Body->body_end(); It != End; ++It) {
    const auto *If = dyn_cast<IfStmt>(*It);
    if (!If || If->getInit() || std::next(It) == End)
      continue;
    std::optional<bool> Failure = testsFailure(If->getCond(), Ec);
    // The branch the failed read takes: `then` for `if (ec)`, `else` (maybe absent) for `if (!ec)`.
    if (Failure && !leaves(*Failure ? If->getThen() : If->getElse()))
      return If;
    // `if (ec && ec != eof) return;` leaves on some failures only: the others (end of stream here)
    // fall through, unless a later condition of the body looks at the error_code again.
    const auto *And = dyn_cast<BinaryOperator>(If->getCond()->IgnoreParenImpCasts());
    if (Failure == true && And && And->getOpcode() == BO_LAnd &&
        !std::any_of(std::next(It), End, [&](const Stmt *Later) {
          return findDescendant(Later, [&](const Stmt *S) {
            const Expr *Cond = conditionOf(S);
            return Cond && refersTo(Cond, Ec);
          });
        }))
      return If;
  }
  return nullptr;
}

} // namespace clang::tidy::errorshield
