//===--- SourceFiles.h - File text for line/column, excerpts, fingerprints --*- C++ -*-===//

#ifndef ERRORSHIELD_TOOLS_SOURCEFILES_H
#define ERRORSHIELD_TOOLS_SOURCEFILES_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace errorshield {

/// Reads each file once and answers position questions about it. Thread-safe; a file that cannot be
/// read answers line 0 and empty text (the finding is still reported).
class SourceFiles {
public:
  struct Position {
    unsigned Line = 0, Column = 0;
  };
  Position position(llvm::StringRef File, unsigned Offset);
  /// Byte offset of a 1-based line/column, or ~0u when out of range.
  unsigned offset(llvm::StringRef File, unsigned Line, unsigned Column);
  std::string lineText(llvm::StringRef File, unsigned Line);
  /// Lines [Line - Before, Line + After], clamped to the file; \p First receives the first line.
  std::string excerpt(llvm::StringRef File, unsigned Line, unsigned Before, unsigned After,
                      unsigned &First);

private:
  struct Text {
    std::string Content;
    std::vector<unsigned> LineStarts; ///< Offset of each line's first byte.
  };
  const Text &get(llvm::StringRef File);

  std::mutex Mutex;
  llvm::StringMap<std::unique_ptr<Text>> Files;
};

} // namespace errorshield

#endif // ERRORSHIELD_TOOLS_SOURCEFILES_H
