//===--- QueueBypass.cpp - A write that goes around the stream's drain writer ---===//

#include "websocket/QueueBypass.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "websocket/WriteQueue.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

namespace clang::tidy::errorshield::ws {
namespace {

/// A data member of \p Stream's class, other than the stream, that \p Body takes messages from.
const FieldDecl *queueTakenIn(const Stmt *Body, const FieldDecl *Stream, const QueueNames &Names) {
  const FieldDecl *Queue = nullptr;
  findDescendant(Body, [&](const Stmt *S) {
    const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
    const auto *Method = Call ? Call->getMethodDecl() : nullptr;
    if (!Method || !Method->getIdentifier() ||
        !(llvm::is_contained(Names.Accessors, Method->getName()) ||
          llvm::is_contained(Names.Pops, Method->getName())))
      return false;
    const FieldDecl *Field = namedField(Call->getImplicitObjectArgument());
    if (Field && Field != Stream && sameClass(Field, Stream))
      Queue = Field;
    return Queue != nullptr;
  });
  return Queue;
}

/// Where \p Write has finished: the write itself; or, for an awaited write in a coroutine that
/// every caller awaits (`co_await s->greet(); co_await s->writer();`), each of those calls.
std::vector<const Expr *> sitesOf(const CallExpr *Write, const FunctionDecl *WriteIn,
                                  ASTContext &Ctx) {
  std::vector<const CallExpr *> Calls;
  if (WriteIn)
    Calls = callsOf(WriteIn, Ctx);
  if (Calls.empty() || !isAwaited(Write, Ctx) ||
      !llvm::all_of(Calls, [&](const CallExpr *C) { return isAwaited(C, Ctx); }))
    return {Write};
  return std::vector<const Expr *>(Calls.begin(), Calls.end());
}

} // namespace

std::vector<StreamCall> writesOfMember(const FieldDecl *Stream, const WriteRecognizer &AsWrite,
                                       const QueueNames &Names, ASTContext &Ctx) {
  using namespace ast_matchers;
  std::vector<StreamCall> Out;
  if (llvm::none_of(Stream->getParent()->fields(), [&](const FieldDecl *F) {
        return isTypeNamed(F->getType(), Names.Types);
      }))
    return Out;
  for (const BoundNodes &Bound : match(findAll(callExpr().bind("call")), Ctx))
    if (std::optional<StreamCall> W = AsWrite(Bound.getNodeAs<CallExpr>("call"))) {
      const FieldDecl *Field = namedField(W->Object);
      if (Field && Field->getName() == Stream->getName() && sameClass(Field, Stream))
        Out.push_back(*W);
    }
  return Out;
}

std::optional<DrainWriter> bypassedWriter(const CallExpr *Write, const FieldDecl *Stream,
                                          llvm::ArrayRef<StreamCall> StreamWrites,
                                          const QueueNames &Names, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const FunctionDecl *WriteIn = enclosingFunctionDecl(Write, Ctx, /*StopAtLambdas=*/true);
  for (const StreamCall &Candidate : StreamWrites) {
    const Stmt *Loop = Candidate.Call == Write ? nullptr : enclosingLoop(Candidate.Call, Ctx);
    const FieldDecl *Queue = Loop ? queueTakenIn(Loop, Stream, Names) : nullptr;
    const FunctionDecl *Writer = enclosingFunctionDecl(Candidate.Call, Ctx, /*StopAtLambdas=*/true);
    if (!Queue || !Writer || Writer == WriteIn)
      continue;
    // Written from the queue itself: the queue's own discipline is judged elsewhere.
    if (findDescendant(Write, [&](const Stmt *S) {
          const auto *Member = dyn_cast<MemberExpr>(S);
          const auto *Field = Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr;
          return Field && Field->getIdentifier() && Field->getName() == Queue->getName() &&
                 sameClass(Field, Queue);
        }, isNestedCode))
      return std::nullopt;
    // Where the writer is started; a write before that in the same function runs alone.
    const std::vector<const CallExpr *> Starts = callsOf(Writer, Ctx);
    if (Starts.empty())
      continue;
    const std::vector<const Expr *> Sites = sitesOf(Write, WriteIn, Ctx);
    const bool BeforeEveryStart = llvm::all_of(Starts, [&](const CallExpr *Start) {
      const FunctionDecl *Starter = enclosingFunctionDecl(Start, Ctx, /*StopAtLambdas=*/false);
      return Starter && llvm::all_of(Sites, [&](const Expr *Site) {
               return Starter == enclosingFunctionDecl(Site, Ctx, /*StopAtLambdas=*/false) &&
                      SM.isBeforeInTranslationUnit(SM.getExpansionLoc(Site->getEndLoc()),
                                                   SM.getExpansionLoc(Start->getBeginLoc()));
             });
    });
    if (!BeforeEveryStart)
      return DrainWriter{Candidate.Call, Writer, Queue};
  }
  return std::nullopt;
}

} // namespace clang::tidy::errorshield::ws
