//===--- Pools.cpp - Home-made thread pools, recognised by what they do ---===//

#include "Pools.h"
#include "Compat.h"
#include "Expressions.h"
#include "Handshakes.h"
#include "Spawns.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::defer_race {

namespace {
// Bounds: statements looked at per body, submit calls followed, the depth of
// the calls a worker thread makes, and steps of a data-flow chain.
constexpr unsigned MaxNodes = 4000;
constexpr unsigned MaxSubmitDepth = 3;
constexpr unsigned MaxWorkerDepth = 2;
constexpr unsigned MaxChain = 64;

// A member or a global: where work can wait for a worker.
bool isStorage(const Decl *D) {
  if (llvm::isa_and_nonnull<FieldDecl>(D))
    return true;
  const auto *V = llvm::dyn_cast_or_null<VarDecl>(D);
  return V && V->hasGlobalStorage();
}

const Decl *canonical(const Decl *D) {
  return D ? D->getCanonicalDecl() : nullptr;
}

// The variables and members an expression names, including what its lambdas
// capture: q_.front(), {std::move(fn), arg}, [f = std::move(f)] { f(); }.
void namedIn(const Stmt *S, llvm::SmallVectorImpl<const Decl *> &Out) {
  forEachStmt(S, MaxNodes, [&](const Stmt *N) {
    if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(N))
      Out.push_back(canonical(DRE->getDecl()));
    else if (const auto *ME = llvm::dyn_cast<MemberExpr>(N))
      Out.push_back(canonical(ME->getMemberDecl()));
    else if (const auto *L = llvm::dyn_cast<LambdaExpr>(N))
      for (const LambdaCapture &C : L->captures())
        if (C.capturesVariable())
          if (const auto *V = llvm::dyn_cast<VarDecl>(C.getCapturedVar())) {
            Out.push_back(canonical(V));
            if (V->isInitCapture() && V->getInit())
              namedIn(V->getInit(), Out);
          }
    return false;
  });
}

bool names(const Stmt *S, const llvm::SmallPtrSetImpl<const Decl *> &Any) {
  llvm::SmallVector<const Decl *, 8> Named;
  namedIn(S, Named);
  return llvm::any_of(Named, [&](const Decl *D) { return Any.count(D); });
}

// The member or global a container expression is part of: q_ in
// q_.push_back(x), queues_[i], impl_->q, *pending_, g_jobs. A local
// reference to one (auto &q = queue_;) is followed.
const Decl *storageOf(const Expr *E) {
  for (unsigned Steps = 0; E && Steps < 8; ++Steps) {
    E = ignoreWrappers(E);
    if (const auto *ME = llvm::dyn_cast<MemberExpr>(E))
      return isStorage(ME->getMemberDecl()) ? canonical(ME->getMemberDecl())
                                            : nullptr;
    if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E)) {
      const auto *V = llvm::dyn_cast<VarDecl>(DRE->getDecl());
      if (!V)
        return nullptr;
      if (V->hasGlobalStorage())
        return canonical(V);
      if (!V->getType()->isReferenceType() || !V->getInit())
        return nullptr;
      E = V->getInit();
    } else if (const auto *AS = llvm::dyn_cast<ArraySubscriptExpr>(E)) {
      E = AS->getBase();
    } else if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E);
               UO && UO->getOpcode() == UO_Deref) {
      E = UO->getSubExpr();
    } else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(E);
               OC && OC->getNumArgs() >= 1 &&
               (OC->getOperator() == OO_Subscript ||
                OC->getOperator() == OO_Star ||
                OC->getOperator() == OO_Arrow)) {
      E = OC->getArg(0);
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

// The callee of a call that runs something it was given rather than a
// function it names: task(), (*fn)(arg), item.cb(msg), job->Run() on a
// virtual method, std::invoke(task). Null for other calls.
const Expr *indirectCallee(const CallExpr *Call) {
  if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call))
    return OC->getOperator() == OO_Call && OC->getNumArgs() >= 1 ? OC->getArg(0)
                                                                 : nullptr;
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call)) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    return MD && MD->isVirtual() ? MC->getImplicitObjectArgument() : nullptr;
  }
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD)
    return Call->getCallee();
  if (FD->isInStdNamespace() && FD->getIdentifier() &&
      FD->getName() == "invoke" && Call->getNumArgs() >= 1)
    return Call->getArg(0);
  return nullptr;
}

// Whether a function's result lets its caller wait for the work: anything
// but void, a bool or a number (a future, a handle, a task id is not one we
// can follow, so it is treated as one).
bool returnsHandle(const FunctionDecl *FD) {
  QualType T = FD->getReturnType();
  return !T->isVoidType() && !T->isBooleanType() && !T->isIntegerType();
}
} // namespace

void PoolIndex::scanWorker(const Stmt *Body) {
  // What each local of the worker is made from: its initializer, what is
  // assigned or swapped into it, the range a loop variable walks, the
  // object a structured binding splits.
  llvm::DenseMap<const Decl *, llvm::SmallVector<const Decl *, 4>> From;
  llvm::SmallVector<const Expr *, 4> Callees;
  forEachStmt(Body, MaxNodes, [&](const Stmt *S) {
    if (const auto *DS = llvm::dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : DS->decls()) {
        const auto *V = llvm::dyn_cast<VarDecl>(D);
        if (!V || !V->getInit())
          continue;
        namedIn(V->getInit(), From[canonical(V)]);
        if (const auto *DD = llvm::dyn_cast<DecompositionDecl>(V))
          for (const BindingDecl *B : DD->bindings())
            From[canonical(B)].push_back(canonical(V));
      }
    } else if (const auto *FR = llvm::dyn_cast<CXXForRangeStmt>(S)) {
      if (FR->getLoopVariable() && FR->getRangeInit())
        namedIn(FR->getRangeInit(), From[canonical(FR->getLoopVariable())]);
    } else if (const auto *BO = llvm::dyn_cast<BinaryOperator>(S);
               BO && BO->getOpcode() == BO_Assign) {
      if (const Decl *D = namedObject(BO->getLHS()))
        namedIn(BO->getRHS(), From[canonical(D)]);
    } else if (const auto *Call = llvm::dyn_cast<CallExpr>(S)) {
      if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call);
          OC && OC->getOperator() == OO_Equal && OC->getNumArgs() == 2) {
        if (const Decl *D = namedObject(OC->getArg(0)))
          namedIn(OC->getArg(1), From[canonical(D)]);
      } else if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call)) {
        // local.swap(queue_), batch.splice(batch.end(), queue_).
        if (const Decl *D = namedObject(MC->getImplicitObjectArgument()))
          for (const Expr *Arg : MC->arguments())
            namedIn(Arg, From[canonical(D)]);
      } else if (const FunctionDecl *FD = Call->getDirectCallee();
                 FD && FD->isInStdNamespace() && FD->getIdentifier() &&
                 FD->getName() == "swap" && Call->getNumArgs() == 2) {
        const Decl *A = namedObject(Call->getArg(0));
        const Decl *B = namedObject(Call->getArg(1));
        if (A && B) {
          From[canonical(A)].push_back(canonical(B));
          From[canonical(B)].push_back(canonical(A));
        }
      }
      if (const Expr *Callee = indirectCallee(Call))
        Callees.push_back(Callee);
    }
    return false;
  });
  // Each callee, back to the members and globals it came from.
  for (const Expr *Callee : Callees) {
    llvm::SmallVector<const Decl *, 8> Work;
    namedIn(Callee, Work);
    llvm::SmallPtrSet<const Decl *, 16> Seen;
    for (unsigned Steps = 0; !Work.empty() && Steps < MaxChain; ++Steps) {
      const Decl *D = Work.pop_back_val();
      if (!D || !Seen.insert(D).second)
        continue;
      if (isStorage(D))
        Storage.insert(D);
      auto It = From.find(D);
      if (It != From.end())
        Work.append(It->second.begin(), It->second.end());
    }
  }
}

// A local thread joined in the function that makes it: it runs what it
// takes while its maker waits, so it is no pool's worker.
bool PoolIndex::joinedWhereMade(const ConstructionSite &Site) {
  const Stmt *Body = Site.Caller ? Site.Caller->getBody() : nullptr;
  if (!Body)
    return false;
  const ParentMap &PM = Analysis.body(Body, Site.Caller).parents();
  const Stmt *Up = PM.getParent(Site.Construct);
  for (unsigned Steps = 0; llvm::isa_and_nonnull<Expr>(Up) && Steps < 4;
       ++Steps)
    Up = PM.getParent(Up);
  const auto *DS = llvm::dyn_cast_or_null<DeclStmt>(Up);
  const auto *V = DS && DS->isSingleDecl()
                      ? llvm::dyn_cast<VarDecl>(DS->getSingleDecl())
                      : nullptr;
  if (!V || !V->hasLocalStorage())
    return false;
  bool Joined = false;
  forEachCall(Body, [&](const CallExpr *Call) {
    const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call);
    const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
    Joined = MD && MD->getIdentifier() && MD->getName() == "join" &&
             namedObject(MC->getImplicitObjectArgument()) == V;
    return Joined;
  });
  return Joined;
}

void PoolIndex::collectWorkers() {
  if (Collected)
    return;
  Collected = true;
  const SourceManager &SM = Analysis.ast().getSourceManager();
  // The code each thread of the translation unit starts with.
  llvm::SmallVector<const Stmt *, 8> Roots;
  auto AddCallable = [&](const Expr *Callable,
                         llvm::ArrayRef<const Expr *> Rest) {
    ThreadCallable C = callableFrom(Callable, Rest);
    if (const Stmt *Body = C.body())
      Roots.push_back(Body);
  };
  const AnalysisContext::CallIndex &Index = Analysis.calls();
  for (const auto &[Ctor, Sites] : Index.Constructions) {
    if (!Ctor || !isThreadRecord(Ctor->getParent()))
      continue;
    for (const ConstructionSite &Site : Sites)
      if (Site.Construct->getNumArgs() >= 1 &&
          !llvm::isa<CXXDefaultArgExpr>(Site.Construct->getArg(0)) &&
          !joinedWhereMade(Site))
        AddCallable(
            Site.Construct->getArg(0),
            llvm::ArrayRef<const Expr *>(Site.Construct->getArgs() + 1,
                                         Site.Construct->getNumArgs() - 1));
  }
  for (const auto &[Callee, Sites] : Index.Calls) {
    if (!Callee || !Callee->getIdentifier())
      continue;
    // pthread_create(&t, attr, start, arg).
    if (Callee->getName() == "pthread_create") {
      for (const CallSite &Site : Sites)
        if (Site.Call->getNumArgs() == 4)
          AddCallable(Site.Call->getArg(2), {Site.Call->getArg(3)});
      continue;
    }
    // workers_.emplace_back([this] { loop(); }): a container of threads
    // builds each one from the arguments.
    const auto *MD = llvm::dyn_cast<CXXMethodDecl>(Callee);
    if (!MD || !compat::startsWith(Callee->getName(), "emplace"))
      continue;
    const auto *Spec =
        llvm::dyn_cast<ClassTemplateSpecializationDecl>(MD->getParent());
    if (!Spec || Spec->getTemplateArgs().size() == 0 ||
        Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type ||
        !isThreadType(Spec->getTemplateArgs()[0].getAsType()))
      continue;
    for (const CallSite &Site : Sites) {
      unsigned First = Callee->getName() == "emplace" ? 1 : 0;
      if (Site.Call->getNumArgs() > First)
        AddCallable(
            Site.Call->getArg(First),
            llvm::ArrayRef<const Expr *>(Site.Call->getArgs() + First + 1,
                                         Site.Call->getNumArgs() - First - 1));
    }
  }
  // Each thread's code, and the functions of ours it calls, two levels down.
  llvm::SmallPtrSet<const Stmt *, 16> Seen;
  llvm::SmallVector<std::pair<const Stmt *, unsigned>, 16> Work;
  for (const Stmt *Root : Roots)
    Work.push_back({Root, 0});
  while (!Work.empty() && Seen.size() < 64) {
    const Stmt *Body = Work.back().first;
    unsigned Depth = Work.back().second;
    Work.pop_back();
    if (!Body || !Seen.insert(Body).second)
      continue;
    scanWorker(Body);
    if (Depth >= MaxWorkerDepth)
      continue;
    forEachCall(Body, [&](const CallExpr *Call) {
      if (const FunctionDecl *Def = userDefinedCallee(Call, SM))
        Work.push_back({Def->getBody(), Depth + 1});
      return false;
    });
  }
}

namespace {
// Whether Def joins a thread: worker_.join(), for (auto &t : threads_)
// t.join().
bool joinsThreads(const FunctionDecl *Def) {
  bool Joins = false;
  forEachStmt(Def->getBody(), MaxNodes, [&](const Stmt *S) {
    const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(S);
    const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
    const Expr *Obj = MC ? MC->getImplicitObjectArgument() : nullptr;
    Joins = MD && Obj && MD->getIdentifier() && MD->getName() == "join" &&
            isThreadType(Obj->getType());
    return Joins;
  });
  return Joins;
}
} // namespace

bool PoolIndex::drains(const CallExpr *Call, const Stmt *Body) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || submitOf(Callee))
    return false;
  if (isWaitCall(Call, Body, Analysis))
    return true;
  const FunctionDecl *Def = definitionOf(Callee);
  return Def && !inSystemHeader(Def, Analysis.ast().getSourceManager()) &&
         joinsThreads(Def);
}

bool PoolIndex::destructorDrains(const CXXRecordDecl *RD) {
  RD = RD ? RD->getDefinition() : nullptr;
  const CXXDestructorDecl *Dtor = RD ? RD->getDestructor() : nullptr;
  const FunctionDecl *Def = Dtor ? definitionOf(Dtor) : nullptr;
  if (!Def || !Def->getBody() ||
      inSystemHeader(Def, Analysis.ast().getSourceManager()))
    return false;
  if (joinsThreads(Def))
    return true;
  bool Waits = false;
  forEachCall(Def->getBody(), [&](const CallExpr *Call) {
    Waits = isWaitCall(Call, Def->getBody(), Analysis);
    return Waits;
  });
  return Waits;
}

const llvm::DenseSet<const Decl *> &PoolIndex::workStorage() {
  collectWorkers();
  return Storage;
}

std::optional<PoolSubmit> PoolIndex::submitOf(const FunctionDecl *FD) {
  return submitAt(FD, 0);
}

std::optional<PoolSubmit> PoolIndex::submitAt(const FunctionDecl *FD,
                                              unsigned Depth) {
  if (!FD || Depth > MaxSubmitDepth)
    return std::nullopt;
  const SourceManager &SM = Analysis.ast().getSourceManager();
  if (inSystemHeader(FD, SM))
    return std::nullopt;
  if (const FunctionDecl *Def = definitionOf(FD))
    return submitOfDefinition(Def, Depth);
  if (const auto *MD = llvm::dyn_cast<CXXMethodDecl>(FD); MD && MD->isVirtual())
    if (std::optional<PoolSubmit> S = submitOfVirtual(MD, Depth))
      return S;
  // Defined in another translation unit: its summary.
  if (const FunctionRecord *R = Imported ? Imported->find(usrOf(FD)) : nullptr;
      R && R->RunsDetached && *R->RunsDetached < FD->getNumParams())
    return PoolSubmit{*R->RunsDetached, R->ReturnsHandle, nullptr};
  return std::nullopt;
}

std::optional<PoolSubmit> PoolIndex::submitOfVirtual(const CXXMethodDecl *MD,
                                                     unsigned Depth) {
  // The overriders in the classes this translation unit constructs: all of
  // them must be pool submits (an inline executor among them may run the
  // work on the caller's thread).
  const CXXRecordDecl *Base = MD->getParent();
  std::optional<PoolSubmit> Result;
  llvm::SmallPtrSet<const CXXRecordDecl *, 4> Seen;
  for (const auto &[Ctor, Sites] : Analysis.calls().Constructions) {
    const CXXRecordDecl *RD = Ctor ? Ctor->getParent() : nullptr;
    if (!RD || !RD->hasDefinition() || !Seen.insert(RD).second ||
        !(RD == Base || RD->isDerivedFrom(Base)))
      continue;
    const CXXMethodDecl *Over = MD->getCorrespondingMethodInClass(RD);
    const FunctionDecl *Def = Over ? definitionOf(Over) : nullptr;
    if (!Def) {
      if (Over && compat::isPureVirtual(Over))
        continue;
      return std::nullopt;
    }
    std::optional<PoolSubmit> S = submitOfDefinition(Def, Depth);
    if (!S)
      return std::nullopt;
    if (!Result)
      Result = S;
  }
  return Result;
}

std::optional<PoolSubmit> PoolIndex::submitOfDefinition(const FunctionDecl *Def,
                                                        unsigned Depth) {
  Def = llvm::cast<FunctionDecl>(Def->getCanonicalDecl());
  if (auto It = Submits.find(Def); It != Submits.end())
    return It->second;
  if (!InProgress.insert(Def).second)
    return std::nullopt;
  const FunctionDecl *Body = definitionOf(Def);
  const SourceManager &SM = Analysis.ast().getSourceManager();
  std::optional<PoolSubmit> Result;
  const llvm::DenseSet<const Decl *> &Taken = workStorage();
  // No worker here and no summaries: nothing to store into or hand on to
  // (a virtual submit's overriders are looked at by submitOfVirtual()).
  const bool Possible = !Taken.empty() || Imported;
  for (unsigned I = 0; Possible && Body && !Result && I < Body->getNumParams();
       ++I) {
    const ParmVarDecl *P = Body->getParamDecl(I);
    if (!isCallableType(P->getType()))
      continue;
    // The parameter, and the locals made from it (a packaged_task, a
    // shared_ptr to one, a job struct).
    llvm::SmallPtrSet<const Decl *, 8> Made;
    Made.insert(canonical(P));
    forEachStmt(Body->getBody(), MaxNodes, [&](const Stmt *S) {
      if (const auto *DS = llvm::dyn_cast<DeclStmt>(S))
        for (const Decl *D : DS->decls())
          if (const auto *V = llvm::dyn_cast<VarDecl>(D);
              V && V->getInit() && names(V->getInit(), Made))
            Made.insert(canonical(V));
      return false;
    });
    forEachStmt(Body->getBody(), MaxNodes, [&](const Stmt *S) {
      const Decl *Into = nullptr;
      if (const auto *BO = llvm::dyn_cast<BinaryOperator>(S);
          BO && BO->getOpcode() == BO_Assign && names(BO->getRHS(), Made))
        Into = storageOf(BO->getLHS());
      const auto *Call = llvm::dyn_cast<CallExpr>(S);
      if (const auto *OC = llvm::dyn_cast_or_null<CXXOperatorCallExpr>(Call);
          OC && OC->getOperator() == OO_Equal && OC->getNumArgs() == 2 &&
          names(OC->getArg(1), Made))
        Into = storageOf(OC->getArg(0));
      if (const auto *MC = llvm::dyn_cast_or_null<CXXMemberCallExpr>(Call);
          MC && MC->getMethodDecl() && !MC->getMethodDecl()->isConst() &&
          llvm::any_of(MC->arguments(),
                       [&](const Expr *A) { return names(A, Made); }))
        Into = storageOf(MC->getImplicitObjectArgument());
      if (Into && Taken.count(Into)) {
        Result = PoolSubmit{I, returnsHandle(Body), Into};
        return true;
      }
      // Handed on to another submit: impl_->Enqueue(std::move(task)).
      if (!Call || llvm::isa<CXXOperatorCallExpr>(Call))
        return false;
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (!Callee || inSystemHeader(Callee, SM))
        return false;
      for (unsigned J = 0; J < Call->getNumArgs(); ++J) {
        if (!names(Call->getArg(J), Made))
          continue;
        std::optional<PoolSubmit> Inner = submitAt(Callee, Depth + 1);
        if (Inner && Inner->Param == J) {
          Result = PoolSubmit{I, returnsHandle(Body), Inner->Storage,
                              /*HandedOn=*/true};
          return true;
        }
      }
      return false;
    });
  }
  InProgress.erase(Def);
  Submits[Def] = Result;
  return Result;
}

} // namespace clang::tidy::defer_race
