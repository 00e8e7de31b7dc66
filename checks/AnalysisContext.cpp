//===--- AnalysisContext.cpp - What is known about each function body -----===//

#include "AnalysisContext.h"
#include "Expressions.h"
#include "Pools.h"

#include "clang/AST/RecursiveASTVisitor.h"

namespace clang::tidy::defer_race {

namespace {
// Every call of the translation unit's own code, by callee.
class CallerCollector : public RecursiveASTVisitor<CallerCollector> {
public:
  CallerCollector(const SourceManager &SM, AnalysisContext::CallIndex &Index)
      : SM(SM), Out(Index.Calls), Constructions(Index.Constructions),
        Factories(Index.Factories), Stores(Index.Stores) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitLambdaBody() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (!D)
      return true;
    if (D->getLocation().isValid() &&
        SM.isInSystemHeader(SM.getExpansionLoc(D->getLocation())))
      return true;
    // static const Ops kOps = {.flush = &flushLater}: stores made by a
    // global's initializer belong to no function.
    if (const auto *V = llvm::dyn_cast<VarDecl>(D);
        V && !Current && V->hasGlobalStorage() && !V->isStaticLocal()) {
      InGlobal = true;
      bool Result = RecursiveASTVisitor::TraverseDecl(D);
      InGlobal = false;
      return Result;
    }
    const auto *FD = llvm::dyn_cast<FunctionDecl>(D);
    if (!FD || !FD->hasBody())
      return RecursiveASTVisitor::TraverseDecl(D);
    const FunctionDecl *Saved = Current;
    Current = FD;
    if (const auto *Ctor = llvm::dyn_cast<CXXConstructorDecl>(FD))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->isWritten() && Init->getMember())
          store(Init->getMember(), Init->getInit());
    bool Result = RecursiveASTVisitor::TraverseDecl(D);
    Current = Saved;
    return Result;
  }
  bool VisitCallExpr(CallExpr *Call) {
    if (!Current)
      return true;
    if (const FunctionDecl *Callee = Call->getDirectCallee())
      Out[Callee->getCanonicalDecl()].push_back({Call, Current});
    // std::make_unique<T>(args...), std::make_shared<T>(args...).
    if (const FunctionDecl *Callee = Call->getDirectCallee();
        Callee && Callee->isInStdNamespace() && Callee->getIdentifier() &&
        (Callee->getName() == "make_unique" ||
         Callee->getName() == "make_shared"))
      if (const TemplateArgumentList *Args =
              Callee->getTemplateSpecializationArgs();
          Args && Args->size() > 0 &&
          Args->get(0).getKind() == TemplateArgument::Type)
        if (const CXXRecordDecl *RD =
                Args->get(0).getAsType()->getAsCXXRecordDecl())
          Factories[RD->getCanonicalDecl()].push_back({Call, Current});
    return true;
  }
  bool VisitCXXConstructExpr(CXXConstructExpr *E) {
    if (Current && E->getConstructor())
      Constructions[E->getConstructor()->getCanonicalDecl()].push_back(
          {E, Current});
    return true;
  }
  // Task{counter, &bump}, Task{.onFinish = f}: the semantic form lists
  // bases first, then every field in order. The visitor sees the syntactic
  // form, and the semantic one only when they are the same.
  bool VisitInitListExpr(InitListExpr *E) {
    if (!E->isSyntacticForm())
      return true;
    if (E->getSemanticForm())
      E = E->getSemanticForm();
    const RecordDecl *RD = E->getType()->getAsRecordDecl();
    if (!RD || RD->isUnion() || !RD->getDefinition())
      return true;
    RD = RD->getDefinition();
    const auto *CRD = llvm::dyn_cast<CXXRecordDecl>(RD);
    unsigned I = CRD ? CRD->getNumBases() : 0;
    for (const FieldDecl *Field : RD->fields()) {
      if (I >= E->getNumInits())
        break;
      store(Field, E->getInit(I++));
    }
    return true;
  }
  // task.onFinish = f, built in or overloaded.
  bool VisitBinaryOperator(BinaryOperator *E) {
    if (E->getOpcode() == BO_Assign)
      storeInto(E->getLHS(), E->getRHS());
    return true;
  }
  bool VisitCXXOperatorCallExpr(CXXOperatorCallExpr *E) {
    if (E->getOperator() == OO_Equal && E->getNumArgs() == 2)
      storeInto(E->getArg(0), E->getArg(1));
    return true;
  }

private:
  void storeInto(const Expr *Target, const Expr *Value) {
    if (const auto *ME =
            llvm::dyn_cast_or_null<MemberExpr>(ignoreWrappers(Target)))
      if (const auto *Field = llvm::dyn_cast<FieldDecl>(ME->getMemberDecl()))
        store(Field, Value);
  }
  // Only members of our classes that hold a callable are indexed.
  void store(const FieldDecl *Field, const Expr *Value) {
    if ((!Current && !InGlobal) || !Value || !Field->getParent() ||
        SM.isInSystemHeader(SM.getExpansionLoc(Field->getLocation())) ||
        !isCallableType(Field->getType()))
      return;
    Stores[Field->getCanonicalDecl()].push_back({Value, Current});
  }

  const SourceManager &SM;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<CallSite, 2>> &Out;
  llvm::DenseMap<const CXXConstructorDecl *,
                 llvm::SmallVector<ConstructionSite, 2>> &Constructions;
  llvm::DenseMap<const CXXRecordDecl *, llvm::SmallVector<CallSite, 2>>
      &Factories;
  llvm::DenseMap<const FieldDecl *, llvm::SmallVector<FieldStore, 1>> &Stores;
  const FunctionDecl *Current = nullptr;
  bool InGlobal = false;
};
} // namespace

AnalysisContext::AnalysisContext(ASTContext &Ctx) : Ctx(Ctx) {}

AnalysisContext::~AnalysisContext() = default;

PoolIndex &AnalysisContext::pools() {
  if (!Pools)
    Pools = std::make_unique<PoolIndex>(*this);
  return *Pools;
}

const AnalysisContext::CallIndex &AnalysisContext::calls() {
  if (!Callers) {
    Callers = std::make_unique<CallIndex>();
    CallerCollector(Ctx.getSourceManager(), *Callers)
        .TraverseDecl(Ctx.getTranslationUnitDecl());
  }
  return *Callers;
}

namespace {
// The entries of M under Decl's canonical declaration.
template <class Map, class D>
auto entriesOf(const Map &M, const D *Decl)
    -> llvm::ArrayRef<typename Map::mapped_type::value_type> {
  if (!Decl)
    return {};
  auto It = M.find(Decl->getCanonicalDecl());
  if (It == M.end())
    return {};
  return It->second;
}
} // namespace

llvm::ArrayRef<CallSite> AnalysisContext::callersOf(const FunctionDecl *F) {
  return entriesOf(calls().Calls, F);
}

llvm::ArrayRef<CallSite>
AnalysisContext::factoryCallsOf(const CXXRecordDecl *RD) {
  return entriesOf(calls().Factories, RD);
}

llvm::ArrayRef<FieldStore> AnalysisContext::storesInto(const FieldDecl *Field) {
  return entriesOf(calls().Stores, Field);
}

llvm::ArrayRef<ConstructionSite>
AnalysisContext::constructionsOf(const CXXConstructorDecl *CD) {
  return entriesOf(calls().Constructions, CD);
}

BodyContext::BodyContext(const Stmt *Body, const Decl *Owner, ASTContext &Ctx)
    : Body(Body), Owner(Owner), Ctx(Ctx) {}

BodyContext::~BodyContext() = default;

const BodyIndex &BodyContext::index() {
  if (!Index)
    Index = std::make_unique<BodyIndex>(Body);
  return *Index;
}

ParentMap &BodyContext::parents() {
  if (!Parents)
    Parents = std::make_unique<ParentMap>(const_cast<Stmt *>(Body));
  return *Parents;
}

const LockIndex &BodyContext::locks() {
  if (!Locks)
    Locks = std::make_unique<LockIndex>(Body, parents());
  return *Locks;
}

ExprMutationAnalyzer &BodyContext::mutations() {
  if (!Mutations)
    Mutations = std::make_unique<ExprMutationAnalyzer>(*Body, Ctx);
  return *Mutations;
}

SourceLocation BodyContext::endOfScope(const VarDecl *V) {
  const DeclStmt *DS = index().declStmtOf(V);
  const Stmt *P = DS ? parents().getParent(DS) : nullptr;
  if (!P)
    return {};
  if (const auto *CS = llvm::dyn_cast<CompoundStmt>(P))
    return CS->getRBracLoc();
  return P->getEndLoc(); // for, if, while, switch with a declaration
}

const CFG *BodyContext::cfg() {
  if (CfgTried)
    return Cfg.get();
  CfgTried = true;
  if (!Body)
    return nullptr;
  CFG::BuildOptions Options;
  Options.AddImplicitDtors = true;
  Options.setAllAlwaysAdd();
  Cfg = CFG::buildCFG(Owner, const_cast<Stmt *>(Body), &Ctx, Options);
  if (!Cfg)
    return nullptr;
  for (const CFGBlock *B : *Cfg)
    for (unsigned I = 0; I < B->size(); ++I) {
      if (auto S = (*B)[I].getAs<CFGStmt>()) {
        Where.try_emplace(S->getStmt(), B, I);
        if (const auto *DS = llvm::dyn_cast<DeclStmt>(S->getStmt());
            DS && DS->isSingleDecl())
          if (const auto *V = llvm::dyn_cast<VarDecl>(DS->getSingleDecl()))
            DeclaredAt.try_emplace(V, B, I + 1);
      } else if (auto D = (*B)[I].getAs<CFGAutomaticObjDtor>()) {
        Destructions[D->getVarDecl()].push_back({B, I});
      }
    }
  return Cfg.get();
}

std::optional<BodyContext::Point> BodyContext::locate(const Stmt *S) {
  if (!cfg())
    return std::nullopt;
  for (; S; S = parents().getParent(S)) {
    auto It = Where.find(S);
    if (It != Where.end())
      return It->second;
  }
  return std::nullopt;
}

llvm::ArrayRef<BodyContext::Point>
BodyContext::destructionsOf(const VarDecl *V) {
  if (!cfg())
    return {};
  auto It = Destructions.find(V);
  if (It == Destructions.end())
    return {};
  return It->second;
}

std::optional<BodyContext::Point>
BodyContext::afterDeclarationOf(const VarDecl *V) {
  if (!cfg())
    return std::nullopt;
  auto It = DeclaredAt.find(V);
  if (It == DeclaredAt.end())
    return std::nullopt;
  return It->second;
}

BodyContext &AnalysisContext::body(const Stmt *Body, const Decl *Owner) {
  std::unique_ptr<BodyContext> &Slot = Bodies[Body];
  if (!Slot)
    Slot = std::make_unique<BodyContext>(Body, Owner, Ctx);
  else if (!Slot->Owner && !Slot->CfgTried)
    Slot->Owner = Owner;
  return *Slot;
}

SourceLocation AnalysisContext::endOfScope(const VarDecl *V) {
  const Stmt *Body = owningBody(V);
  if (!Body)
    return {};
  if (llvm::isa<ParmVarDecl>(V)) {
    if (const auto *CS = llvm::dyn_cast<CompoundStmt>(Body))
      return CS->getRBracLoc();
    return Body->getEndLoc();
  }
  return body(Body).endOfScope(V);
}

} // namespace clang::tidy::defer_race
