//===--- TuAnalyzer.cpp - One translation unit through clang-tidy, in process ---===//

#include "TuAnalyzer.h"
#include "SourceFiles.h"
#include "core/UserCodeScope.h"
#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/GlobList.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendActions.h"
#include "clang/Frontend/MultiplexConsumer.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/VirtualFileSystem.h"
#include <tuple>
#include <chrono>

using namespace clang;
using namespace clang::tidy;

namespace errorshield {
namespace {

/// Records where each function definition of user code starts and ends.
class FunctionIndexer : public RecursiveASTVisitor<FunctionIndexer> {
public:
  FunctionIndexer(const SourceManager &SM, FunctionIndex &Index) : SM(SM), Index(Index) {}

  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (!FD->doesThisDeclarationHaveABody())
      return true;
    // A lambda's call operator belongs to the function that spells the lambda.
    if (const auto *Method = dyn_cast<CXXMethodDecl>(FD); Method && Method->getParent()->isLambda())
      return true;
    SourceRange Range = SM.getExpansionRange(FD->getSourceRange()).getAsRange();
    if (Range.isInvalid() || SM.isInSystemHeader(Range.getBegin()))
      return true;
    auto [BeginFile, Begin] = SM.getDecomposedLoc(Range.getBegin());
    auto [EndFile, End] = SM.getDecomposedLoc(Range.getEnd());
    if (BeginFile != EndFile)
      return true;
    OptionalFileEntryRef Entry = SM.getFileEntryRefForID(BeginFile);
    if (!Entry)
      return true;
    // Keyed like the findings: absolute, without dots ("money.h" and "-Iinclude" are relative).
    SmallString<256> Path(Entry->getName());
    SM.getFileManager().makeAbsolutePath(Path);
    llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
    Index[std::string(Path)].push_back({Begin, End, FD->getQualifiedNameAsString()});
    return true;
  }

private:
  const SourceManager &SM;
  FunctionIndex &Index;
};

/// Wraps clang-tidy's consumer to keep system headers out of the parse and the AST traversal.
class UserCodeConsumer : public MultiplexConsumer {
public:
  UserCodeConsumer(std::unique_ptr<ASTConsumer> Tidy, const SourceManager &SM, bool Restrict,
                   bool SkipSystemBodies, FunctionIndex &Index)
      : MultiplexConsumer(std::move(Tidy)), SM(SM), Restrict(Restrict),
        SkipSystemBodies(SkipSystemBodies), Index(Index) {}

  bool shouldSkipFunctionBody(Decl *D) override {
    return SkipSystemBodies && SM.isInSystemHeader(D->getLocation());
  }

  void HandleTranslationUnit(ASTContext &Ctx) override {
    // Whatever checks are enabled, not only ErrorShield's (whose matcher would do the same).
    if (Restrict)
      clang::tidy::errorshield::limitTraversalToUserCode(Ctx);
    MultiplexConsumer::HandleTranslationUnit(Ctx);
    FunctionIndexer(SM, Index).TraverseAST(Ctx);
  }

private:
  const SourceManager &SM;
  bool Restrict, SkipSystemBodies;
  FunctionIndex &Index;
};

class TidyAction : public ASTFrontendAction {
public:
  TidyAction(ClangTidyASTConsumerFactory &Factory, bool Restrict, bool SkipBodies,
             FunctionIndex &Index)
      : Factory(Factory), Restrict(Restrict), SkipBodies(SkipBodies), Index(Index) {}

  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI, StringRef File) override {
    return std::make_unique<UserCodeConsumer>(Factory.createASTConsumer(CI, File),
                                              CI.getSourceManager(), Restrict, SkipBodies, Index);
  }

private:
  ClangTidyASTConsumerFactory &Factory;
  bool Restrict, SkipBodies;
  FunctionIndex &Index;
};

class TidyActionFactory : public tooling::FrontendActionFactory {
public:
  TidyActionFactory(ClangTidyContext &Context, bool Restrict, bool SkipBodies, FunctionIndex &Index,
                    IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS)
      : ConsumerFactory(Context, std::move(FS)), Restrict(Restrict), SkipBodies(SkipBodies),
        Index(Index) {}

  std::unique_ptr<FrontendAction> create() override {
    return std::make_unique<TidyAction>(ConsumerFactory, Restrict, SkipBodies, Index);
  }

  bool runInvocation(std::shared_ptr<CompilerInvocation> Invocation, FileManager *Files,
                     std::shared_ptr<PCHContainerOperations> PCHContainerOps,
                     DiagnosticConsumer *DiagConsumer) override {
    // Like clang-tidy: code guarded by __clang_analyzer__ is seen as the analyzer sees it.
    Invocation->getPreprocessorOpts().SetUpStaticAnalyzer = true;
    // The parser asks UserCodeConsumer::shouldSkipFunctionBody for every body.
    Invocation->getFrontendOpts().SkipFunctionBodies = SkipBodies;
    // No "N warnings generated." per TU: the findings are reported by the runner.
    Invocation->getDiagnosticOpts().ShowCarets = false;
    return FrontendActionFactory::runInvocation(std::move(Invocation), Files,
                                                std::move(PCHContainerOps), DiagConsumer);
  }

private:
  ClangTidyASTConsumerFactory ConsumerFactory;
  bool Restrict, SkipBodies;
  FunctionIndex &Index;
};

/// clang-tidy's per-file ExtraArgs / ExtraArgsBefore from the configuration.
tooling::ArgumentsAdjuster extraArgsFromConfig(ClangTidyContext &Context) {
  return [&Context](const tooling::CommandLineArguments &Args, StringRef File) {
    ClangTidyOptions Opts = Context.getOptionsForFile(File);
    tooling::CommandLineArguments Adjusted = Args;
    if (Opts.ExtraArgsBefore) {
      auto At = Adjusted.begin();
      if (At != Adjusted.end() && !StringRef(*At).starts_with("-"))
        ++At; // After the compiler's name.
      Adjusted.insert(At, Opts.ExtraArgsBefore->begin(), Opts.ExtraArgsBefore->end());
    }
    if (Opts.ExtraArgs)
      Adjusted.insert(Adjusted.end(), Opts.ExtraArgs->begin(), Opts.ExtraArgs->end());
    return Adjusted;
  };
}

/// Every check any linked module registers, and a representative static-analyzer checker.
const std::vector<std::string> &allCheckNames() {
  static const std::vector<std::string> Names = [] {
    ClangTidyCheckFactories Factories;
    for (const auto &Module : ClangTidyModuleRegistry::entries())
      Module.instantiate()->addCheckFactories(Factories);
    std::vector<std::string> Out;
    for (const auto &Factory : Factories)
      Out.push_back(Factory.getKey().str());
    Out.push_back("clang-analyzer-core.NullDereference");
    return Out;
  }();
  return Names;
}

/// How many checks \p Opts enables, and how many of them are ErrorShield's.
std::pair<unsigned, unsigned> enabledChecks(const ClangTidyOptions &Opts) {
  CachedGlobList Enabled(Opts.Checks.value_or(""));
  unsigned All = 0, Ours = 0;
  for (const std::string &Name : allCheckNames())
    if (Enabled.contains(Name)) {
      ++All;
      Ours += StringRef(Name).starts_with("errorshield-");
    }
  return {All, Ours};
}

/// The first compiler error of a failed TU, as "file:line:column: message".
std::string firstCompilerError(const std::vector<ClangTidyError> &Errors) {
  for (const ClangTidyError &E : Errors) {
    if (E.DiagLevel != ClangTidyError::Error ||
        !StringRef(E.DiagnosticName).starts_with("clang-diagnostic-"))
      continue;
    std::string Where = E.Message.FilePath;
    SourceFiles::Position P = SourceFiles().position(E.Message.FilePath, E.Message.FileOffset);
    if (P.Line)
      Where += ":" + std::to_string(P.Line) + ":" + std::to_string(P.Column);
    return Where + ": " + E.Message.Message;
  }
  return "";
}

} // namespace

TuResult analyseTranslationUnit(const tooling::CompilationDatabase &Database,
                                const std::string &File, const TuOptions &Options) {
  auto Start = std::chrono::steady_clock::now();
  TuResult Result;
  Result.File = File;

  ClangTidyContext Context(Options.MakeOptionsProvider(), /*AllowEnablingAnalyzerAlphaCheckers=*/false,
                           /*EnableModuleHeadersParsing=*/false, /*ExperimentalCustomChecks=*/false);
  ClangTidyDiagnosticConsumer DiagConsumer(Context, nullptr, /*RemoveIncompatibleErrors=*/true,
                                           /*GetFixesFromNotes=*/false);
  auto DiagOpts = std::make_unique<DiagnosticOptions>();
  DiagnosticsEngine Engine(llvm::makeIntrusiveRefCnt<DiagnosticIDs>(), *DiagOpts, &DiagConsumer,
                           /*ShouldOwnClient=*/false);
  Context.setDiagnosticsEngine(std::move(DiagOpts), &Engine);

  auto FS = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(
      llvm::vfs::createPhysicalFileSystem());
  tooling::ClangTool Tool(Database, {File}, std::make_shared<PCHContainerOperations>(), FS);
  Tool.appendArgumentsAdjuster(extraArgsFromConfig(Context));
  Tool.appendArgumentsAdjuster(tooling::getStripPluginsAdjuster());
  if (!Options.ResourceDir.empty())
    Tool.appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(
        ("-resource-dir=" + Options.ResourceDir).c_str(), tooling::ArgumentInsertPosition::BEGIN));
  Tool.setDiagnosticConsumer(&DiagConsumer);
  Tool.setPrintErrorMessage(false);

  // With SystemHeaders the user asked for findings in system headers: parse and traverse them.
  ClangTidyOptions FileOptions = Context.getOptionsForFile(File);
  bool SystemHeaders = FileOptions.SystemHeaders.value_or(false);
  std::tie(Result.EnabledChecks, Result.EnabledErrorShieldChecks) = enabledChecks(FileOptions);
  // ErrorShield's matchers look at user code only: with nothing else enabled, skipping library
  // function bodies cannot change a finding.
  const bool OnlyErrorShield = Result.EnabledChecks == Result.EnabledErrorShieldChecks;
  bool SkipBodies = !SystemHeaders && (Options.SkipSystemFunctionBodies == SkipBodies::Always ||
                                       (Options.SkipSystemFunctionBodies == SkipBodies::Auto &&
                                        OnlyErrorShield));
  TidyActionFactory Factory(Context, /*Restrict=*/!SystemHeaders, SkipBodies, Result.Functions, FS);
  int Status = Tool.run(&Factory);
  Result.Errors = DiagConsumer.take();
  Result.Problem = firstCompilerError(Result.Errors);
  bool OnlyConfigErrors = llvm::any_of(Result.Errors, [](const ClangTidyError &E) {
    return E.Message.FilePath.empty();
  });
  // A configuration error also fails the tool's run; it is reported as such, not as this TU's.
  if (Status != 0 && Result.Problem.empty() && !OnlyConfigErrors)
    Result.Problem = Database.getCompileCommands(File).empty()
                         ? "no compile command for this file"
                         : "clang could not run the compile command";
  Result.Analysed = Result.Problem.empty();
  Result.Seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - Start).count();
  return Result;
}

} // namespace errorshield
