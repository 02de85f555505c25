//===--- ReadWriteChain.cpp - One write at a time by the order of operations ---===//

#include "websocket/ReadWriteChain.h"
#include "asio/CompletionHandlers.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "websocket/StreamModel.h"
#include "websocket/WriteQueue.h"

namespace clang::tidy::errorshield::ws {

/// The member functions of one class that have a body here, and what they say about one stream.
class ClassCode {
public:
  ClassCode(const FieldDecl *Stream, const ReadChainNames &Names) : Stream(Stream), Names(Names) {
    for (const FunctionDecl *Definition :
         definedMethods(dyn_cast<CXXRecordDecl>(Stream->getParent())))
      Bodies.push_back({Definition, Definition->getBody()});
  }

  struct Body {
    const FunctionDecl *Function;
    const Stmt *Code;
  };
  const std::vector<Body> &bodies() const { return Bodies; }

  /// `stream_.async_read(...)`, `net::async_read(stream_, ...)`, `self->ws_.async_read_some(...)`.
  bool isRead(const Stmt *S) const {
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call || !llvm::is_contained(Names.ReadFunctions, calleeName(Call)))
      return false;
    std::optional<StreamCall> Member = asMemberCall(Call);
    const Expr *Object = Member && Member->Object ? Member->Object
                         : Call->getNumArgs() > 0 ? Call->getArg(0)
                                                  : nullptr;
    const FieldDecl *Field = Object ? namedField(Object) : nullptr;
    return Field && Field->getName() == Stream->getName() && sameClass(Field, Stream);
  }

  /// The body of the member function of this class that \p S calls, if any.
  const Stmt *calledMemberBody(const Stmt *S) const {
    const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
    const CXXMethodDecl *Method = Call ? Call->getMethodDecl() : nullptr;
    for (const Body &B : Bodies)
      if (Method && B.Function->getCanonicalDecl() == Method->getCanonicalDecl())
        return B.Code;
    return nullptr;
  }

  /// True when \p Code starts a read of the stream, itself or by calling a member function that
  /// does (one call deep). Statements under \p Except are not looked at.
  bool startsRead(const Stmt *Code, const Stmt *Except = nullptr) const {
    return findDescendant(
        Code,
        [&](const Stmt *S) {
          if (isRead(S))
            return true;
          const Stmt *Callee = calledMemberBody(S);
          return Callee && findDescendant(Callee, [&](const Stmt *T) { return isRead(T); });
        },
        [&](const Stmt *S) { return S == Except; });
  }

  /// The bodies of the completion handlers of every read of the stream in the class.
  std::vector<const Stmt *> readHandlerBodies() const {
    std::vector<const Stmt *> Out;
    for (const Body &B : Bodies)
      forEachDescendant(B.Code, [&](const Stmt *S) {
        if (isRead(S))
          for (const asio::CompletionHandler &H :
               asio::completionHandlers(cast<CallExpr>(S), Names.BindFunctions))
            Out.push_back(H.Body);
      });
    return Out;
  }

private:
  const FieldDecl *Stream;
  const ReadChainNames &Names;
  std::vector<Body> Bodies;
};

namespace {

/// True when \p Write runs only after a read of the stream completes: it is in a read's handler,
/// or the member function that makes it is called, in the class, only from such handlers.
bool runsAfterRead(const CallExpr *Write, const ClassCode &Code,
                   const std::vector<const Stmt *> &ReadHandlers, ASTContext &Ctx) {
  auto InReadHandler = [&](const Stmt *S) {
    return llvm::any_of(ReadHandlers, [&](const Stmt *H) { return contains(H, S); });
  };
  if (InReadHandler(Write))
    return true;
  const Stmt *WriterBody = enclosingFunctionBody(Write, Ctx, /*StopAtLambdas=*/false);
  bool Called = false;
  for (const ClassCode::Body &B : Code.bodies()) {
    const Stmt *Outside = findDescendant(B.Code, [&](const Stmt *S) {
      if (Code.calledMemberBody(S) != WriterBody)
        return false;
      Called = true;
      return !InReadHandler(S);
    });
    if (Outside)
      return false;
  }
  return Called;
}

/// The asynchronous writes of the stream (\p WritesStream tells them) in the class's code.
std::vector<const CallExpr *> classWrites(const ClassCode &Code,
                                          llvm::function_ref<bool(const CallExpr *)> WritesStream) {
  std::vector<const CallExpr *> Writes;
  for (const ClassCode::Body &B : Code.bodies())
    forEachDescendant(B.Code, [&](const Stmt *S) {
      if (const auto *Call = dyn_cast<CallExpr>(S); Call && WritesStream(Call))
        Writes.push_back(Call);
    });
  return Writes;
}

/// True when a completion handler of one of \p Writes other than \p W contains \p W.
bool startedOnCompletion(const CallExpr *W, llvm::ArrayRef<const CallExpr *> Writes,
                         const ReadChainNames &Names) {
  return llvm::any_of(Writes, [&](const CallExpr *Earlier) {
    return Earlier != W && llvm::any_of(asio::completionHandlers(Earlier, Names.BindFunctions),
                                        [&](const asio::CompletionHandler &H) {
                                          return contains(H.Body, W);
                                        });
  });
}

/// True when \p Call's buffer argument names a parameter of the function that makes it.
bool writesParameter(const CallExpr *Call) {
  const Stmt *Buffer = Call->getNumArgs() > 1 ? Call->getArg(isa<CXXMemberCallExpr>(Call) ? 0 : 1)
                                             : nullptr;
  return Buffer && findDescendant(Buffer, [](const Stmt *S) {
           const auto *Ref = dyn_cast<DeclRefExpr>(S);
           return Ref && isa<ParmVarDecl>(Ref->getDecl());
         });
}

} // namespace

WriteOrder::WriteOrder(const FieldDecl *Stream,
                       llvm::function_ref<bool(const CallExpr *)> WritesStream,
                       const ReadChainNames &Names)
    : Code(std::make_unique<ClassCode>(Stream, Names)), WritesStream(WritesStream),
      Writes(classWrites(*Code, WritesStream)), Names(Names) {}

WriteOrder::~WriteOrder() = default;

bool WriteOrder::repliesInReadWriteChain(const CallExpr *Write, ASTContext &Ctx) const {
  if (Writes.size() != 1)
    return false; // A second writer (a broadcast, a welcome message) can overlap the reply.
  const std::vector<asio::CompletionHandler> Handlers =
      asio::completionHandlers(Write, Names.BindFunctions);
  if (Handlers.empty() ||
      !llvm::all_of(Handlers, [&](const asio::CompletionHandler &H) {
        return Code->startsRead(H.Body);
      }))
    return false;
  const Stmt *Body = enclosingFunctionBody(Write, Ctx, /*StopAtLambdas=*/true);
  if (!Body || Code->startsRead(Body, /*Except=*/Write))
    return false; // A read started beside the write can complete, and reply, while it runs.
  return runsAfterRead(Write, *Code, Code->readHandlerBodies(), Ctx);
}

bool WriteOrder::writesInCompletionChain(const CallExpr *Write, ASTContext &Ctx) const {
  if (Writes.size() < 2 || !llvm::is_contained(Writes, Write))
    return false;
  const CallExpr *Root = nullptr;
  for (const CallExpr *W : Writes) {
    if (startedOnCompletion(W, Writes, Names))
      continue;
    if (Root)
      return false; // Two writes that start independently.
    Root = W;
  }
  if (!Root || enclosingLoop(Root, Ctx))
    return false;
  const Stmt *Body = enclosingFunctionBody(Root, Ctx, /*StopAtLambdas=*/true);
  // A function that writes what it is given is called once per message; one that starts a read
  // beside the write can be entered again when that read completes.
  return Body && !writesParameter(Root) && !Code->startsRead(Body, /*Except=*/Root);
}

bool WriteOrder::continuesEarlierWrite(const CallExpr *Write) const {
  return startedOnCompletion(Write, Writes, Names);
}

bool WriteOrder::startsSequence(const CallExpr *Write, ASTContext &Ctx) const {
  const Stmt *Body = enclosingFunctionBody(Write, Ctx, /*StopAtLambdas=*/true);
  // A read started beside the write can complete, and reply, while it runs.
  if (!Body || writesParameter(Write) || Code->startsRead(Body, /*Except=*/Write))
    return false;
  // The next write spelled in the handler itself: a handler that calls the class's writer (a
  // queue's pump, a heartbeat re-armed) is a loop of single writes, not a sequence.
  auto NextWrite = [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    return Call && Call != Write && WritesStream(Call);
  };
  return llvm::any_of(asio::completionHandlers(Write, Names.BindFunctions),
                      [&](const asio::CompletionHandler &H) {
                        return findDescendant(H.Body, NextWrite) != nullptr;
                      });
}

} // namespace clang::tidy::errorshield::ws
