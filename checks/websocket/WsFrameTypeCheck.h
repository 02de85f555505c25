//===--- WsFrameTypeCheck.h - errorshield-ws-frame-type -----------*- C++ -*-===//

#ifndef ERRORSHIELD_WEBSOCKET_WSFRAMETYPECHECK_H
#define ERRORSHIELD_WEBSOCKET_WSFRAMETYPECHECK_H

#include "core/ErrorShieldCheck.h"
#include "websocket/StreamModel.h"

namespace clang::tidy::errorshield {

/// Finds text/binary confusion on WebSocket streams: the bytes of a message read from a stream
/// handed to a text parser while the stream's owner never checks got_text()/got_binary(), and a
/// byte buffer written on a stream set to text mode. Reads, parses and mode changes may sit in
/// different member functions, so they are collected and judged at the end of the translation unit.
///
/// For the user-facing documentation see: docs/checks/errorshield-ws-frame-type.md
class WsFrameTypeCheck : public ErrorShieldCheck {
public:
  WsFrameTypeCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerCheckMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

  enum class Mode { Text, Binary, Unknown };

private:
  /// The buffers whose bytes \p E is made of (`b.data()` calls found under \p E, following local
  /// variables to what is stored into them).
  void bufferSources(const Expr *E, unsigned Depth, std::vector<ws::ObjectKey> &Out) const;
  /// What a written buffer holds, when it is known to be bytes or serialized text.
  enum class Payload {
    None,
    DeclaredBytes,
    RawObject,
    SerializedBytes,
    FileBytes,
    SerializedText
  };
  struct PayloadSource {
    Payload Kind = Payload::None;
    std::string Name; ///< The variable, or the serializer.
  };
  /// What \p Buffer, written by \p Write in \p Function, is made of: a variable declared as
  /// bytes, the raw bytes of an object (`net::buffer(&header, sizeof header)`), or the result of
  /// a BinarySerializers or TextSerializers call, directly or through a local initialized with it
  /// or a variable last assigned one before the write in the same function.
  PayloadSource payloadOf(const Expr *Buffer, const Expr *Write, const FunctionDecl *Function,
                          unsigned Depth = 3) const;
  /// How a finding names what a buffer holds: "'png', declared as bytes,", "the text 'dump'
  /// produces", ... (empty for Payload::None).
  static std::string describe(const PayloadSource &Source);
  bool isByteType(QualType T) const;
  /// Bytes read from a file (FrameTypeFiles.cpp). The local file stream \p E names, when it is
  /// opened in binary mode (`std::ifstream in(path, std::ios::binary)`, or `in.open(...)`).
  const VarDecl *binaryFileStream(const Expr *E) const;
  /// The binary file stream \p E is built from (`std::istreambuf_iterator<char>(in)` in it).
  const VarDecl *builtFromBinaryFile(const Expr *E) const;
  /// Local \p Buffer of \p Function is initialized from a binary file or filled by its
  /// `read()` (`in.read(chunk.data(), n)`).
  bool filledFromBinaryFile(const ValueDecl *Buffer, const FunctionDecl *Function) const;
  /// \p Callee returns a binary file's contents (`load_part_pdf(part)`).
  bool returnsBinaryFile(const FunctionDecl *Callee) const;

  /// True when nothing the translation unit cannot see may set \p Stream's mode: the owner's
  /// members are all defined here and the stream is not handed to a function of the project.
  bool modeSettersAllSeen(const ws::ObjectKey &Stream, const SourceManager &SM) const;

  const std::vector<std::string> StreamTypes;
  const std::vector<std::string> ReadMethods;
  const std::vector<std::string> WriteMethods;
  const std::vector<std::string> FrameTypeQueries;
  const std::vector<std::string> TextModeSetters;
  const std::vector<std::string> BinaryModeSetters;
  const std::vector<std::string> BufferDataMethods;
  const std::vector<std::string> TextParsers;
  const std::vector<std::string> BufferFunctions;
  const std::vector<std::string> ByteContainerTypes;
  const std::vector<std::string> ByteElementTypes;
  const std::vector<std::string> TextSerializers;
  const std::vector<std::string> BinarySerializers;
  const std::vector<std::string> PointerFactories;
  const std::vector<std::string> FileStreamTypes;
  /// Parses that report bad input instead of throwing (`parse(text, nullptr, false)`, an
  /// error_code argument) are not findings.
  const bool IgnoreNonThrowingParses;

  struct Read {
    ws::ObjectKey Buffer;
    std::optional<ws::ObjectKey> Stream;
    bool Borrowed = false; ///< The reading function was lent the stream (judged on its own).
    const CallExpr *Call = nullptr;
  };
  struct Parse {
    SourceLocation Loc;
    std::string Parser;
    std::vector<ws::ObjectKey> Buffers;
    const CallExpr *Call;
  };
  struct Query {
    const CallExpr *Call;
    ws::ObjectKey Stream;
  };
  /// For a parse of a message from a stream its owner does check: a finding when the queries of
  /// the parse's own function leave it outside the text branch, or when that function reads the
  /// message itself and asks nothing.
  void judgeParseAgainstQueries(const Parse &P, const Read &R);
  /// Whether \p Calls (the calls of a function) leave a frame of \p Stream unchecked: a caller
  /// that asks got_text()/got_binary() so that the answer does not cover the call, or a chain of
  /// callers (up to \p Depth) none of which asks, up to a function nothing here calls (a
  /// completion handler). \p Via is set to the first caller on such a chain.
  enum class Chain { Guarded, Unguarded, Unknown };
  Chain callChain(llvm::ArrayRef<const CallExpr *> Calls, const ws::ObjectKey &Stream,
                  unsigned Depth, const FunctionDecl *&Via) const;
  struct ModeSet {
    ws::ObjectKey Stream;
    SourceLocation Loc;
    const FunctionDecl *Function;
    Mode Set;
    const Stmt *Block; ///< The innermost block around the setter: it decides only inside it.
    StringRef FlagName; ///< The variable or member the setter is given, if it names one.
  };
  /// A call telling a function of the project, through a bool parameter named for the frame type,
  /// that bytes are text or that text is binary; or a record built for a write queue whose bool
  /// field named for the frame type says so (`Outgoing{bytes, /*binary=*/false}`).
  struct FlaggedPayload {
    SourceLocation Loc;
    std::string Target; ///< The function called, or the record built.
    StringRef Flag;     ///< The parameter or field.
    PayloadSource Source;
    bool Value; ///< The constant the flag is given.
  };
  void noteFlaggedPayload(const CallExpr *Call, const FunctionDecl *Function, ASTContext &Ctx);
  void noteFlaggedRecord(const InitListExpr *Init, const FunctionDecl *Function, ASTContext &Ctx);
  /// Records the operands of a flagged call or record (all but the flag at \p FlagIndex) whose
  /// payload the flag misnames.
  void noteFlaggedOperands(SourceLocation Loc, const std::string &Target, const ValueDecl *Flag,
                           bool On, bool SaysBinary, llvm::ArrayRef<const Expr *> Operands,
                           unsigned FlagIndex, const Expr *At, const FunctionDecl *Function);
  std::vector<FlaggedPayload> Flagged;
  struct ByteWrite {
    SourceLocation Loc;
    std::string Method;
    ws::ObjectKey Stream;
    const FunctionDecl *Function;
    PayloadSource Source;
    const CallExpr *Call;
    bool Borrowed; ///< A stream the function does not own: only its own setters tell the mode.
    /// For a write in a function template of a payload parameter whose type is the template's:
    /// the call that instantiated it, where the wrong payload is chosen and the finding goes.
    SourceLocation CallSite = {};
  };
  /// The mode \p W's stream is in when it writes, from the setters seen.
  /// The mode of a helper's lent stream: text when no call of the helper is seen.
  Mode lentStreamsMode(const ByteWrite &W) const;
  /// True when lending a stream to \p Helper may leave it in a mode other than text.
  bool mayLeaveOtherMode(const FunctionDecl *Helper, const SourceManager &SM) const;
  /// The mode of the caller's own stream \p Lent when \p Call lends it to a helper.
  Mode modeLentAt(const CallExpr *Call, const Expr *Lent) const;
  Mode modeAt(const ByteWrite &W, const SourceManager &SM) const;
  /// The mode the last setter of \p Stream in \p Function before \p At leaves, Unknown when \p At
  /// is outside that setter's block; none without such a setter.
  std::optional<Mode> modeSetBefore(const ws::ObjectKey &Stream, const FunctionDecl *Function,
                                    SourceLocation At, const SourceManager &SM) const;
  /// True when every setter of \p Stream seen (possibly none) sets text.
  bool settersAllText(const ws::ObjectKey &Stream) const;
  /// For a write whose function sets no mode first, another function of the owner that leaves
  /// the stream in \p Wrong mode (its last setter), unless a caller of the writer sets the mode
  /// before calling it. Null when there is none.
  const FunctionDecl *leftInModeBy(const ByteWrite &W, Mode Wrong, const SourceManager &SM) const;

  std::vector<Read> Reads;
  std::vector<Parse> Parses;
  std::vector<Query> Queries;
  ASTContext *Context = nullptr;
  std::vector<ModeSet> ModeSets;
  std::vector<ByteWrite> Writes;
  ws::OwnerFacts Checked;
  const SourceManager *SM = nullptr;
};

} // namespace clang::tidy::errorshield

#endif // ERRORSHIELD_WEBSOCKET_WSFRAMETYPECHECK_H
