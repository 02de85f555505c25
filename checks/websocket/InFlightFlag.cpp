//===--- InFlightFlag.cpp - A write-in-progress flag in place of a queue --===//

#include "websocket/InFlightFlag.h"
#include "core/Matchers.h"
#include "websocket/WriteQueue.h"
#include "clang/AST/ParentMapContext.h"

namespace clang::tidy::errorshield::ws {
namespace {

/// The data member of \p Stream's class that statement \p S marks as busy, or null: a bool set to
/// `true`, or a count of outstanding writes set to a constant other than zero (`remaining_ = 2;`
/// before writing to two sockets).
const FieldDecl *flagSetTrue(const Stmt *S, const FieldDecl *Stream) {
  const auto *E = dyn_cast<Expr>(S);
  const auto *Assign = E ? dyn_cast<BinaryOperator>(E->IgnoreImplicit()) : nullptr;
  if (!Assign || Assign->getOpcode() != BO_Assign)
    return nullptr;
  const FieldDecl *Flag = namedField(Assign->getLHS());
  if (!Flag || !sameClass(Flag, Stream))
    return nullptr;
  const Expr *Value = Assign->getRHS()->IgnoreParenImpCasts();
  if (const auto *True = dyn_cast<CXXBoolLiteralExpr>(Value))
    return True->getValue() && Flag->getType()->isBooleanType() ? Flag : nullptr;
  const auto *Count = dyn_cast<IntegerLiteral>(Value);
  return Count && !Count->getValue().isZero() && Flag->getType()->isIntegerType() ? Flag : nullptr;
}

/// True when \p E is the integer literal 0.
bool isZero(const Expr *E) {
  const auto *Literal = dyn_cast<IntegerLiteral>(E->IgnoreParenImpCasts());
  return Literal && Literal->getValue().isZero();
}

/// True when \p Cond says \p Flag is busy: `Flag`, `Flag > 0`, `Flag != 0`.
bool isBusy(const Expr *Cond, const FieldDecl *Flag) {
  if (namedField(Cond) == Flag)
    return true;
  const auto *Op = dyn_cast<BinaryOperator>(Cond);
  return Op && ((Op->getOpcode() == BO_GT || Op->getOpcode() == BO_NE) &&
                namedField(Op->getLHS()) == Flag && isZero(Op->getRHS()));
}

/// True when \p Cond is busy (above), or has it as an operand of its top-level `||` chain.
bool testsFlag(const Expr *Cond, const FieldDecl *Flag) {
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *Or = dyn_cast<BinaryOperator>(Cond); Or && Or->getOpcode() == BO_LOr)
    return testsFlag(Or->getLHS(), Flag) || testsFlag(Or->getRHS(), Flag);
  return isBusy(Cond, Flag);
}

/// True when \p Cond is `!Flag` or `Flag == 0`, or has it as an operand of its top-level `&&`
/// chain.
bool testsNotFlag(const Expr *Cond, const FieldDecl *Flag) {
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *And = dyn_cast<BinaryOperator>(Cond); And && And->getOpcode() == BO_LAnd)
    return testsNotFlag(And->getLHS(), Flag) || testsNotFlag(And->getRHS(), Flag);
  if (const auto *Equal = dyn_cast<BinaryOperator>(Cond); Equal && Equal->getOpcode() == BO_EQ)
    return namedField(Equal->getLHS()) == Flag && isZero(Equal->getRHS());
  const auto *Not = dyn_cast<UnaryOperator>(Cond);
  return Not && Not->getOpcode() == UO_LNot && namedField(Not->getSubExpr()) == Flag;
}

/// `if (<Flag> || ...) return;` (the return alone, or ending a block).
bool returnsWhenSet(const Stmt *S, const FieldDecl *Flag) {
  const auto *If = dyn_cast<IfStmt>(S);
  if (!If || !If->getCond() || !testsFlag(If->getCond(), Flag))
    return false;
  const Stmt *Then = If->getThen();
  if (const auto *Block = dyn_cast<CompoundStmt>(Then); Block && !Block->body_empty())
    Then = Block->body_back();
  return isa<ReturnStmt>(Then);
}

/// True when \p S mentions the data member \p Field.
bool mentions(const Stmt *S, const FieldDecl *Field) {
  return findDescendant(S, [&](const Stmt *C) {
           return isa<MemberExpr>(C) && namedField(cast<MemberExpr>(C)) == Field;
         }) != nullptr;
}

/// The data member of \p Stream's class that the buffer expression reads, or null.
const FieldDecl *bufferField(const Expr *Buffer, const FieldDecl *Stream) {
  const FieldDecl *Found = nullptr;
  findDescendant(Buffer, [&](const Stmt *S) {
    const auto *Member = dyn_cast<MemberExpr>(S);
    const FieldDecl *Field = Member ? namedField(Member) : nullptr;
    if (Field && Field != Stream && sameClass(Field, Stream))
      Found = Field;
    return Found != nullptr;
  });
  return Found;
}

/// True when \p S calls the member function whose body is \p Writer.
bool callsWriter(const Stmt *S, const Stmt *Writer) {
  return findDescendant(S, [&](const Stmt *C) {
           const auto *Call = dyn_cast<CXXMemberCallExpr>(C);
           const CXXMethodDecl *Method = Call ? Call->getMethodDecl() : nullptr;
           const FunctionDecl *Definition = nullptr;
           return Method && Method->hasBody(Definition) && Definition->getBody() == Writer;
         }) != nullptr;
}

/// True when a member function of \p Member's class other than the one whose body is \p Writer
/// has a statement for which \p Matches holds.
bool otherMethodHas(const FieldDecl *Member, const Stmt *Writer,
                    llvm::function_ref<bool(const Stmt *)> Matches) {
  if (!Writer)
    return false;
  return llvm::any_of(definedMethods(dyn_cast<CXXRecordDecl>(Member->getParent())),
                      [&](const FunctionDecl *Method) {
                        return Method->getBody() != Writer &&
                               findDescendant(Method->getBody(), Matches);
                      });
}

/// True when another member function of \p Flag's class calls the function whose body is
/// \p Writer only once the flag says no write runs: `if (writing_) return; ... pump();` or
/// `if (!writing_) pump();` (`pump()` sets the flag, writes, and its completion calls it again).
bool calledOnlyWhenIdle(const FieldDecl *Flag, const Stmt *Writer) {
  return otherMethodHas(Flag, Writer, [&](const Stmt *S) {
    if (const auto *If = dyn_cast<IfStmt>(S);
        If && If->getCond() && testsNotFlag(If->getCond(), Flag))
      return callsWriter(If->getThen(), Writer);
    const auto *Block = dyn_cast<CompoundStmt>(S);
    if (!Block)
      return false;
    const auto Guard = llvm::find_if(Block->body(), [&](const Stmt *Statement) {
      return returnsWhenSet(Statement, Flag);
    });
    return Guard != Block->body_end() &&
           std::any_of(std::next(Guard), Block->body_end(),
                       [&](const Stmt *After) { return callsWriter(After, Writer); });
  });
}

/// True when a member function of \p Stream's class returns while a flag is set, then sets it and
/// calls the function whose body is \p Writer (`if (writing_) return; writing_ = true; pump();`):
/// the writer itself need not touch the flag, its completion clears it or calls it again.
bool setsFlagThenCallsWriter(const FieldDecl *Stream, const Stmt *Writer) {
  return otherMethodHas(Stream, Writer, [&](const Stmt *S) {
    const auto *Block = dyn_cast<CompoundStmt>(S);
    if (!Block)
      return false;
    for (auto Set = Block->body_begin(); Set != Block->body_end(); ++Set) {
      const FieldDecl *Flag = flagSetTrue(*Set, Stream);
      if (Flag &&
          std::any_of(Block->body_begin(), Set,
                      [&](const Stmt *Guard) { return returnsWhenSet(Guard, Flag); }) &&
          std::any_of(std::next(Set), Block->body_end(),
                      [&](const Stmt *After) { return callsWriter(After, Writer); }))
        return true;
    }
    return false;
  });
}

} // namespace

bool guardedByInFlightFlag(const CallExpr *Write, const FieldDecl *Stream, const Expr *Buffer,
                           ASTContext &Ctx) {
  // The block that makes the write, and its statement that contains the write.
  const Stmt *InBlock = Write;
  const CompoundStmt *Block = nullptr;
  for (DynTypedNodeList Parents = Ctx.getParents(*Write); !Parents.empty() && !Block;
       Parents = Ctx.getParents(Parents[0])) {
    if (Parents[0].get<LambdaExpr>() || Parents[0].get<FunctionDecl>())
      return false;
    const Stmt *Parent = Parents[0].get<Stmt>();
    if (!Parent)
      return false;
    if (const auto *Compound = dyn_cast<CompoundStmt>(Parent))
      Block = Compound;
    else
      InBlock = Parent;
  }
  if (!Block)
    return false;
  const FieldDecl *Written = bufferField(Buffer, Stream);
  const auto Statements = Block->body();
  const auto WriteAt = llvm::find(Statements, InBlock);
  for (auto Set = Statements.begin(); Set != WriteAt; ++Set) {
    const FieldDecl *Flag = flagSetTrue(*Set, Stream);
    if (!Flag)
      continue;
    for (auto Guard = Statements.begin(); Guard != Set; ++Guard)
      if (returnsWhenSet(*Guard, Flag) &&
          (!Written || std::none_of(Statements.begin(), Guard, [&](const Stmt *Earlier) {
             return mentions(Earlier, Written);
           })))
        return true;
    const DynTypedNodeList Parents = Ctx.getParents(*Block);
    const auto *If = Parents.empty() ? nullptr : Parents[0].get<IfStmt>();
    if (If && If->getThen() == Block && If->getCond() && testsNotFlag(If->getCond(), Flag))
      return true;
    // The writer sets the flag; the code that calls it tests it (a `pump()` that `send()` calls
    // only when no write runs, and the completion handler calls again).
    if (calledOnlyWhenIdle(Flag, enclosingFunctionBody(Write, Ctx, /*StopAtLambdas=*/true)))
      return true;
  }
  return setsFlagThenCallsWriter(Stream,
                                 enclosingFunctionBody(Write, Ctx, /*StopAtLambdas=*/true));
}

} // namespace clang::tidy::errorshield::ws
