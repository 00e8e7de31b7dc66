//===--- GuardState.cpp - Facts: does a guard run when its scope ends? ----===//

#include "GuardState.h"
#include "Expressions.h"

#include "clang/Analysis/CFG.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {

namespace {

enum class Effect { None, Disarm, Arm };

/// A field the destructor tests before running the callable, and whether the
/// callable runs when the field is true (active_) or false (dismissed_).
struct Test {
  const FieldDecl *Field;
  bool RunsWhenTrue;
};
using Tests = llvm::SmallVector<Test, 2>;

const FieldDecl *thisField(const Expr *E) {
  const auto *ME = llvm::dyn_cast_or_null<MemberExpr>(
      E ? E->IgnoreParenImpCasts() : nullptr);
  if (!ME || !llvm::isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
    return nullptr;
  return llvm::dyn_cast<FieldDecl>(ME->getMemberDecl());
}

// The fields Cond requires to be true (or false) for it to hold.
void testedIn(const Expr *Cond, bool Positive, Tests &Out, unsigned Depth = 0) {
  if (!Cond || Depth > 8)
    return;
  Cond = Cond->IgnoreParenImpCasts();
  if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Cond)) {
    if (UO->getOpcode() == UO_LNot)
      testedIn(UO->getSubExpr(), !Positive, Out, Depth + 1);
    return;
  }
  if (const auto *BO = llvm::dyn_cast<BinaryOperator>(Cond)) {
    if ((BO->getOpcode() == BO_LAnd && Positive) ||
        (BO->getOpcode() == BO_LOr && !Positive)) {
      testedIn(BO->getLHS(), Positive, Out, Depth + 1);
      testedIn(BO->getRHS(), Positive, Out, Depth + 1);
    }
    return;
  }
  // f_ tested through its operator bool.
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Cond))
    if (llvm::isa_and_nonnull<CXXConversionDecl>(MC->getMethodDecl()))
      Cond = MC->getImplicitObjectArgument();
  if (const FieldDecl *F = thisField(Cond))
    Out.push_back({F, Positive});
}

bool leaves(const Stmt *S) {
  if (const auto *CS = llvm::dyn_cast_or_null<CompoundStmt>(S))
    return !CS->body_empty() && leaves(CS->body_back());
  return llvm::isa_and_nonnull<ReturnStmt>(S);
}

// The conditions under which the destructor (and the member functions of
// its class that it calls) runs the callable.
void destructorTests(const FunctionDecl *FD, const CXXRecordDecl *RD,
                     Tests &Out, unsigned Depth) {
  const FunctionDecl *Def = FD ? definitionOf(FD) : nullptr;
  if (!Def && FD)
    if (const FunctionDecl *Pattern = FD->getTemplateInstantiationPattern())
      Def = definitionOf(Pattern);
  if (!Def || !Def->getBody() || Depth > 2)
    return;
  forEachStmt(Def->getBody(), 256, [&](const Stmt *S) {
    if (const auto *If = llvm::dyn_cast<IfStmt>(S)) {
      // if (active_) f_();  or  if (!active_) return; f_();
      testedIn(If->getCond(), !leaves(If->getThen()), Out);
    } else if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(S)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      if (MD && llvm::isa<CXXThisExpr>(
                    MC->getImplicitObjectArgument()->IgnoreParenImpCasts()))
        destructorTests(MD, RD, Out, Depth + 1);
    }
    return false;
  });
}

// The truth value E stores, if known. Parameters of Callee take the value of
// the matching argument of Call.
std::optional<bool> storedValue(const Expr *E, const FunctionDecl *Callee,
                                llvm::ArrayRef<const Expr *> Args) {
  if (!E)
    return std::nullopt;
  E = E->IgnoreParenImpCasts();
  if (const auto *B = llvm::dyn_cast<CXXBoolLiteralExpr>(E))
    return B->getValue();
  if (llvm::isa<CXXNullPtrLiteralExpr, GNUNullExpr, CXXScalarValueInitExpr,
                ImplicitValueInitExpr>(E))
    return false;
  if (const auto *I = llvm::dyn_cast<IntegerLiteral>(E))
    return I->getValue() != 0;
  if (const auto *IL = llvm::dyn_cast<InitListExpr>(E))
    if (IL->getNumInits() == 0)
      return false;
  if (llvm::isa<LambdaExpr>(E))
    return true;
  if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E))
    if (const auto *P = llvm::dyn_cast<ParmVarDecl>(DRE->getDecl());
        P && Callee && P->getDeclContext() == Callee &&
        P->getFunctionScopeIndex() < Args.size())
      return storedValue(Args[P->getFunctionScopeIndex()], nullptr, {});
  if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(E))
    if (CE->getNumArgs() == 1)
      return storedValue(CE->getArg(0), Callee, Args);
  return std::nullopt;
}

// The arguments of a call, without the object of a member operator call.
llvm::ArrayRef<const Expr *> argumentsOf(const CallExpr *Call) {
  llvm::ArrayRef<const Expr *> Args(Call->getArgs(), Call->getNumArgs());
  if (llvm::isa<CXXOperatorCallExpr>(Call) && !Args.empty() &&
      llvm::isa_and_nonnull<CXXMethodDecl>(Call->getDirectCallee()))
    Args = Args.drop_front();
  return Args;
}

// What running member function MD (called by Call) does to the guard's
// tested fields: the last store to one of them decides.
Effect methodEffect(const CXXMethodDecl *MD, const CallExpr *Call,
                    const Tests &T, unsigned Depth = 0) {
  const FunctionDecl *Def = MD ? definitionOf(MD) : nullptr;
  if (!Def || !Def->getBody() || Depth > 2)
    return Effect::None;
  Effect Result = Effect::None;
  forEachStmt(Def->getBody(), 256, [&](const Stmt *S) {
    const Expr *Target = nullptr, *Value = nullptr;
    if (const auto *BO = llvm::dyn_cast<BinaryOperator>(S);
        BO && BO->getOpcode() == BO_Assign)
      Target = BO->getLHS(), Value = BO->getRHS();
    else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(S);
             OC && OC->getOperator() == OO_Equal && OC->getNumArgs() == 2)
      Target = OC->getArg(0), Value = OC->getArg(1);
    if (const FieldDecl *F = thisField(Target)) {
      for (const Test &X : T)
        if (X.Field->getCanonicalDecl() == F->getCanonicalDecl())
          if (std::optional<bool> V =
                  storedValue(Value, Def, argumentsOf(Call)))
            Result = *V == X.RunsWhenTrue ? Effect::Arm : Effect::Disarm;
    } else if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(S)) {
      if (llvm::isa<CXXThisExpr>(
              MC->getImplicitObjectArgument()->IgnoreParenImpCasts()))
        if (Effect E = methodEffect(MC->getMethodDecl(), MC, T, Depth + 1);
            E != Effect::None)
          Result = E;
    }
    return false;
  });
  return Result;
}

// Library guards whose dismissal is not a plain store.
Effect namedEffect(const CXXMemberCallExpr *MC) {
  const CXXMethodDecl *MD = MC->getMethodDecl();
  if (!MD || !MD->getIdentifier())
    return Effect::None;
  llvm::StringRef Name = MD->getName();
  if (Name == "release" || Name == "dismiss" || Name == "Dismiss" ||
      Name == "Cancel" || Name == "cancel")
    return Effect::Disarm;
  if (Name == "rehire")
    return Effect::Arm;
  if (Name == "set_active" && MC->getNumArgs() == 1)
    if (std::optional<bool> V = storedValue(MC->getArg(0), nullptr, {}))
      return *V ? Effect::Arm : Effect::Disarm;
  return Effect::None;
}

// The variable among Names that E designates: g, *p, p->, std::move(g), &g.
const VarDecl *
designated(const Expr *E,
           const llvm::DenseMap<const VarDecl *, const VarDecl *> &Names) {
  for (unsigned Steps = 0; E && Steps < 8; ++Steps) {
    E = ignoreWrappers(E);
    if (const Expr *Inner = transparentCallArgument(E)) {
      E = Inner;
      continue;
    }
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E);
        UO && (UO->getOpcode() == UO_Deref || UO->getOpcode() == UO_AddrOf)) {
      E = UO->getSubExpr();
      continue;
    }
    const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E);
    const auto *V = DRE ? llvm::dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    auto It = V ? Names.find(V) : Names.end();
    return It == Names.end() ? nullptr : It->second;
  }
  return nullptr;
}

class GuardStateAnalysis {
public:
  GuardStateAnalysis(const GuardCallable &G, AnalysisContext &Analysis)
      : G(G), Analysis(Analysis) {}

  GuardFate fate();

private:
  Effect callEffect(const CallExpr *Call, const VarDecl *&Target,
                    unsigned Depth = 0);
  Effect effectOnParam(const FunctionDecl *Def, const ParmVarDecl *P);
  bool initiallyArmed(const VarDecl *V) const;
  // A declaration that moves a guard into a new one: the new one.
  const VarDecl *movedInto(const Stmt *S, const VarDecl *From) const;

  const GuardCallable &G;
  AnalysisContext &Analysis;
  Tests T;
  /// Guard variables, pointers and references to them -> the guard.
  llvm::DenseMap<const VarDecl *, const VarDecl *> Names;
};

Effect GuardStateAnalysis::effectOnParam(const FunctionDecl *Def,
                                         const ParmVarDecl *P) {
  llvm::DenseMap<const VarDecl *, const VarDecl *> Param{{P, P}};
  Effect Result = Effect::None;
  forEachStmt(Def->getBody(), 256, [&](const Stmt *S) {
    const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(S);
    if (!MC || !designated(MC->getImplicitObjectArgument(), Param))
      return false;
    Effect E = methodEffect(MC->getMethodDecl(), MC, T);
    if (E == Effect::None)
      E = namedEffect(MC);
    if (E != Effect::None)
      Result = E;
    return false;
  });
  return Result;
}

Effect GuardStateAnalysis::callEffect(const CallExpr *Call,
                                      const VarDecl *&Target, unsigned Depth) {
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call)) {
    Target = designated(MC->getImplicitObjectArgument(), Names);
    if (!Target)
      return Effect::None;
    Effect E = methodEffect(MC->getMethodDecl(), MC, T);
    return E != Effect::None ? E : namedEffect(MC);
  }
  // A helper that takes the guard by reference or pointer.
  const FunctionDecl *Callee = Call->getDirectCallee();
  const FunctionDecl *Def = Callee ? definitionOf(Callee) : nullptr;
  if (!Def || !Def->getBody() || Depth > 1)
    return Effect::None;
  for (unsigned I = 0; I < Call->getNumArgs() && I < Def->getNumParams(); ++I) {
    const ParmVarDecl *P = Def->getParamDecl(I);
    QualType PT = P->getType();
    if (!PT->isReferenceType() && !PT->isPointerType())
      continue;
    if (const VarDecl *V = designated(Call->getArg(I), Names)) {
      Target = V;
      return effectOnParam(Def, P);
    }
  }
  return Effect::None;
}

bool GuardStateAnalysis::initiallyArmed(const VarDecl *V) const {
  const auto *CE =
      llvm::dyn_cast_or_null<CXXConstructExpr>(ignoreWrappers(V->getInit()));
  const CXXConstructorDecl *Ctor = CE ? CE->getConstructor() : nullptr;
  for (const Test &X : T) {
    std::optional<bool> Initial;
    const auto *CtorDef =
        Ctor ? llvm::dyn_cast_or_null<CXXConstructorDecl>(definitionOf(Ctor))
             : nullptr;
    bool InList = false;
    if (CtorDef)
      for (const CXXCtorInitializer *Init : CtorDef->inits())
        if (Init->getMember() && Init->getMember()->getCanonicalDecl() ==
                                     X.Field->getCanonicalDecl()) {
          InList = Init->isWritten();
          if (InList)
            Initial = storedValue(
                Init->getInit(), CtorDef,
                llvm::ArrayRef<const Expr *>(CE->getArgs(), CE->getNumArgs()));
        }
    if (!InList && X.Field->hasInClassInitializer())
      Initial = storedValue(X.Field->getInClassInitializer(), nullptr, {});
    if (Initial && *Initial != X.RunsWhenTrue)
      return false;
  }
  return true;
}

const VarDecl *GuardStateAnalysis::movedInto(const Stmt *S,
                                             const VarDecl *From) const {
  const auto *DS = llvm::dyn_cast<DeclStmt>(S);
  if (!DS || !DS->isSingleDecl())
    return nullptr;
  const auto *V = llvm::dyn_cast<VarDecl>(DS->getSingleDecl());
  const auto *CE =
      V ? llvm::dyn_cast_or_null<CXXConstructExpr>(ignoreWrappers(V->getInit()))
        : nullptr;
  if (!CE || !CE->getConstructor() ||
      !CE->getConstructor()->isMoveConstructor() || CE->getNumArgs() != 1)
    return nullptr;
  const auto *DRE = llvm::dyn_cast_or_null<DeclRefExpr>(
      ignoreWrappers(transparentCallArgument(CE->getArg(0))));
  return DRE && DRE->getDecl() == From ? V : nullptr;
}

// Whether S returns the variable V: `return g;`, `return std::move(g);`.
bool returns(const Stmt *S, const VarDecl *V) {
  const auto *Ret = llvm::dyn_cast<ReturnStmt>(S);
  const Expr *E = Ret ? Ret->getRetValue() : nullptr;
  for (unsigned Steps = 0; E && Steps < 6; ++Steps) {
    E = ignoreWrappers(E);
    if (const Expr *Inner = transparentCallArgument(E))
      E = Inner;
    else if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(E);
             CE && CE->getNumArgs() == 1)
      E = CE->getArg(0);
    else
      break;
  }
  const auto *DRE = llvm::dyn_cast_or_null<DeclRefExpr>(E);
  return DRE && DRE->getDecl() == V;
}

GuardFate GuardStateAnalysis::fate() {
  const FunctionDecl *Owner = G.owner();
  const Stmt *Body = Owner ? Owner->getBody() : nullptr;
  // A cleanup attribute's function runs whenever the variable's scope ends:
  // nothing dismisses it, and returning the variable returns a copy.
  if (!Body || !G.Guard || G.Guard->hasAttr<CleanupAttr>())
    return GuardFate::Runs;
  BodyContext &BC = Analysis.body(Body, Owner);
  const CXXRecordDecl *RD = G.Guard->getType()->getAsCXXRecordDecl();
  if (RD && RD->hasDefinition())
    destructorTests(RD->getDefinition()->getDestructor(), RD, T, 0);
  const bool Armed = initiallyArmed(G.Guard);

  // The guard, the guards it is moved into, and the pointers and references
  // naming them; each call on one of them, and what it does.
  Names[G.Guard] = G.Guard;
  llvm::DenseMap<const Stmt *, std::pair<Effect, const VarDecl *>> Effects;
  llvm::SmallVector<const VarDecl *, 4> Work{G.Guard};
  while (!Work.empty() && Names.size() < 16) {
    const VarDecl *V = Work.pop_back_val();
    for (const BodyIndex::Use &U : BC.index().usesOf(V)) {
      // Aliases and move targets: a declaration initialised from V.
      for (const Stmt *P = BC.parents().getParent(U.Ref); P;
           P = BC.parents().getParent(P)) {
        const auto *DS = llvm::dyn_cast<DeclStmt>(P);
        if (!DS)
          continue;
        if (DS->isSingleDecl())
          if (const auto *A = llvm::dyn_cast<VarDecl>(DS->getSingleDecl())) {
            QualType AT = A->getType();
            if ((AT->isReferenceType() || AT->isPointerType()) &&
                !Names.count(A)) {
              Names[A] = Names[V];
              Work.push_back(A);
            } else if (movedInto(DS, V) && !Names.count(A)) {
              Names[A] = A;
              Work.push_back(A);
            }
          }
        break;
      }
    }
  }
  for (const auto &[Name, Guard] : Names)
    for (const BodyIndex::CallRef &C : BC.index().callsMentioning(Name)) {
      if (!C.Direct)
        continue;
      const VarDecl *Target = nullptr;
      Effect E = callEffect(C.Call, Target);
      if (E != Effect::None && Target)
        Effects[C.Call] = {E, Target};
    }
  bool Returned = false;
  for (const BodyIndex::Use &U : BC.index().usesOf(G.Guard))
    for (const Stmt *P = BC.parents().getParent(U.Ref); P && !Returned;
         P = BC.parents().getParent(P))
      Returned = llvm::isa<ReturnStmt>(P);
  if (Effects.empty() && Armed && Names.size() == 1 && !Returned)
    return GuardFate::Runs; // the common case: no CFG needed

  std::optional<BodyContext::Point> Start = BC.afterDeclarationOf(G.Guard);
  if (!Start)
    return GuardFate::Runs;
  // Search the paths from the declaration for one that destroys the guard
  // (or the guard it was moved into) armed.
  struct State {
    const CFGBlock *Block;
    unsigned From;
    bool Armed;
    const VarDecl *Tracked;
  };
  llvm::DenseSet<std::tuple<const CFGBlock *, unsigned, const VarDecl *>>
      Visited;
  llvm::SmallVector<State, 16> Queue{
      {Start->first, Start->second, Armed, G.Guard}};
  bool ToCaller = false;
  while (!Queue.empty()) {
    State St = Queue.pop_back_val();
    bool Ended = false;
    for (unsigned I = St.From; I < St.Block->size() && !Ended; ++I) {
      CFGElement E = (*St.Block)[I];
      if (auto S = E.getAs<CFGStmt>()) {
        const Stmt *X = S->getStmt();
        auto It = Effects.find(X);
        if (It != Effects.end() && It->second.second == St.Tracked)
          St.Armed = It->second.first == Effect::Arm;
        else if (returns(X, St.Tracked)) {
          // Handed to the caller, armed or not.
          ToCaller |= St.Armed;
          Ended = true;
        } else if (const VarDecl *To = movedInto(X, St.Tracked))
          St.Tracked = To; // the moved-from guard no longer runs
      } else if (auto D = E.getAs<CFGAutomaticObjDtor>()) {
        if (D->getVarDecl() == St.Tracked) {
          if (St.Armed)
            return GuardFate::Runs; // runs on this path
          Ended = true;
        }
      }
    }
    if (Ended)
      continue;
    for (const CFGBlock *Succ : St.Block->succs())
      if (Succ &&
          Visited.insert({Succ, static_cast<unsigned>(St.Armed), St.Tracked})
              .second)
        Queue.push_back({Succ, 0, St.Armed, St.Tracked});
  }
  return ToCaller ? GuardFate::ToCaller : GuardFate::NeverRuns;
}

} // namespace

GuardFate guardFate(const GuardCallable &G, AnalysisContext &Analysis) {
  return GuardStateAnalysis(G, Analysis).fate();
}

} // namespace clang::tidy::defer_race
