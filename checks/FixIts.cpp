//===--- FixIts.cpp - Rewrites offered by the checks ----------------------===//

#include "FixIts.h"
#include "Expressions.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/TypeLoc.h"
#include "clang/Lex/Lexer.h"

#include <optional>

namespace clang::tidy::defer_race {

bool inMacro(SourceRange R) {
  return R.getBegin().isMacroID() || R.getEnd().isMacroID();
}

namespace {

// The statement of a block that holds S, and that block.
std::pair<const Stmt *, const CompoundStmt *>
blockStatement(const Stmt *S, BodyContext &Body) {
  if (!S || !Body.body())
    return {nullptr, nullptr};
  const ParentMap &PM = Body.parents();
  for (const Stmt *P = PM.getParent(S); P; S = P, P = PM.getParent(P))
    if (const auto *Block = llvm::dyn_cast<CompoundStmt>(P))
      return {S, Block};
  return {nullptr, nullptr};
}

std::string indentOf(SourceLocation Loc, const SourceManager &SM) {
  unsigned Column = SM.getExpansionColumnNumber(Loc);
  std::string Indent(Column > 0 ? Column - 1 : 0, ' ');
  return Indent;
}

// Whether only blanks precede Loc on its line.
bool firstOnLine(SourceLocation Loc, const SourceManager &SM) {
  bool Invalid = false;
  std::pair<FileID, unsigned> Pos = SM.getDecomposedLoc(Loc);
  llvm::StringRef Buffer = SM.getBufferData(Pos.first, &Invalid);
  if (Invalid)
    return false;
  for (unsigned Offset = Pos.second; Offset-- > 0;) {
    if (Buffer[Offset] == '\n')
      return true;
    if (Buffer[Offset] != ' ' && Buffer[Offset] != '\t')
      return false;
  }
  return true;
}

// Whether a statement may leave its block early: return, break, continue,
// goto, throw.
struct ExitFinder : RecursiveASTVisitor<ExitFinder> {
  bool Exits = false;
  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool VisitReturnStmt(ReturnStmt *) { return !(Exits = true); }
  bool VisitBreakStmt(BreakStmt *) { return !(Exits = true); }
  bool VisitContinueStmt(ContinueStmt *) { return !(Exits = true); }
  bool VisitGotoStmt(GotoStmt *) { return !(Exits = true); }
  bool VisitCXXThrowExpr(CXXThrowExpr *) { return !(Exits = true); }
};

// A pthread detached by attribute: make the attribute joinable and join right
// after the create. Only when the attribute serves this one thread.
FixIts joinAttributeDetached(const DetachedSpawn &S,
                             AnalysisContext &Analysis) {
  ASTContext &Ctx = Analysis.ast();
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  const auto *Create = llvm::dyn_cast_or_null<CallExpr>(S.Start);
  const CallExpr *Attr = S.DetachedAttribute;
  // Only when the attribute is set here: a helper that sets it may serve
  // other threads.
  const FunctionDecl *SetState = Attr ? Attr->getDirectCallee() : nullptr;
  if (!Create || !Attr || !S.ThreadVar || !LO.CPlusPlus11 || !SetState ||
      !SetState->getIdentifier() ||
      SetState->getName() != "pthread_attr_setdetachstate" ||
      Attr->getNumArgs() != 2 || Create->getNumArgs() != 4 ||
      inMacro(Create->getSourceRange()))
    return {};
  const auto *AttrRef =
      llvm::dyn_cast<UnaryOperator>(ignoreWrappers(Create->getArg(1)));
  const auto *AttrVar =
      AttrRef
          ? llvm::dyn_cast<DeclRefExpr>(ignoreWrappers(AttrRef->getSubExpr()))
          : nullptr;
  if (!AttrVar)
    return {};
  const Stmt *OwnerBody = owningBody(S.ThreadVar);
  if (!OwnerBody)
    return {};
  BodyContext &Body = Analysis.body(OwnerBody);
  unsigned Creates = 0;
  for (const BodyIndex::CallRef &Ref :
       Body.index().callsMentioning(AttrVar->getDecl())) {
    if (!Ref.Direct)
      continue;
    const CallExpr *C = Ref.Call;
    const FunctionDecl *FD = C->getDirectCallee();
    if (FD && FD->getIdentifier() && FD->getName() == "pthread_create" &&
        C->getNumArgs() == 4)
      if (const auto *U =
              llvm::dyn_cast<UnaryOperator>(ignoreWrappers(C->getArg(1))))
        if (const auto *D =
                llvm::dyn_cast<DeclRefExpr>(ignoreWrappers(U->getSubExpr()));
            D && D->getDecl() == AttrVar->getDecl())
          ++Creates;
  }
  auto [Statement, Block] = blockStatement(Create, Body);
  if (Creates != 1 || !Block ||
      ignoreWrappers(llvm::dyn_cast<Expr>(Statement)) != Create)
    return {};
  CharSourceRange State = Lexer::makeFileCharRange(
      CharSourceRange::getTokenRange(Attr->getArg(1)->getSourceRange()), SM,
      LO);
  SourceLocation AfterSemi =
      Lexer::findLocationAfterToken(Create->getEndLoc(), tok::semi, SM, LO,
                                    /*SkipTrailingWhitespaceAndNewLine=*/false);
  if (State.isInvalid() || AfterSemi.isInvalid())
    return {};
  FixIts Fixes;
  Fixes.push_back(
      FixItHint::CreateReplacement(State, "PTHREAD_CREATE_JOINABLE"));
  Fixes.push_back(FixItHint::CreateInsertion(
      AfterSemi, "\n" + indentOf(Statement->getBeginLoc(), SM) +
                     "pthread_join(" + S.ThreadVar->getNameAsString() +
                     ", nullptr);"));
  return Fixes;
}

// A boost::thread that its destructor would detach: join it at the end of its
// scope, when nothing leaves the scope early.
FixIts joinAtScopeEnd(const DetachedSpawn &S, AnalysisContext &Analysis) {
  const SourceManager &SM = Analysis.ast().getSourceManager();
  const VarDecl *T = S.ThreadVar;
  if (!T || inMacro(T->getSourceRange()))
    return {};
  SourceLocation End = Analysis.endOfScope(T);
  if (End.isInvalid() || End.isMacroID() || !firstOnLine(End, SM))
    return {};
  bool Invalid = false;
  if (*SM.getCharacterData(End, &Invalid) != '}' || Invalid)
    return {};
  // Statements after the declaration must not leave the block early.
  const Stmt *OwnerBody = owningBody(T);
  if (!OwnerBody)
    return {};
  BodyContext &Body = Analysis.body(OwnerBody);
  const DeclStmt *Decl = Body.index().declStmtOf(T);
  const auto *Block = llvm::dyn_cast_or_null<CompoundStmt>(
      Decl ? Body.parents().getParent(Decl) : nullptr);
  if (!Block)
    return {};
  ExitFinder Exit;
  bool After = false;
  for (const Stmt *St : Block->body()) {
    if (After)
      Exit.TraverseStmt(const_cast<Stmt *>(St));
    After |= St == Decl;
  }
  if (Exit.Exits)
    return {};
  std::string DeclIndent = indentOf(T->getBeginLoc(), SM);
  std::string BraceIndent = indentOf(End, SM);
  if (DeclIndent.size() < BraceIndent.size())
    return {};
  FixIts Fixes;
  Fixes.push_back(FixItHint::CreateInsertion(
      End, std::string(DeclIndent.size() - BraceIndent.size(), ' ') +
               T->getNameAsString() + ".join();\n" + BraceIndent));
  return Fixes;
}

// Whether boost::asio::use_future is declared in this translation unit, so
// that a fix may name it.
bool useFutureDeclared(ASTContext &Ctx) {
  const DeclContext *DC = Ctx.getTranslationUnitDecl();
  for (llvm::StringRef Name : {"boost", "asio"}) {
    const NamespaceDecl *NS = nullptr;
    for (const NamedDecl *D : DC->lookup(&Ctx.Idents.get(Name))) {
      NS = llvm::dyn_cast<NamespaceDecl>(D);
      if (NS)
        break;
    }
    if (!NS)
      return false;
    DC = NS;
  }
  return !DC->lookup(&Ctx.Idents.get("use_future")).empty();
}

// Work posted to an executor: complete a use_future and wait for it. The
// executor that runs the work stays the same.
FixIts waitForExecutorWork(const DetachedSpawn &S, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  const auto *Call = llvm::dyn_cast_or_null<CallExpr>(S.Start);
  if (!Call || S.FutureToken || inMacro(Call->getSourceRange()) ||
      !useFutureDeclared(Ctx))
    return {};
  SourceLocation AfterCall =
      Lexer::getLocForEndOfToken(Call->getRParenLoc(), 0, SM, LO);
  FixIts Fixes;
  if (S.Token) {
    // co_spawn(ex, work, detached) -> co_spawn(ex, work, use_future).wait()
    if (inMacro(S.Token->getSourceRange()))
      return {};
    Fixes.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getTokenRange(S.Token->getSourceRange()),
        "boost::asio::use_future"));
  } else if (S.Handler) {
    // post(ex, f) -> post(ex, use_future(f)).wait()
    SourceRange H = S.Handler->getSourceRange();
    if (inMacro(H))
      return {};
    Fixes.push_back(
        FixItHint::CreateInsertion(H.getBegin(), "boost::asio::use_future("));
    Fixes.push_back(FixItHint::CreateInsertion(
        Lexer::getLocForEndOfToken(H.getEnd(), 0, SM, LO), ")"));
  } else {
    return {};
  }
  Fixes.push_back(FixItHint::CreateInsertion(AfterCall, ".wait()"));
  return Fixes;
}

FixIts joinFixes(const DetachedSpawn &S, AnalysisContext &Analysis) {
  ASTContext &Ctx = Analysis.ast();
  FixIts Fixes;
  if (S.Kind == SpawnKind::Executor)
    return waitForExecutorWork(S, Ctx);
  if (!S.Detach && S.DetachedAttribute)
    return joinAttributeDetached(S, Analysis);
  if (!S.Detach && S.Kind == SpawnKind::BoostThread)
    return joinAtScopeEnd(S, Analysis);
  if (!S.Detach || inMacro(S.Detach->getSourceRange()))
    return Fixes;
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(S.Detach)) {
    const auto *ME =
        llvm::dyn_cast<MemberExpr>(MC->getCallee()->IgnoreParens());
    if (!ME || ME->getMemberLoc().isMacroID())
      return Fixes;
    Fixes.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getTokenRange(ME->getMemberLoc()), "join"));
    return Fixes;
  }
  // pthread_detach(t) -> pthread_join(t, nullptr)
  if (!Ctx.getLangOpts().CPlusPlus11 || S.Detach->getNumArgs() != 1)
    return Fixes;
  SourceLocation Callee = S.Detach->getCallee()->getBeginLoc();
  Fixes.push_back(FixItHint::CreateReplacement(
      CharSourceRange::getTokenRange(Callee), "pthread_join"));
  Fixes.push_back(
      FixItHint::CreateInsertion(S.Detach->getRParenLoc(), ", nullptr"));
  return Fixes;
}

} // namespace

JoinFix joinInsteadOfDetach(const DetachedSpawn &S, const Stmt *Code,
                            const VarDecl *Guard, AnalysisContext &Analysis) {
  JoinFix Result;
  Result.Risk = joinRisk(S, Code, Guard, Analysis);
  if (!Result.Risk)
    Result.Fixes = joinFixes(S, Analysis);
  return Result;
}

namespace {

// The location of the '&' written before an explicit by-reference capture.
SourceLocation ampersandBefore(SourceLocation Name, const SourceManager &SM) {
  bool Invalid = false;
  const char *Text = SM.getCharacterData(Name, &Invalid);
  if (Invalid || !Text)
    return {};
  std::pair<FileID, unsigned> Pos = SM.getDecomposedLoc(Name);
  llvm::StringRef Buffer = SM.getBufferData(Pos.first, &Invalid);
  if (Invalid)
    return {};
  for (unsigned Offset = Pos.second; Offset-- > 0;) {
    char C = Buffer[Offset];
    if (C == ' ' || C == '\t' || C == '\n' || C == '\r')
      continue;
    if (C == '&')
      return Name.getLocWithOffset(static_cast<int>(Offset) -
                                   static_cast<int>(Pos.second));
    return {};
  }
  return {};
}

} // namespace

FixIts captureByCopy(const LambdaExpr *L, llvm::ArrayRef<CaptureChange> Changes,
                     bool Mutable, ASTContext &Ctx) {
  FixIts Fixes;
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  if (!L || inMacro(L->getSourceRange()) || Changes.empty())
    return {};
  std::string Appended;
  for (const CaptureChange &Change : Changes) {
    const LambdaCapture *Found = nullptr;
    for (const LambdaCapture &C : L->captures()) {
      if (Change.Var
              ? (C.capturesVariable() && C.getCapturedVar() == Change.Var)
              : C.capturesThis()) {
        Found = &C;
        break;
      }
    }
    if (!Found)
      return {};
    if (!Change.Var) {
      // `this` -> `*this` (C++17).
      if (!LO.CPlusPlus17)
        return {};
      if (Found->isImplicit())
        Appended += ", *this";
      else
        Fixes.push_back(FixItHint::CreateReplacement(
            CharSourceRange::getTokenRange(Found->getLocation()), "*this"));
      continue;
    }
    if (Found->getCaptureKind() != LCK_ByRef)
      continue;
    std::string Name = Change.Var->getNameAsString();
    if (Change.Move && !LO.CPlusPlus14)
      return {};
    std::string Copy = Name;
    if (Change.Move)
      Copy.append(" = std::move(").append(Name).append(")");
    if (Found->isImplicit()) {
      Appended += ", " + Copy;
      continue;
    }
    if (Change.Var->isInitCapture()) {
      if (Change.Move)
        return {};
    }
    SourceLocation Amp = ampersandBefore(Found->getLocation(), SM);
    if (Amp.isInvalid())
      return {};
    if (Change.Move && !Change.Var->isInitCapture())
      Fixes.push_back(FixItHint::CreateReplacement(
          CharSourceRange::getTokenRange(Amp, Found->getLocation()), Copy));
    else
      Fixes.push_back(FixItHint::CreateRemoval(
          CharSourceRange::getCharRange(Amp, Found->getLocation())));
  }
  if (!Appended.empty()) {
    if (L->getCaptureDefault() == LCD_None)
      return {};
    Fixes.push_back(
        FixItHint::CreateInsertion(L->getIntroducerRange().getEnd(), Appended));
  }
  if (Mutable && !L->isMutable()) {
    if (L->hasExplicitParameters()) {
      const TypeSourceInfo *TSI = L->getCallOperator()->getTypeSourceInfo();
      auto FTL = TSI ? TSI->getTypeLoc().getAsAdjusted<FunctionTypeLoc>()
                     : FunctionTypeLoc();
      if (!FTL || FTL.getRParenLoc().isInvalid())
        return {};
      SourceLocation After =
          Lexer::getLocForEndOfToken(FTL.getRParenLoc(), 0, SM, LO);
      Fixes.push_back(FixItHint::CreateInsertion(After, " mutable"));
    } else {
      SourceLocation After = Lexer::getLocForEndOfToken(
          L->getIntroducerRange().getEnd(), 0, SM, LO);
      Fixes.push_back(FixItHint::CreateInsertion(After, "() mutable"));
    }
  }
  return Fixes;
}

FixIts snapshotBefore(const Stmt *Anchor, const VarDecl *V,
                      llvm::ArrayRef<const DeclRefExpr *> Uses,
                      const Stmt *FunctionBody, AnalysisContext &Analysis) {
  const SourceManager &SM = Analysis.ast().getSourceManager();
  if (!Anchor || !V || Uses.empty() || !FunctionBody ||
      !isCopyConstructible(V->getType().getNonReferenceType()) ||
      V->getType()->isPointerType())
    return {};
  // The statement of the block that holds the anchor.
  BodyContext &Body = Analysis.body(FunctionBody);
  const ParentMap &PM = Body.parents();
  const Stmt *Statement = Anchor;
  const CompoundStmt *Block = nullptr;
  for (const Stmt *P = PM.getParent(Statement); P;
       Statement = P, P = PM.getParent(P)) {
    Block = llvm::dyn_cast<CompoundStmt>(P);
    if (Block)
      break;
    // The declaration goes just before the statement of the block: the call
    // must be that statement's own expression, not in a branch or a loop
    // body that may not run, and not behind a label.
    if (!llvm::isa<Expr>(P) && !llvm::isa<DeclStmt>(P) &&
        !llvm::isa<ReturnStmt>(P))
      return {};
  }
  // In a switch's body a later case label would jump past the new
  // declaration's initialization.
  if (!Block || inMacro(Statement->getSourceRange()) ||
      llvm::isa<SwitchCase>(Statement) || llvm::isa<LabelStmt>(Statement) ||
      llvm::isa_and_nonnull<SwitchStmt>(PM.getParent(Block)))
    return {};
  SourceLocation Insert = Statement->getBeginLoc();
  for (const DeclRefExpr *Use : Uses)
    if (inMacro(Use->getSourceRange()) ||
        !SM.isBeforeInTranslationUnit(Statement->getEndLoc(),
                                      Use->getBeginLoc()) ||
        !SM.isBeforeInTranslationUnit(Use->getEndLoc(), Block->getRBracLoc()))
      return {};
  std::string Name = V->getNameAsString() +
                     (V->getName().contains('_') ? "_snapshot" : "Snapshot");
  if (Body.index().namesAnything(Name))
    return {};
  unsigned Column = SM.getExpansionColumnNumber(Insert);
  std::string Indent(Column > 0 ? Column - 1 : 0, ' ');
  FixIts Fixes;
  Fixes.push_back(FixItHint::CreateInsertion(
      Insert,
      "const auto " + Name + " = " + V->getNameAsString() + ";\n" + Indent));
  for (const DeclRefExpr *Use : Uses)
    Fixes.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getTokenRange(Use->getLocation()), Name));
  return Fixes;
}

namespace {

const CXXRecordDecl *classOf(QualType T) {
  T = T.getNonReferenceType().getCanonicalType();
  while (const ArrayType *AT = T->getAsArrayTypeUnsafe())
    T = AT->getElementType().getCanonicalType();
  return T->getAsCXXRecordDecl();
}

} // namespace

namespace {

/// Whether the copy (or move) constructor that \p RD declares is callable
/// from outside the class; unset when RD declares none and the implicit
/// rules decide.
std::optional<bool> declaredConstructor(const CXXRecordDecl *RD, bool Move) {
  for (const CXXConstructorDecl *Ctor : RD->ctors())
    if (Move ? Ctor->isMoveConstructor() : Ctor->isCopyConstructor())
      return !Ctor->isDeleted() && Ctor->getAccess() == AS_public;
  return std::nullopt;
}

const CXXRecordDecl *constructibleCandidate(QualType T, bool &Trivial) {
  Trivial = false;
  if (T.isNull() || T->isDependentType())
    return nullptr;
  const CXXRecordDecl *RD = classOf(T);
  if (!RD) {
    Trivial = !T->isFunctionType();
    return nullptr;
  }
  return RD->getDefinition();
}

} // namespace

bool isCopyConstructible(QualType T) {
  bool Trivial;
  const CXXRecordDecl *RD = constructibleCandidate(T, Trivial);
  if (!RD)
    return Trivial;
  if (std::optional<bool> Declared = declaredConstructor(RD, /*Move=*/false))
    return *Declared;
  return RD->needsImplicitCopyConstructor() &&
         !RD->defaultedCopyConstructorIsDeleted();
}

bool isMoveConstructible(QualType T) {
  bool Trivial;
  const CXXRecordDecl *RD = constructibleCandidate(T, Trivial);
  if (!RD)
    return Trivial;
  if (std::optional<bool> Declared = declaredConstructor(RD, /*Move=*/true))
    return *Declared;
  if (RD->needsImplicitMoveConstructor())
    return !RD->defaultedMoveConstructorIsDeleted();
  return isCopyConstructible(T);
}

CopyFix copyCapturesFix(const LambdaExpr *L, llvm::ArrayRef<Write> Writes,
                        ASTContext &Ctx) {
  CopyFix Result;
  if (!L)
    return Result;
  llvm::SmallVector<CaptureChange, 2> Changes;
  auto Add = [&](const VarDecl *V, SourceLocation Loc) {
    for (const CaptureChange &C : Changes)
      if (C.Var == V)
        return;
    Changes.push_back({V, /*Move=*/false});
    if (Result.Loc.isInvalid())
      Result.Loc = Loc;
    if (!Result.What.empty())
      Result.What += ", ";
    Result.What += V ? V->getNameAsString() : std::string("this");
  };
  for (const Write &W : Writes) {
    if (W.Target.Kind == ObjectRef::Local || W.Lock)
      continue;
    const Expr *Root = accessRoot(W.Access);
    if (!Root)
      return {};
    const LambdaCapture *Capture = nullptr;
    const VarDecl *Var = nullptr;
    if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(Root))
      Var = llvm::dyn_cast<VarDecl>(DRE->getDecl());
    else if (!llvm::isa<CXXThisExpr>(Root))
      return {};
    for (const LambdaCapture &C : L->captures())
      if (Var ? (C.capturesVariable() && C.getCapturedVar() == Var)
              : C.capturesThis())
        Capture = &C;
    // The write must go through a by-reference capture of the thread's own
    // lambda, of a type that can be copied.
    if (!Capture)
      return {};
    if (Var) {
      if (Capture->getCaptureKind() != LCK_ByRef ||
          !isCopyConstructible(Var->getType()))
        return {};
    } else {
      const auto *This = llvm::cast<CXXThisExpr>(Root);
      if (Capture->getCaptureKind() == LCK_StarThis ||
          !isCopyConstructible(This->getType()->getPointeeType()))
        return {};
    }
    Add(Var,
        Capture->isImplicit() ? Root->getBeginLoc() : Capture->getLocation());
  }
  Result.Fixes = captureByCopy(L, Changes, /*Mutable=*/true, Ctx);
  if (Result.Fixes.empty())
    return {};
  return Result;
}

FixIts danglingCaptureFix(const DetachedSpawn &S, const DanglingCapture &D,
                          AnalysisContext &Analysis) {
  ASTContext &Ctx = Analysis.ast();
  const SourceManager &SM = Ctx.getSourceManager();
  const ThreadCallable &C = S.Callable;
  FixIts Fixes;
  if (D.How == DanglingKind::ByReference && D.Capture &&
      D.Capture->getCapturedVar() == D.Var) {
    QualType T = D.Var->getType();
    bool CanCopy = isCopyConstructible(T);
    bool CanMove = Ctx.getLangOpts().CPlusPlus14 && isMoveConstructible(T) &&
                   !T.isTriviallyCopyableType(Ctx) &&
                   movableIntoThread(D.Var, S, Analysis);
    if (CanCopy || CanMove) {
      bool Writes =
          Analysis.body(C.Lambda->getBody()).mutations().isMutated(D.Var);
      CaptureChange Change{D.Var, /*Move=*/CanMove};
      Fixes = captureByCopy(C.Lambda, Change, Writes, Ctx);
    }
  } else if (D.How == DanglingKind::RefArgument && D.Arg &&
             isCopyConstructible(D.Var->getType()) &&
             !inMacro(D.Arg->getSourceRange())) {
    // std::ref(n) -> n, unless the callable wants a non-const reference.
    const FunctionDecl *Target =
        C.Lambda ? C.Lambda->getCallOperator() : C.Function;
    if (Target && D.ArgIndex < Target->getNumParams()) {
      QualType P = Target->getParamDecl(D.ArgIndex)->getType();
      bool NeedsRef = P->isLValueReferenceType() &&
                      !P.getNonReferenceType().isConstQualified();
      const Expr *Inner = transparentCallArgument(D.Arg);
      if (!NeedsRef && Inner && !inMacro(Inner->getSourceRange()))
        Fixes.push_back(FixItHint::CreateReplacement(
            D.Arg->getSourceRange(),
            Lexer::getSourceText(
                CharSourceRange::getTokenRange(Inner->getSourceRange()), SM,
                Ctx.getLangOpts())));
    }
  }
  return Fixes;
}

namespace {

// The uses of a variable in a body and the lambdas in it, except in the
// lambda whose body is Skip (the detached thread's, whose writes come later),
// each with the body it is written in.
struct UsesOf : RecursiveASTVisitor<UsesOf> {
  UsesOf(const ValueDecl *Var, const Stmt *Body, const Stmt *Skip)
      : Var(Var), Skip(Skip) {
    Bodies.push_back(Body);
  }
  const ValueDecl *Var;
  const Stmt *Skip;
  llvm::SmallVector<const Stmt *, 2> Bodies;
  llvm::SmallVector<std::pair<const DeclRefExpr *, const Stmt *>, 4> Uses;

  bool TraverseLambdaExpr(LambdaExpr *L) {
    // Its captures are not uses: what its body does with them is.
    if (!L->getBody() || L->getBody() == Skip)
      return true;
    Bodies.push_back(L->getBody());
    TraverseStmt(L->getBody());
    Bodies.pop_back();
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *D) {
    if (D->getDecl() == Var)
      Uses.push_back({D, Bodies.back()});
    return true;
  }
};

bool mentions(const Expr *E, const VarDecl *V) {
  bool Found = false;
  forEachStmt(E, 256, [&](const Stmt *S) {
    const auto *DRE = llvm::dyn_cast<DeclRefExpr>(S);
    Found = DRE && DRE->getDecl() == V;
    return Found;
  });
  return Found;
}

// Whether F, or a function it passes the parameter on to (Depth levels
// down), may modify its parameter P before it returns, leaving aside the
// thread's code Skip (its writes are the race, not the synchronous effect).
bool parameterModified(const ParmVarDecl *P, const FunctionDecl *F,
                       const Stmt *Skip, unsigned Depth,
                       AnalysisContext &Analysis) {
  QualType T = P->getType();
  if (!T->isReferenceType() && !T->isPointerType())
    return false; // the callee has its own copy
  if (!F->getBody() || Depth > 3)
    return true;
  const SourceManager &SM = Analysis.ast().getSourceManager();
  UsesOf Uses(P, F->getBody(), Skip);
  Uses.TraverseStmt(const_cast<Stmt *>(F->getBody()));
  for (const auto &[Use, Body] : Uses.Uses) {
    // Passed on to a function of ours: follow it there, so that the capture
    // in the thread it starts does not count as a modification.
    const ParentMap &PM = Analysis.body(Body).parents();
    const Stmt *Arg = Use;
    const Stmt *Parent = PM.getParent(Arg);
    while (Parent &&
           (llvm::isa<ImplicitCastExpr>(Parent) ||
            llvm::isa<ParenExpr>(Parent) ||
            (llvm::isa<UnaryOperator>(Parent) &&
             llvm::cast<UnaryOperator>(Parent)->getOpcode() == UO_AddrOf))) {
      Arg = Parent;
      Parent = PM.getParent(Parent);
    }
    if (const auto *Call = llvm::dyn_cast_or_null<CallExpr>(Parent))
      if (const FunctionDecl *Callee = userDefinedCallee(Call, SM);
          Callee && !llvm::isa<CXXMethodDecl>(Callee)) {
        bool Followed = false;
        for (unsigned I = 0; I < Call->getNumArgs(); ++I)
          if (Call->getArg(I) == Arg && I < Callee->getNumParams()) {
            if (parameterModified(Callee->getParamDecl(I), Callee, Skip,
                                  Depth + 1, Analysis))
              return true;
            Followed = true;
          }
        if (Followed)
          continue;
      }
    if (Analysis.body(Body).mutations().isMutated(Use))
      return true;
  }
  return false;
}

// Whether Call may modify V before it returns, leaving aside what the thread
// whose code is Skip writes later: the callee changes the parameter V is
// passed to (in its body, in the callables of its guards, or in the functions
// it passes it on to), or V is the object of a non-const member function.
// True when the callee is not in sight.
bool modifiesSynchronously(const CallExpr *Call, const VarDecl *V,
                           const Stmt *Skip, AnalysisContext &Analysis) {
  const FunctionDecl *Callee =
      userDefinedCallee(Call, Analysis.ast().getSourceManager());
  if (!Callee || !Callee->getBody())
    return true;
  const auto *Method = llvm::dyn_cast<CXXMethodDecl>(Callee);
  bool ConstMethod = Method && (Method->isConst() || Method->isStatic());
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call))
    if (!ConstMethod && mentions(MC->getImplicitObjectArgument(), V))
      return true;
  unsigned Offset =
      llvm::isa<CXXOperatorCallExpr>(Call) && Method && !Method->isStatic() ? 1
                                                                            : 0;
  for (unsigned I = 0; I < Call->getNumArgs(); ++I) {
    if (!mentions(Call->getArg(I), V))
      continue;
    if (I < Offset) {
      if (!ConstMethod)
        return true;
      continue;
    }
    if (I - Offset >= Callee->getNumParams() ||
        parameterModified(Callee->getParamDecl(I - Offset), Callee, Skip, 0,
                          Analysis))
      return true;
  }
  return false;
}

} // namespace

FixIts snapshotFix(const Conflict &C, AnalysisContext &Analysis,
                   bool &StaleSnapshot) {
  StaleSnapshot = false;
  const WriterStart &W = *C.W;
  const ObjectRef &Root = C.R.Object;
  if (!W.Call || W.Pos.InGuard || !Root.Var || Root.Kind == ObjectRef::This ||
      (!Root.Path.empty() && Root.Path.front() == nullptr) ||
      !Root.Var->hasLocalStorage())
    return {};
  // The snapshot is taken before the call: it would lose what the callee
  // writes before it returns.
  const Stmt *ThreadCode = W.Origin ? W.Origin->Code : nullptr;
  if (modifiesSynchronously(W.Call, Root.Var, ThreadCode, Analysis)) {
    StaleSnapshot = true;
    return {};
  }
  llvm::SmallVector<const DeclRefExpr *, 4> Uses;
  for (const Read &R : C.Reads) {
    if (!R.Object.sameRoot(Root))
      continue;
    const auto *Use = llvm::dyn_cast_or_null<DeclRefExpr>(accessRoot(R.Access));
    if (R.Pos.InGuard || !Use || Use->getDecl() != Root.Var)
      return {};
    if (!llvm::is_contained(Uses, Use))
      Uses.push_back(Use);
  }
  return snapshotBefore(W.Call, Root.Var, Uses, C.Function->getBody(),
                        Analysis);
}

} // namespace clang::tidy::defer_race
