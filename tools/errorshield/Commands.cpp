//===--- Commands.cpp - The errorshield subcommands ----------------------------===//

#include "Commands.h"

namespace errorshield {

llvm::cl::SubCommand &explainCommand() {
  static llvm::cl::SubCommand Command("explain", "Explain a catalog pattern: trigger, context, consequence, "
                                      "fix, BAD/GOOD, related patterns");
  return Command;
}

llvm::cl::SubCommand &graphCommand() {
  static llvm::cl::SubCommand Command("graph", "Print the knowledge graph (patterns, consequences, relations)");
  return Command;
}

llvm::cl::SubCommand &scanCommand() {
  static llvm::cl::SubCommand Command("scan", "Run the checks over a compile database and report");
  return Command;
}

llvm::cl::SubCommand &coverageCommand() {
  static llvm::cl::SubCommand Command("coverage", "Check that every catalog pattern is implemented, "
                                      "tested and documented; with -p, where each was found");
  return Command;
}

llvm::cl::SubCommand &mergeCommand() {
  static llvm::cl::SubCommand Command("merge", "Combine SARIF reports (e.g. of --shard runs) into one");
  return Command;
}

llvm::cl::SubCommand &manifestsCommand() {
  static llvm::cl::SubCommand Command("manifests", 
                                      "Lint Kubernetes manifests for WebSocket session affinity");
  return Command;
}

} // namespace errorshield
