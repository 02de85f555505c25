//===--- Progress.cpp - Scan progress on stderr --------------------------------===//

#include "Progress.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

namespace errorshield {

Progress::Progress(size_t Total, ProgressStyle Style)
    : Total(Total), Style(Style), Start(std::chrono::steady_clock::now()) {
  if (Style == ProgressStyle::Auto)
    this->Style = llvm::sys::Process::StandardErrIsDisplayed() ? ProgressStyle::Bar
                                                               : ProgressStyle::Lines;
}

void Progress::finished(llvm::StringRef File, double Seconds, size_t NewFindings, bool Analysed) {
  std::lock_guard<std::mutex> Lock(Mutex);
  ++Done;
  Findings += NewFindings;
  llvm::raw_ostream &OS = llvm::errs();
  if (Style == ProgressStyle::Lines) {
    OS << llvm::formatv("errorshield: [{0}/{1}] {2} ({3} finding(s), {4:f1}s){5}\n", Done, Total,
                        File, NewFindings, Seconds, Analysed ? "" : " COULD NOT BE ANALYSED");
    return;
  }
  if (Style != ProgressStyle::Bar)
    return;
  double Elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - Start).count();
  double Eta = Done ? Elapsed / Done * (Total - Done) : 0;
  constexpr unsigned Width = 30;
  unsigned Filled = Total ? Width * Done / Total : Width;
  OS << "\r[" << std::string(Filled, '#') << std::string(Width - Filled, ' ') << "] "
     << llvm::formatv("{0}/{1} TUs, {2} finding(s), ETA {3:f0}s ", Done, Total, Findings, Eta);
  OS.flush();
}

void Progress::done() {
  if (Style == ProgressStyle::Bar && Total)
    llvm::errs() << "\n";
}

} // namespace errorshield
