//===--- WriteQueue.cpp - How a session's write relates to its write queue ---===//

#include "websocket/WriteQueue.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/Lex/Lexer.h"

namespace clang::tidy::errorshield::ws {

const FieldDecl *namedField(const Expr *E) { return dyn_cast_or_null<FieldDecl>(declNamedBy(E)); }

bool sameClass(const FieldDecl *A, const FieldDecl *B) {
  auto Pattern = [](const RecordDecl *R) -> const CXXRecordDecl * {
    const auto *Record = dyn_cast<CXXRecordDecl>(R);
    if (Record && Record->getTemplateInstantiationPattern())
      Record = Record->getTemplateInstantiationPattern();
    return Record ? Record->getCanonicalDecl() : nullptr;
  };
  const CXXRecordDecl *RA = Pattern(A->getParent()), *RB = Pattern(B->getParent());
  if (!RA || !RB)
    return false;
  if (RA == RB)
    return true;
  return (RA->hasDefinition() && RA->isDerivedFrom(RB)) ||
         (RB->hasDefinition() && RB->isDerivedFrom(RA));
}

/// The queue field whose front \p S takes (`q_.front()`, `*q_.begin()`, `q_[0]`), or null.
static const FieldDecl *frontAccess(const Stmt *S, const FieldDecl *Stream,
                                    const QueueNames &Names) {
  const Expr *Object = nullptr;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
    if (Op->getOperator() == OO_Subscript && llvm::is_contained(Names.Accessors, "operator[]"))
      Object = Op->getArg(0);
  } else if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(S)) {
    if (llvm::is_contained(Names.Accessors, "operator[]"))
      Object = Subscript->getBase(); // a dependent container in a template
  } else if (const auto *Call = dyn_cast<CallExpr>(S)) {
    if (std::optional<StreamCall> Member = asMemberCall(Call);
        Member && llvm::is_contained(Names.Accessors, Member->Method))
      Object = Member->Object;
  }
  const FieldDecl *Queue = Object ? namedField(Object) : nullptr;
  if (!Queue || !isTypeNamed(Queue->getType(), Names.Types) || !sameClass(Queue, Stream))
    return nullptr;
  return Queue;
}

std::optional<QueueFront> queueFrontOf(const Expr *Buffer, const FieldDecl *Stream,
                                       const QueueNames &Names) {
  std::optional<QueueFront> Found;
  auto Search = [&](const Stmt *Root, const VarDecl *Alias) {
    findDescendant(Root, [&](const Stmt *S) {
      if (const FieldDecl *Queue = frontAccess(S, Stream, Names)) {
        Found = QueueFront{Queue, S->getBeginLoc(), Alias};
        return true;
      }
      return false;
    });
  };
  Search(Buffer, nullptr);
  // One step back through a local: `auto const& msg = queue_.front(); ws_.async_write(buffer(msg))`.
  findDescendant(Buffer, [&](const Stmt *S) {
    if (Found)
      return true;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
          Var && Var->isLocalVarDecl() && Var->getInit())
        Search(Var->getInit(), Var);
    return false;
  });
  return Found;
}

/// True when \p Lambda is an argument of a call to one of \p PostFunctions.
/// The lambda whose body's parent \p P is: the LambdaExpr, or its call operator.
static const LambdaExpr *lambdaOfBody(const DynTypedNode &P, ASTContext &Ctx) {
  if (const auto *Lambda = P.get<LambdaExpr>())
    return Lambda;
  const auto *Operator = P.get<CXXMethodDecl>();
  if (!Operator || !Operator->getParent()->isLambda())
    return nullptr;
  DynTypedNodeList Parents = Ctx.getParents(*Operator->getParent());
  return Parents.empty() ? nullptr : Parents[0].get<LambdaExpr>();
}

static bool isPosted(const LambdaExpr *Lambda, ASTContext &Ctx,
                     const std::vector<std::string> &PostFunctions) {
  if (PostFunctions.empty())
    return false;
  const auto *Call = parentThroughWrappers(Lambda, Ctx).get<CallExpr>();
  return Call && isListedCall(Call, PostFunctions);
}

const Stmt *enclosingLoop(const Expr *E, ASTContext &Ctx,
                          const std::vector<std::string> &PostFunctions) {
  DynTypedNodeList Parents = Ctx.getParents(*E);
  while (!Parents.empty()) {
    const DynTypedNode &P = Parents[0];
    if (const LambdaExpr *Lambda = lambdaOfBody(P, Ctx);
        Lambda && isPosted(Lambda, Ctx, PostFunctions))
      return enclosingLoop(Lambda, Ctx, PostFunctions);
    if (P.get<LambdaExpr>() || P.get<FunctionDecl>())
      return nullptr;
    if (const Stmt *S = P.get<Stmt>();
        S && !S->getBeginLoc().isMacroID() && isLoop(S))
      return S;
    Parents = Ctx.getParents(P);
  }
  return nullptr;
}

const Stmt *loopCallingLambdaOf(const CallExpr *Write, const Expr *Stream, ASTContext &Ctx,
                                const std::vector<std::string> &PostFunctions) {
  const LambdaExpr *Lambda = enclosingLambda(Write, Ctx);
  const auto *Var = Lambda ? parentThroughWrappers(Lambda, Ctx).get<VarDecl>() : nullptr;
  const auto *Function = Var ? dyn_cast<FunctionDecl>(Var->getDeclContext()) : nullptr;
  if (!Function || !Function->getBody() || !Var->isLocalVarDecl() ||
      findDescendant(Stream, [&](const Stmt *S) {
        const auto *Ref = dyn_cast<DeclRefExpr>(S);
        return Ref && isa<ParmVarDecl>(Ref->getDecl()) &&
               Ref->getDecl()->getDeclContext() == Lambda->getCallOperator();
      }))
    return nullptr;
  const Stmt *Loop = nullptr;
  findDescendant(Function->getBody(), [&](const Stmt *S) {
    const auto *Call = dyn_cast<CXXOperatorCallExpr>(S);
    if (Call && Call->getOperator() == OO_Call && refersTo(Call->getArg(0), Var))
      Loop = enclosingLoop(Call, Ctx, PostFunctions);
    return Loop != nullptr;
  });
  return Loop;
}

bool isStacklessYield(const Expr *E, ASTContext &Ctx, const std::vector<std::string> &YieldMacros) {
  const SourceManager &SM = Ctx.getSourceManager();
  DynTypedNodeList Parents = Ctx.getParents(*E);
  for (int Steps = 0; Steps < 12 && !Parents.empty(); ++Steps) {
    const Stmt *S = Parents[0].get<Stmt>();
    if (!S)
      return false;
    // `yield stmt;` wraps stmt in for/switch/if statements spelled in the macro.
    for (SourceLocation Loc = S->getBeginLoc(); Loc.isMacroID();
         Loc = SM.getImmediateMacroCallerLoc(Loc))
      if (llvm::is_contained(YieldMacros, Lexer::getImmediateMacroName(Loc, SM, Ctx.getLangOpts())))
        return true;
    Parents = Ctx.getParents(Parents[0]);
  }
  return false;
}

std::vector<const CallExpr *> queueCalls(const Stmt *Body, const FieldDecl *Queue,
                                         const std::vector<std::string> &Methods) {
  std::vector<const CallExpr *> Out;
  findDescendant(
      Body,
      [&](const Stmt *S) {
        if (const auto *Call = dyn_cast<CallExpr>(S))
          if (std::optional<StreamCall> Member = asMemberCall(Call);
              Member && llvm::is_contained(Methods, Member->Method) &&
              namedField(Member->Object) == Queue)
            Out.push_back(Call);
        return false;
      },
      isNestedCode);
  return Out;
}

/// True when \p S names \p Queue or a bool data member of its class.
static bool readsQueueOrFlag(const Stmt *S, const FieldDecl *Queue) {
  return findDescendant(S, [&](const Stmt *C) {
    const auto *Member = dyn_cast<MemberExpr>(C);
    const auto *Field = Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr;
    return Field && (Field == Queue || (Field->getType()->isBooleanType() && sameClass(Field, Queue)));
  });
}

static bool alwaysTrueAfterPush(const Expr *Cond, const FieldDecl *Queue);

bool hasWriteGuard(const Stmt *Body, const FieldDecl *Queue, llvm::ArrayRef<const CallExpr *> Pushes) {
  // A local taken from the queue before the push, as in Asio's chat server:
  // `bool write_in_progress = !queue_.empty(); queue_.push_back(m); if (!write_in_progress) ...`.
  llvm::SmallVector<const VarDecl *, 2> Locals;
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *Decls = dyn_cast<DeclStmt>(S))
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D);
            Var && Var->getInit() && readsQueueOrFlag(Var->getInit(), Queue))
          Locals.push_back(Var);
  });
  return findDescendant(
             Body,
             [&](const Stmt *S) {
               const Expr *Cond = conditionOf(S);
               if (Cond && alwaysTrueAfterPush(Cond, Queue) &&
                   llvm::any_of(Pushes, [&](const CallExpr *Push) {
                     const SourceManager &SM = Queue->getASTContext().getSourceManager();
                     return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(Push->getEndLoc()),
                                                         SM.getExpansionLoc(Cond->getBeginLoc()));
                   }))
                 return false;
               return Cond && (readsQueueOrFlag(Cond, Queue) ||
                               findDescendant(Cond, [&](const Stmt *C) {
                                 const auto *Ref = dyn_cast<DeclRefExpr>(C);
                                 return Ref && llvm::is_contained(Locals, Ref->getDecl());
                               }));
             },
             isNestedCode) != nullptr;
}

/// \p Cond is a test a push onto \p Queue always makes true: `!q.empty()`, `q.size() > 0`,
/// `q.size() != 0`, `q.size() >= 1`.
static bool alwaysTrueAfterPush(const Expr *Cond, const FieldDecl *Queue) {
  Cond = Cond->IgnoreParenImpCasts();
  auto QueueCall = [&](const Expr *E, StringRef Method) {
    const auto *Candidate = dyn_cast<CallExpr>(E->IgnoreParenImpCasts());
    std::optional<StreamCall> Call = Candidate ? asMemberCall(Candidate) : std::nullopt;
    return Call && Call->Method == Method && namedField(Call->Object) == Queue;
  };
  if (const auto *Not = dyn_cast<UnaryOperator>(Cond); Not && Not->getOpcode() == UO_LNot)
    return QueueCall(Not->getSubExpr(), "empty");
  const auto *Compare = dyn_cast<BinaryOperator>(Cond);
  const auto *Bound = Compare ? dyn_cast<IntegerLiteral>(Compare->getRHS()->IgnoreParenImpCasts())
                              : nullptr;
  if (!Bound || !QueueCall(Compare->getLHS(), "size"))
    return false;
  const uint64_t N = Bound->getValue().getZExtValue();
  return ((Compare->getOpcode() == BO_GT || Compare->getOpcode() == BO_NE) && N == 0) ||
         (Compare->getOpcode() == BO_GE && N == 1);
}

std::vector<std::pair<const CallExpr *, const Expr *>>
writerCallsAfterVacuousCheck(const FunctionDecl *Writer, const FieldDecl *Queue,
                             const QueueNames &Names, ASTContext &Ctx) {
  std::vector<std::pair<const CallExpr *, const Expr *>> Out;
  const SourceManager &SM = Ctx.getSourceManager();
  for (const CallExpr *Call : callsOf(Writer, Ctx)) {
    const Stmt *Body = enclosingFunctionBody(Call, Ctx, /*StopAtLambdas=*/true);
    if (!Body)
      continue;
    // The if whose then-branch holds the call.
    const IfStmt *If = nullptr;
    const Stmt *Child = Call;
    for (DynTypedNodeList Parents = Ctx.getParents(*Call); !Parents.empty() && !If;
         Parents = Ctx.getParents(Parents[0])) {
      if (Parents[0].get<LambdaExpr>() || Parents[0].get<FunctionDecl>())
        break;
      if (const auto *Candidate = Parents[0].get<IfStmt>(); Candidate && Candidate->getThen() == Child)
        If = Candidate;
      if (const auto *S = Parents[0].get<Stmt>())
        Child = S;
    }
    if (!If || !alwaysTrueAfterPush(If->getCond(), Queue))
      continue;
    const bool PushedBefore = llvm::any_of(queueCalls(Body, Queue, Names.Pushes), [&](const CallExpr *Push) {
      return SM.isBeforeInTranslationUnit(Push->getEndLoc(), If->getBeginLoc());
    });
    // No other test of the queue or of a flag in the function: that one would be the guard.
    const bool OtherGuard = findDescendant(Body, [&](const Stmt *S) {
      const Expr *Cond = conditionOf(S);
      return Cond && S != If && readsQueueOrFlag(Cond, Queue);
    }, isNestedCode) != nullptr;
    if (PushedBefore && !OtherGuard)
      Out.push_back({Call, If->getCond()});
  }
  return Out;
}

} // namespace clang::tidy::errorshield::ws
