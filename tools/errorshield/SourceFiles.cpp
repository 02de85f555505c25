//===--- SourceFiles.cpp - File text for line/column, excerpts, fingerprints ---===//

#include "SourceFiles.h"
#include "llvm/Support/MemoryBuffer.h"
#include <algorithm>

namespace errorshield {

const SourceFiles::Text &SourceFiles::get(llvm::StringRef File) {
  std::lock_guard<std::mutex> Lock(Mutex);
  std::unique_ptr<Text> &Slot = Files[File];
  if (!Slot) {
    Slot = std::make_unique<Text>();
    if (auto Buffer = llvm::MemoryBuffer::getFile(File, /*IsText=*/false,
                                                  /*RequiresNullTerminator=*/false))
      Slot->Content = (*Buffer)->getBuffer().str();
    Slot->LineStarts.push_back(0);
    for (unsigned I = 0; I < Slot->Content.size(); ++I)
      if (Slot->Content[I] == '\n')
        Slot->LineStarts.push_back(I + 1);
  }
  return *Slot; // Entries are never removed or changed once filled.
}

SourceFiles::Position SourceFiles::position(llvm::StringRef File, unsigned Offset) {
  const Text &T = get(File);
  if (T.Content.empty() && Offset > 0)
    return {};
  auto After = std::upper_bound(T.LineStarts.begin(), T.LineStarts.end(), Offset);
  unsigned Line = After - T.LineStarts.begin();
  return {Line, Offset - T.LineStarts[Line - 1] + 1};
}

unsigned SourceFiles::offset(llvm::StringRef File, unsigned Line, unsigned Column) {
  const Text &T = get(File);
  if (Line == 0 || Line > T.LineStarts.size() || Column == 0)
    return ~0u;
  unsigned Offset = T.LineStarts[Line - 1] + Column - 1;
  return Offset <= T.Content.size() ? Offset : ~0u;
}

std::string SourceFiles::lineText(llvm::StringRef File, unsigned Line) {
  const Text &T = get(File);
  if (Line == 0 || Line > T.LineStarts.size())
    return "";
  llvm::StringRef Rest = llvm::StringRef(T.Content).substr(T.LineStarts[Line - 1]);
  return Rest.take_until([](char C) { return C == '\n'; }).rtrim('\r').str();
}

std::string SourceFiles::excerpt(llvm::StringRef File, unsigned Line, unsigned Before,
                                 unsigned After, unsigned &First) {
  const Text &T = get(File);
  First = 0;
  if (Line == 0 || Line > T.LineStarts.size())
    return "";
  First = Line > Before ? Line - Before : 1;
  unsigned Last = std::min<unsigned>(Line + After, T.LineStarts.size());
  std::string Out;
  for (unsigned L = First; L <= Last; ++L) {
    Out += lineText(File, L);
    if (L != Last)
      Out += '\n';
  }
  return Out;
}

} // namespace errorshield
