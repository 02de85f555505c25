//===--- UnqueuedWrites.cpp - errorshield-ws-concurrent-write: writes outside a queue ---===//
//
// The finding on a write of a data member stream that no queue, flag or order of operations
// serializes, and which of two such writes in one function carries it (the later one).
//
//===----------------------------------------------------------------------===//

#include "websocket/OverlappingWrites.h"
#include "websocket/WsConcurrentWriteCheck.h"
#include "core/Matchers.h"

namespace clang::tidy::errorshield {

bool WsConcurrentWriteCheck::overlappedLater(const ws::StreamCall &Write, ASTContext &Ctx) {
  const Stmt *Body = enclosingFunctionBody(Write.Call, Ctx, /*StopAtLambdas=*/true);
  return Body && findDescendant(
                     Body,
                     [&](const Stmt *S) {
                       const auto *Call = dyn_cast<CallExpr>(S);
                       std::optional<ws::StreamCall> Later =
                           Call && Call != Write.Call ? asWrite(Call) : std::nullopt;
                       if (!Later)
                         return false;
                       std::optional<ws::OverlappedWrite> Overlap = overlapOf(*Later, Ctx);
                       return Overlap && Overlap->Earlier == Write.Call;
                     },
                     isNestedCode) != nullptr;
}

void WsConcurrentWriteCheck::reportUnqueued(const ws::StreamCall &Write, SourceLocation Loc,
                                            StringRef StreamName, ASTContext &Ctx) {
  // A write that a later one in the same function overlaps is that later write's finding (with
  // a note here): the pair is one mistake.
  if (overlappedLater(Write, Ctx) || !firstReportAt(Loc))
    return;
  report(Loc, "%0 on '%1' writes a buffer that is not the front of a write queue: a second "
              "write can start before this one completes")
      << Write.Method << StreamName;
  diag(Loc, "push outgoing messages onto a queue member, write its front() only when no write "
            "is in progress, and pop it in the completion handler",
       DiagnosticIDs::Note);
}

} // namespace clang::tidy::errorshield
