//===--- FloatMoneyCheck.cpp - errorshield-float-money --------------------===//

#include "numeric/FloatMoneyCheck.h"
#include "core/CallNames.h"
#include "core/Matchers.h"
#include "numeric/MoneyConversion.h"
#include "numeric/MoneyMatchers.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "llvm/ADT/StringExtras.h"

using namespace clang::ast_matchers;

namespace clang::tidy::errorshield {
namespace {

AST_MATCHER(FunctionDecl, returnsFloatingPoint) {
  return carriesFloatingPoint(Node.getReturnType());
}

AST_MATCHER(CXXMethodDecl, isStaticMethod) { return Node.isStatic(); }

AST_MATCHER_P(NamedDecl, declaresMoney, const MoneyLexicon *, Lexicon) {
  return Lexicon->declaresMoney(&Node);
}

/// The head word of \p Name (its last word, trailing digits dropped) is one of \p Words:
/// Money, FixedDecimal, Decimal64, CurrencyAmount; not MoneyFormatter.
bool headWordIn(StringRef Name, const std::vector<std::string> &Words) {
  llvm::SmallVector<std::string, 6> Split = splitIdentifierWords(Name);
  while (!Split.empty() && llvm::isDigit(Split.back().front()))
    Split.pop_back();
  return !Split.empty() && llvm::any_of(Words, [&](const std::string &Word) {
    return StringRef(Word).equals_insensitive(Split.back());
  });
}

/// A decimal or money class: listed, a template over a listed type (number<cpp_dec_float<50>>),
/// or whose name ends in one of \p NameWords (FixedDecimal, Money, CurrencyAmount).
AST_MATCHER_P2(CXXRecordDecl, isDecimalLike, std::vector<std::string>, Types,
               std::vector<std::string>, NameWords) {
  if (isNamedRecord(&Node, Types))
    return true;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(&Node))
    for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray())
      if (Arg.getKind() == TemplateArgument::Type &&
          isNamedRecord(Arg.getAsType()->getAsCXXRecordDecl(), Types))
        return true;
  return headWordIn(Node.getName(), NameWords);
}

/// A money class template of the project instantiated over binary floating point: the template
/// is named as money (`CurrencyAmount<double>`), or the parameter that receives the floating
/// type is (`template <class Amount> class RevenueCounter` as `RevenueCounter<double>`).
bool isFloatingMoneySpecialization(const ClassTemplateSpecializationDecl *Spec,
                                   const std::vector<std::string> &NameWords,
                                   const MoneyLexicon &Lexicon) {
  llvm::ArrayRef<TemplateArgument> Args = Spec->getTemplateArgs().asArray();
  const ClassTemplateDecl *Template = Spec->getSpecializedTemplate();
  const bool TemplateIsMoney = headWordIn(Template->getName(), NameWords);
  const TemplateParameterList *Params = Template->getTemplateParameters();
  for (unsigned I = 0; I < Args.size(); ++I) {
    if (Args[I].getKind() != TemplateArgument::Type || !Args[I].getAsType()->isRealFloatingType())
      continue;
    const NamedDecl *Param = I < Params->size() ? Params->getParam(I) : nullptr;
    if (TemplateIsMoney || (Param && Param->getIdentifier() &&
                            (headWordIn(Param->getName(), NameWords) ||
                             Lexicon.isStrong(Param->getName()))))
      return true;
  }
  return false;
}

/// A type that is such a specialization; standard and Boost containers are looked through:
/// `std::vector<Tier<double>>`.
bool isFloatingMoneyTemplate(QualType T, const std::vector<std::string> &NameWords,
                             const MoneyLexicon &Lexicon, unsigned Depth = 0) {
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType()->getAsCXXRecordDecl());
  if (!Spec || Depth > 2)
    return false;
  llvm::ArrayRef<TemplateArgument> Args = Spec->getTemplateArgs().asArray();
  static const std::vector<std::string> ValueTemplateNamespaces = {"std", "boost"};
  if (isInListedNamespace(Spec, ValueTemplateNamespaces))
    return llvm::any_of(Args, [&](const TemplateArgument &Arg) {
      return Arg.getKind() == TemplateArgument::Type &&
             isFloatingMoneyTemplate(Arg.getAsType(), NameWords, Lexicon, Depth + 1);
    });
  return isFloatingMoneySpecialization(Spec, NameWords, Lexicon);
}

AST_MATCHER_P2(ValueDecl, hasFloatingMoneyTemplateType, std::vector<std::string>, NameWords,
               const MoneyLexicon *, Lexicon) {
  return !Node.isInvalidDecl() && isFloatingMoneyTemplate(Node.getType(), NameWords, *Lexicon);
}

AST_MATCHER_P2(FunctionDecl, returnsFloatingMoneyTemplate, std::vector<std::string>, NameWords,
               const MoneyLexicon *, Lexicon) {
  return !Node.isInvalidDecl() &&
         isFloatingMoneyTemplate(Node.getReturnType(), NameWords, *Lexicon);
}

/// A member of a class template instantiation that is not itself a money template over floating
/// point: that one is reported where it is used (`RevenueCounter<double> daily;`), not in it.
AST_MATCHER_P2(FieldDecl, inPlainTemplateInstance, std::vector<std::string>, NameWords,
               const MoneyLexicon *, Lexicon) {
  const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Node.getParent());
  return Spec && !Spec->isExplicitSpecialization() &&
         !isFloatingMoneySpecialization(Spec, NameWords, *Lexicon);
}

/// The key of a JSON read: "price" in j["price"].get<double>(), j.at("price"), j.value("price", 0.0).
StringRef jsonKeyOf(const CXXMemberCallExpr *Call) {
  auto LiteralText = [](const Expr *E) -> StringRef {
    const auto *Literal = dyn_cast_or_null<StringLiteral>(stripConversions(E));
    return Literal && Literal->isOrdinary() ? Literal->getString() : StringRef();
  };
  if (Call->getMethodDecl()->getName() == "value" && Call->getNumArgs() == 2)
    return LiteralText(Call->getArg(0));
  const Expr *Object = stripConversions(Call->getImplicitObjectArgument());
  if (const auto *Subscript = dyn_cast<CXXOperatorCallExpr>(Object);
      Subscript && Subscript->getOperator() == OO_Subscript && Subscript->getNumArgs() == 2)
    return LiteralText(Subscript->getArg(1));
  if (const auto *At = dyn_cast<CXXMemberCallExpr>(Object);
      At && At->getMethodDecl() && At->getMethodDecl()->getName() == "at" && At->getNumArgs() == 1)
    return LiteralText(At->getArg(0));
  return {};
}

/// Money divided by money: `deposit_cents / (double)quote_cents` is a ratio, whatever its name.
AST_MATCHER_P(Expr, dividesMoneyByMoney, const MoneyLexicon *, Lexicon) {
  const ASTContext &Ctx = Finder->getASTContext();
  return (integerMoneyMadeFloating(&Node, *Lexicon, Ctx) || floatingMoneyIn(&Node, *Lexicon)) &&
         moneyDimension(&Node, *Lexicon, Ctx) == 0;
}

/// The variable or member the value of \p E ends up in, through the expression around it
/// (`b.amount_cents = std::llround(j.at("amount").get<double>() * 100.0)`); null if none.
static const NamedDecl *storedInto(const Expr *E, ASTContext &Ctx) {
  DynTypedNodeList Parents = Ctx.getParents(*E);
  for (unsigned Steps = 0; Steps < 8 && !Parents.empty(); ++Steps) {
    if (const auto *Var = Parents[0].get<VarDecl>())
      return Var;
    const auto *Parent = Parents[0].get<Expr>();
    if (!Parent || isa<LambdaExpr>(Parent))
      return nullptr;
    if (const auto Assignment = assignmentParts(Parent))
      return declNamedBy(Assignment->first);
    Parents = Ctx.getParents(*Parent);
  }
  return nullptr;
}

/// Another key named in \p Body is money (`"amount_cents"`, `"fee"`): beside it a weak key read
/// as floating point (`j.at("amount").get<double>()`) is the same amount in another unit.
static bool siblingKeyIsMoney(const Stmt *Body, StringRef Key, const MoneyLexicon &Lexicon,
                              ASTContext &Ctx) {
  for (const BoundNodes &Found : match(findAll(stringLiteral().bind("key")), *Body, Ctx)) {
    const auto *Literal = Found.getNodeAs<StringLiteral>("key");
    if (!Literal->isOrdinary() || Literal->getString() == Key)
      continue;
    StringRef Other = Literal->getString();
    const bool IsKey = !Other.empty() && llvm::all_of(Other, [](char C) {
      return llvm::isAlnum(C) || C == '_';
    });
    if (IsKey && (Lexicon.givesMoneyContext(Other) || Lexicon.isMinorUnits(Other)))
      return true;
  }
  return false;
}

AST_MATCHER_P(CXXMemberCallExpr, readsMoneyKey, const MoneyLexicon *, Lexicon) {
  if (Node.getBeginLoc().isMacroID()) // NLOHMANN_DEFINE_TYPE_*: the field itself is reported
    return false;
  StringRef Key = jsonKeyOf(&Node);
  if (Key.empty())
    return false;
  if (Lexicon->keyIsMoney(Key, enclosingFunctionDecl(&Node, Finder->getASTContext(),
                                                     /*StopAtLambdas=*/false)))
    return true;
  if (!Lexicon->isWeak(Key))
    return false;
  // A weak key (`amount`) whose value is stored as money (`amount_cents`), or read beside keys
  // that are money.
  ASTContext &Ctx = Finder->getASTContext();
  const NamedDecl *Target = storedInto(&Node, Ctx);
  if (Target && Target->getIdentifier() && Lexicon->isStrong(Target->getName()))
    return true;
  // Stored into a member named as money, it is reported there already (`e.net_pay = ...`).
  if (Target && Lexicon->declaresMoney(Target))
    return false;
  const Stmt *Body = enclosingFunctionBody(&Node, Ctx, /*StopAtLambdas=*/false);
  return Body && siblingKeyIsMoney(Body, Key, *Lexicon, Ctx);
}

} // namespace

FloatMoneyCheck::FloatMoneyCheck(StringRef Name, ClangTidyContext *Context)
    : ErrorShieldCheck(Name, Context), StrongMoneyWords(listOption("StrongMoneyWords")),
      WeakMoneyWords(listOption("WeakMoneyWords")), CurrencyCodes(listOption("CurrencyCodes")),
      MoneyRecordWords(listOption("MoneyRecordWords")), NonMoneyWords(listOption("NonMoneyWords")),
      DecimalTypes(listOption("DecimalTypes")), DecimalNameWords(listOption("DecimalNameWords")),
      DecimalFactories(listOption("DecimalFactories")), JsonTypes(listOption("JsonTypes")),
      JsonReadMethods(listOption("JsonReadMethods")), MinorUnitWords(listOption("MinorUnitWords")),
      PeriodWords(listOption("PeriodWords")), RoundingFunctions(listOption("RoundingFunctions")),
      Lexicon(StrongMoneyWords, WeakMoneyWords, CurrencyCodes, MoneyRecordWords, NonMoneyWords,
              MinorUnitWords, PeriodWords) {}

void FloatMoneyCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  storeList(Opts, "StrongMoneyWords", StrongMoneyWords);
  storeList(Opts, "WeakMoneyWords", WeakMoneyWords);
  storeList(Opts, "CurrencyCodes", CurrencyCodes);
  storeList(Opts, "MoneyRecordWords", MoneyRecordWords);
  storeList(Opts, "NonMoneyWords", NonMoneyWords);
  storeList(Opts, "MinorUnitWords", MinorUnitWords);
  storeList(Opts, "PeriodWords", PeriodWords);
  storeList(Opts, "RoundingFunctions", RoundingFunctions);
  storeList(Opts, "DecimalTypes", DecimalTypes);
  storeList(Opts, "DecimalNameWords", DecimalNameWords);
  storeList(Opts, "DecimalFactories", DecimalFactories);
  storeList(Opts, "JsonTypes", JsonTypes);
  storeList(Opts, "JsonReadMethods", JsonReadMethods);
}

void FloatMoneyCheck::registerCheckMatchers(MatchFinder *Finder) {
  using namespace matchers;
  const auto MoneyName = declaresMoney(&Lexicon);
  // Code in system headers is never reported, so it is not matched either: the lexicon and type
  // tests below would otherwise run on every declaration of the standard library, Boost and JSON.
  const auto InUserCode = unless(isExpansionInSystemHeader());
  const auto FloatingMoneyVariable =
      declaratorDecl(InUserCode, anyOf(varDecl(), fieldDecl()), unless(isImplicit()),
                     hasFloatingPointType(), MoneyName,
                     unless(varDecl(hasInitializer(dividesMoneyByMoney(&Lexicon)))));

  // 1. Declarations: double price; std::optional<double> fee; double totalPrice();
  //    Money<double> fees; (a money class template over double, whatever the name)
  Finder->addMatcher(
      declaratorDecl(FloatingMoneyVariable, unless(isInstantiated())).bind("decl"), this);
  // template <class Num> struct Refund { Num refund_amount; }; used as Refund<double>: reported
  // at the template's member (the same place for every such instantiation).
  Finder->addMatcher(fieldDecl(FloatingMoneyVariable, isInstantiated(),
                               inPlainTemplateInstance(DecimalNameWords, &Lexicon))
                         .bind("decl"),
                     this);
  Finder->addMatcher(declaratorDecl(InUserCode, anyOf(varDecl(), fieldDecl()),
                                    unless(isImplicit()), unless(isInstantiated()),
                                    unless(hasFloatingPointType()),
                                    hasFloatingMoneyTemplateType(DecimalNameWords, &Lexicon))
                         .bind("decl"),
                     this);
  Finder->addMatcher(bindingDecl(InUserCode, hasFloatingPointType(), MoneyName,
                                 unless(isInstantiated()))
                         .bind("decl"),
                     this); // for (auto &[driver, tip] : tips)
  Finder->addMatcher(functionDecl(InUserCode, unless(isImplicit()), unless(isInstantiated()),
                                  returnsFloatingPoint(), MoneyName)
                         .bind("function"),
                     this);
  Finder->addMatcher(functionDecl(InUserCode, unless(isImplicit()), unless(isInstantiated()),
                                  returnsFloatingMoneyTemplate(DecimalNameWords, &Lexicon))
                         .bind("function"),
                     this); // std::vector<LineItem<double>> legacy_invoice();

  // 2. Decimal or money types built from a double.
  const auto DecimalType =
      hasType(hasUnqualifiedDesugaredType(recordType(hasDeclaration(
          cxxRecordDecl(isDecimalLike(DecimalTypes, DecimalNameWords))))));
  const auto FloatingArgument =
      expr(unless(cxxDefaultArgExpr()), ignoringImplicit(expr(hasType(realFloatingPointType()))))
          .bind("argument");
  Finder->addMatcher(
      traverse(TK_AsIs, cxxConstructExpr(InUserCode, DecimalType, hasAnyArgument(FloatingArgument),
                                         unless(isInTemplateInstantiation()))
                            .bind("decimal")),
      this);
  Finder->addMatcher(
      traverse(TK_AsIs,
               cxxOperatorCallExpr(InUserCode, hasOverloadedOperatorName("="),
                                   hasArgument(0, DecimalType),
                                   hasArgument(1, FloatingArgument),
                                   unless(isInTemplateInstantiation()))
                   .bind("decimal")),
      this);
  Finder->addMatcher(
      callExpr(InUserCode,
               callee(cxxMethodDecl(isStaticMethod(), hasAnyListedName(DecimalFactories),
                                    ofClass(isDecimalLike(DecimalTypes, DecimalNameWords)))),
               hasAnyArgument(FloatingArgument), unless(isInTemplateInstantiation()))
          .bind("decimal"),
      this);

  // 3. JSON money read as a double: j["price"].get<double>(), j.value("fee", 0.0), double x = j["tax"].
  const auto JsonType = hasType(hasUnqualifiedDesugaredType(
      recordType(hasDeclaration(cxxRecordDecl(hasAnyListedName(JsonTypes))))));
  const auto OnJson = on(JsonType);
  const auto JsonRead = cxxMemberCallExpr(
      InUserCode, OnJson, readsMoneyKey(&Lexicon),
      anyOf(allOf(callee(cxxMethodDecl(hasAnyListedName(JsonReadMethods))),
                  hasType(realFloatingPointType())),
            allOf(callee(cxxMethodDecl(hasName("get_to"))),
                  hasArgument(0, hasType(realFloatingPointType()))),
            allOf(callee(cxxConversionDecl()), hasType(realFloatingPointType()))),
      // `double price = j["price"]` is already reported at `price`, and `return j.value("fee",
      // 0.0);` at a function whose name and type say it returns money in floating point.
      unless(hasAncestor(varDecl(FloatingMoneyVariable))),
      unless(hasAncestor(stmt(anyOf(returnStmt(), coreturnStmt()),
                              forFunction(functionDecl(returnsFloatingPoint(), MoneyName))))),
      unless(isInTemplateInstantiation()));
  Finder->addMatcher(traverse(TK_AsIs, JsonRead.bind("json")), this);

  registerFlowMatchers(Finder);
}

void FloatMoneyCheck::suggestAlternative(SourceLocation Loc) {
  diag(Loc, "hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed "
            "from a string",
       DiagnosticIDs::Note);
}

void FloatMoneyCheck::check(const MatchFinder::MatchResult &Result) {
  if (const auto *D = Result.Nodes.getNodeAs<ValueDecl>("decl")) {
    report(D->getLocation(), "'%0' carries money in binary floating-point type %1")
        << D->getName()
        << (isa<BindingDecl>(D) ? D->getType().getCanonicalType() : D->getType());
    return suggestAlternative(D->getLocation());
  }
  if (const auto *Fn = Result.Nodes.getNodeAs<FunctionDecl>("function")) {
    report(Fn->getLocation(), "'%0' returns money in binary floating-point type %1")
        << Fn->getName() << Fn->getReturnType();
    return suggestAlternative(Fn->getLocation());
  }
  if (const auto *Arg = Result.Nodes.getNodeAs<Expr>("argument");
      Arg && Result.Nodes.getNodeAs<Expr>("decimal")) {
    const auto *Decimal = Result.Nodes.getNodeAs<Expr>("decimal");
    QualType Type = isa<CXXOperatorCallExpr>(Decimal)
                        ? cast<CXXOperatorCallExpr>(Decimal)->getArg(0)->getType()
                        : Decimal->getType();
    report(Arg->getBeginLoc(),
           "decimal type %0 is constructed from a binary floating-point %1; the double's "
           "rounding error is kept")
        << Type.getUnqualifiedType() << Arg->IgnoreImplicit()->getType();
    return suggestAlternative(Arg->getBeginLoc());
  }
  if (const auto *Scaled = Result.Nodes.getNodeAs<BinaryOperator>("scaled"))
    return reportScaled(Result, Scaled);
  if (const auto *Converted = Result.Nodes.getNodeAs<Expr>("converted"))
    return reportConversion(Result, Converted);
  if (const auto *Read = Result.Nodes.getNodeAs<CXXMemberCallExpr>("json")) {
    SourceLocation Loc = isa<CXXConversionDecl>(Read->getMethodDecl()) ? Read->getBeginLoc()
                                                                        : Read->getExprLoc();
    report(Loc, "JSON money field '%0' is read as binary floating point")
        << jsonKeyOf(Read);
    return suggestAlternative(Loc);
  }
}

} // namespace clang::tidy::errorshield
