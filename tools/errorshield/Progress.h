//===--- Progress.h - Scan progress on stderr ------------------------------*- C++ -*-===//

#ifndef ERRORSHIELD_TOOLS_PROGRESS_H
#define ERRORSHIELD_TOOLS_PROGRESS_H

#include "llvm/ADT/StringRef.h"
#include <chrono>
#include <mutex>

namespace errorshield {

enum class ProgressStyle { Auto, Bar, Lines, None };

/// A bar redrawn in place on a terminal (TUs done/total, findings so far, ETA), or one line per
/// finished TU when stderr is a file or a CI log. Called from worker threads.
class Progress {
public:
  Progress(size_t Total, ProgressStyle Style);
  void finished(llvm::StringRef File, double Seconds, size_t Findings, bool Analysed);
  void done();

private:
  std::mutex Mutex;
  size_t Total, Done = 0, Findings = 0;
  ProgressStyle Style;
  std::chrono::steady_clock::time_point Start;
};

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_PROGRESS_H
