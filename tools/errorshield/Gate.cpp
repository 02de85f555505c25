//===--- Gate.cpp - Which findings fail the run ------------------------------===//

#include "Gate.h"
#include "CatalogView.h"
#include "FindingBuilder.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

namespace errorshield {
namespace {

bool globMatches(llvm::StringRef Pattern, llvm::StringRef Text) {
  llvm::Expected<llvm::GlobPattern> Glob = llvm::GlobPattern::create(Pattern);
  if (!Glob) {
    llvm::consumeError(Glob.takeError());
    return Pattern == Text;
  }
  return Glob->match(Text);
}

bool compareRank(int Actual, llvm::StringRef Op, int Wanted) {
  if (Op == ">=")
    return Actual >= Wanted;
  if (Op == "<=")
    return Actual <= Wanted;
  return Actual == Wanted;
}

} // namespace

llvm::Expected<Gate> Gate::parse(const std::vector<std::string> &Values) {
  Gate G;
  for (const std::string &Value : Values) {
    std::vector<Term> Terms;
    llvm::SmallVector<llvm::StringRef> Parts;
    llvm::StringRef(Value).split(Parts, ',', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef Part : Parts) {
      Part = Part.trim();
      if (Part == "all" || Part == "none") {
        Terms.push_back({Part.str(), "", ""});
        continue;
      }
      size_t At = Part.find_first_of("<>=");
      llvm::StringRef Field = Part.take_front(At).trim();
      llvm::StringRef Rest = At == llvm::StringRef::npos ? "" : Part.drop_front(At);
      llvm::StringRef Op = Rest.starts_with(">=") || Rest.starts_with("<=") ? Rest.take_front(2)
                                                                             : Rest.take_front(1);
      llvm::StringRef Wanted = Rest.drop_front(Op.size()).trim();
      bool Ranked = Field == "level" || Field == "precision";
      bool Known = Ranked || Field == "category" || Field == "tag" || Field == "check" ||
                   Field == "pattern";
      if (!Known || Wanted.empty() || (Op != "=" && !(Ranked && (Op == ">=" || Op == "<="))))
        return llvm::createStringError("invalid --gate term '" + Part.str() +
                                       "': expected level>=LEVEL, precision>=PRECISION, "
                                       "category=, tag=, check=, pattern=, all or none");
      if (Field == "level" && CatalogView::levelRank(Wanted) < 0)
        return llvm::createStringError("invalid level '" + Wanted.str() +
                                       "' in --gate: none, note, warning or error");
      if (Field == "precision" && CatalogView::precisionRank(Wanted) == 0)
        return llvm::createStringError("invalid precision '" + Wanted.str() +
                                       "' in --gate: low, medium, high or very-high");
      Terms.push_back({Field.str(), Op.str(), Wanted.str()});
    }
    if (Terms.empty())
      return llvm::createStringError("empty --gate value");
    G.Alternatives.push_back(std::move(Terms));
  }
  return G;
}

bool Gate::selects(const Finding &F, const CatalogView &Catalog) const {
  const PatternInfo *P = Catalog.patternOf(F);
  auto Holds = [&](const Term &T) {
    if (T.Field == "all")
      return true;
    if (T.Field == "none")
      return false;
    if (T.Field == "level")
      return compareRank(CatalogView::levelRank(F.Level), T.Op, CatalogView::levelRank(T.Value));
    if (T.Field == "check")
      return globMatches(T.Value, F.Check);
    if (!P)
      return false; // Precision, category, tags and ids are catalog metadata.
    if (T.Field == "precision")
      return compareRank(CatalogView::precisionRank(P->Precision), T.Op,
                         CatalogView::precisionRank(T.Value));
    if (T.Field == "category")
      return globMatches(T.Value, P->Category);
    if (T.Field == "pattern")
      return globMatches(T.Value, P->Id);
    return llvm::any_of(P->Tags, [&](const std::string &Tag) { return globMatches(T.Value, Tag); });
  };
  return llvm::any_of(Alternatives, [&](const std::vector<Term> &Terms) {
    return llvm::all_of(Terms, Holds);
  });
}

ChangedLines ChangedLines::parseDiff(llvm::StringRef Diff, llvm::StringRef Root, bool GitPrefixes) {
  ChangedLines Result;
  std::string Current;
  unsigned NewLine = 0; // The new-side line the next hunk line is on.
  llvm::SmallVector<llvm::StringRef> Lines;
  Diff.split(Lines, '\n');
  for (llvm::StringRef Line : Lines) {
    Line = Line.rtrim("\r");
    if (Line.consume_front("+++ ")) {
      Line = Line.take_until([](char C) { return C == '\t'; });
      NewLine = 0;
      if (Line == "/dev/null") {
        Current.clear();
        continue;
      }
      // git writes "b/<path>"; `diff -u` writes the path as given.
      if (Line.starts_with("b/") && (GitPrefixes || !llvm::sys::fs::exists(Line)))
        Line = Line.drop_front(2);
      Current = absolutePath(Line, Root);
      continue;
    }
    if (Line.consume_front("@@ ")) {
      // "@@ -a,b +c,d @@": the new side starts at line c.
      size_t Plus = Line.find('+');
      llvm::StringRef Start = Plus == llvm::StringRef::npos
                                  ? ""
                                  : Line.drop_front(Plus + 1).take_while(llvm::isDigit);
      if (Start.getAsInteger(10, NewLine))
        NewLine = 0;
      continue;
    }
    if (Current.empty() || NewLine == 0 || Line.starts_with("---"))
      continue;
    // Only added lines changed; context lines (' ') just advance, removed lines ('-') do not exist
    // on the new side.
    if (Line.starts_with("+"))
      Result.Lines[Current].insert(NewLine++);
    else if (Line.starts_with(" ") || Line.empty())
      ++NewLine;
  }
  return Result;
}

llvm::Expected<ChangedLines> ChangedLines::load(llvm::StringRef DiffOrRange, llvm::StringRef Root) {
  if (llvm::sys::fs::is_regular_file(DiffOrRange)) {
    auto Buffer = llvm::MemoryBuffer::getFile(DiffOrRange);
    if (!Buffer)
      return llvm::createStringError(DiffOrRange + ": " + Buffer.getError().message());
    return parseDiff((*Buffer)->getBuffer(), Root, /*GitPrefixes=*/false);
  }
  // Not a file: a git revision range, diffed from the repository that contains Root.
  llvm::ErrorOr<std::string> Git = llvm::sys::findProgramByName("git");
  if (!Git)
    return llvm::createStringError("--changed-lines " + DiffOrRange +
                                   ": not a file, and git is not on PATH to diff it as a range");
  llvm::SmallString<128> TopFile, DiffFile;
  llvm::sys::fs::createTemporaryFile("errorshield-top", "txt", TopFile);
  llvm::sys::fs::createTemporaryFile("errorshield-diff", "diff", DiffFile);
  auto RunGit = [&](llvm::ArrayRef<llvm::StringRef> Args, llvm::StringRef Out) {
    std::optional<llvm::StringRef> Redirects[] = {std::nullopt, Out, std::nullopt};
    return llvm::sys::ExecuteAndWait(*Git, Args, std::nullopt, Redirects);
  };
  std::string RootArg = Root.str();
  int TopStatus = RunGit({"git", "-C", RootArg, "rev-parse", "--show-toplevel"}, TopFile);
  int DiffStatus = RunGit({"git", "-C", RootArg, "diff", "-U0", "--no-color", "--no-ext-diff",
                           "--src-prefix=a/", "--dst-prefix=b/", DiffOrRange},
                          DiffFile);
  auto Top = llvm::MemoryBuffer::getFile(TopFile);
  auto Diff = llvm::MemoryBuffer::getFile(DiffFile);
  llvm::sys::fs::remove(TopFile);
  llvm::sys::fs::remove(DiffFile);
  if (TopStatus != 0 || DiffStatus != 0 || !Top || !Diff)
    return llvm::createStringError("--changed-lines " + DiffOrRange +
                                   ": neither a diff file nor a git range that `git diff` accepts in " +
                                   Root);
  return parseDiff((*Diff)->getBuffer(), (*Top)->getBuffer().trim(), /*GitPrefixes=*/true);
}

bool ChangedLines::contains(llvm::StringRef AbsoluteFile, unsigned Line) const {
  auto It = Lines.find(AbsoluteFile);
  return It != Lines.end() && It->second.count(Line);
}

} // namespace errorshield
