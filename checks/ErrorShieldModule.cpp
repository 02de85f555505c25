//===--- ErrorShieldModule.cpp - Registers the ErrorShield checks -----------===//
//
// Loaded into stock clang-tidy-22 with --load, or linked into the runner and the custom clangd. The
// checks registered here are exactly the catalog's errorshield-* entries (RegisteredChecks.inc is
// generated from knowledge-graph/ by tools/catalog/bundle_catalog.py).
//
//===----------------------------------------------------------------------===//

#include "clang-tidy/ClangTidyModule.h"
#include "clang/Basic/Version.h"
#include "llvm/Support/raw_ostream.h"
#include "RegisteredCheckHeaders.inc"

namespace clang::tidy::errorshield {
namespace {

class ErrorShieldModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &Factories) override {
#define ERRORSHIELD_CHECK(Class, Name) Factories.registerCheck<Class>(Name);
#include "RegisteredChecks.inc"
#undef ERRORSHIELD_CHECK
  }
};

/// The host's Clang version as "major.minor.patch", read from the library the host loaded.
std::string hostClangVersion() {
  const std::string FullText = getClangFullVersion(); // "<vendor> clang version 22.1.8 (...)"
  llvm::StringRef Full = FullText;
  size_t At = Full.find("version ");
  if (At == llvm::StringRef::npos)
    return Full.str();
  return Full.substr(At + 8).take_until([](char C) { return C == ' ' || C == '-'; }).str();
}

/// clang-tidy's internal API has no ABI guarantee across releases: a module built against another
/// Clang would misbehave in ways that are hard to trace, so it refuses to register instead.
bool hostMatchesBuild() {
  std::string Host = hostClangVersion();
  if (Host == CLANG_VERSION_STRING)
    return true;
  llvm::errs() << "errorshield: refusing to load: this module was built for clang-tidy "
               << CLANG_VERSION_STRING << " but the host is clang-tidy " << Host
               << "; rebuild ErrorShield against the host's LLVM\n";
  return false;
}

} // namespace

// Registration is conditional, so a version mismatch leaves no ErrorShield check behind.
static const auto *const Registration =
    hostMatchesBuild()
        ? new ClangTidyModuleRegistry::Add<ErrorShieldModule>(
              "errorshield-module", "ErrorShield checks for real-time C++ servers.")
        : nullptr;

} // namespace clang::tidy::errorshield

// Referenced by the runner and the custom clangd so the linker keeps this object.
volatile int ErrorShieldModuleAnchorSource = 0;
