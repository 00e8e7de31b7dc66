//===--- DetachedWriters.cpp - Facts: writers left running by guards ------===//

#include "DetachedWriters.h"
#include "Callables.h"
#include "Expressions.h"
#include "GuardState.h"
#include "Handshakes.h"
#include "Pools.h"
#include "Vocabulary.h"

#include "clang/Basic/SourceManager.h"
#include "llvm/Support/FileSystem.h"
#include <algorithm>

namespace clang::tidy::defer_race {

Frame guardFrame(const GuardCallable &G, const Frame &Owner) {
  return Frame::callable(Owner, G.Lambda, G.Function, G.BoundArgs, G.Object);
}

const Frame *guardFrame(const GuardCallable &G, const Frame &Owner,
                        FrameArena &Arena) {
  if (G.Lambda || G.Function)
    return &Arena.keep(guardFrame(G, Owner));
  if (G.Written && G.MadeByCall)
    return guardObjectFrame(G.Written, Owner, Arena);
  if (G.Written)
    return callableFrame(G.Written, G.BoundArgs, Owner, Arena);
  return nullptr;
}

const Frame *threadFrame(const DetachedSpawn &S, const Frame &Spawner,
                         FrameArena &Arena) {
  if (S.Callable.valid())
    return &Arena.keep(threadFrame(S.Callable, Spawner));
  if (S.Callable.Written)
    return callableFrame(S.Callable.Written, S.Callable.Args, Spawner, Arena);
  if (S.Handle)
    return threadObjectFrame(S.Handle, Spawner, Arena);
  return nullptr;
}

Frame threadFrame(const ThreadCallable &C, const Frame &Spawner) {
  return Frame::callable(Spawner, C.Lambda, C.Function, C.Args, C.Object,
                         C.ObjectIsPointer);
}

DetachedWriterFacts::DetachedWriterFacts(const ScopeGuardRecogniser &Guards,
                                         const SpawnRecogniser &Spawns,
                                         AnalysisContext &Analysis,
                                         std::string SummaryDirectory)
    : Guards(Guards), Spawns(Spawns), Analysis(Analysis), Ctx(Analysis.ast()),
      SummaryDirectory(std::move(SummaryDirectory)),
      Nolint(Ctx.getSourceManager()) {
  // Pools defined in other translation units are known by their summaries.
  if (!this->SummaryDirectory.empty())
    Analysis.pools().useSummaries(imported());
}

const SummaryStore *DetachedWriterFacts::imported() {
  if (!ImportTried) {
    ImportTried = true;
    if (!SummaryDirectory.empty())
      Imported = SummaryStore::load(SummaryDirectory);
  }
  return Imported.get();
}

const FunctionRecord *
DetachedWriterFacts::importedRecord(const FunctionDecl *F) {
  const SummaryStore *Store = F ? imported() : nullptr;
  return Store ? Store->find(usrOf(F)) : nullptr;
}

const FunctionDecl *
DetachedWriterFacts::summarizableCallee(const CallExpr *Call) {
  const SourceManager &SM = Ctx.getSourceManager();
  if (const FunctionDecl *Def = userDefinedCallee(Call, SM))
    return Def;
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || Callee->hasBody() ||
      SM.isInSystemHeader(SM.getExpansionLoc(Callee->getLocation())))
    return nullptr;
  return importedRecord(Callee) ? Callee : nullptr;
}

bool DetachedWriterFacts::mayReachSpawn(const FunctionDecl *F,
                                        unsigned DepthLeft) {
  auto It = ReachesSpawn.find(F);
  if (It != ReachesSpawn.end())
    return It->second;
  // Assume no while we look, so that recursion terminates.
  ReachesSpawn[F] = false;
  llvm::SmallVector<DetachedSpawn, 2> Found;
  Spawns.spawnsIn(F->getBody(), Found, Analysis);
  bool Reaches = !Found.empty();
  if (!Reaches && DepthLeft > 0)
    forEachCall(F->getBody(), [&](const CallExpr *Call) {
      const FunctionDecl *Def = userDefinedCallee(Call, Ctx.getSourceManager());
      if (!Def) {
        // Through a std::function or a function pointer.
        FrameArena Arena;
        llvm::SmallVector<ObjectCallee, 2> Callees;
        objectCallees(Call, Frame::root(F), Arena, Analysis, Callees);
        for (const ObjectCallee &C : Callees)
          Reaches = Reaches || (C.Fr->Function && C.Fr->body() &&
                                mayReachSpawn(C.Fr->Function, DepthLeft - 1));
        return Reaches;
      }
      Reaches = !Spawns.isSpawnApi(Def) && mayReachSpawn(Def, DepthLeft - 1);
      return Reaches;
    });
  return ReachesSpawn[F] = Reaches;
}

void DetachedWriterFacts::collectWriters(
    const Frame &Fr, llvm::SmallVectorImpl<const CallExpr *> &Via,
    unsigned Depth, std::vector<GuardWriter> &Out) {
  const Stmt *Body = Fr.body();
  if (!Body)
    return;
  llvm::SmallVector<DetachedSpawn, 2> Found;
  Spawns.spawnsIn(Body, Found, Analysis);
  for (DetachedSpawn &S : Found) {
    if (Nolint.suppresses(S.loc(), DetachedMutationName))
      continue;
    GuardWriter W;
    // A spawn in a branch that is never taken does not happen.
    if (!reachable(S.Start, Body, Fr.rootFrame().Function, Analysis,
                   W.Conditions))
      continue;
    FrameArena Arena;
    const Frame *ThreadFrame = threadFrame(S, Fr, Arena);
    if (!ThreadFrame || !ThreadFrame->body())
      continue;
    const Frame &Thread = *ThreadFrame;
    findWrites(Thread, Analysis, W.Writes, bounds::WriteCalls);
    // Writes the thread makes before a signal that this body waits for are
    // done when the wait returns.
    if (!W.Writes.empty())
      if (std::optional<Handshake> H =
              handshakeAfter(S.Start, Body, Thread.body(), Analysis))
        llvm::erase_if(W.Writes, [&](const Write &Wr) {
          return beforeSignal(*H, Wr.Root, Analysis);
        });
    // Writes made before a signal the root function's caller can wait for.
    if (!W.Writes.empty())
      if (std::optional<Handshake> P = publishedSignal(Thread, Analysis))
        for (Write &Wr : W.Writes)
          Wr.Published = beforeSignal(*P, Wr.Root, Analysis);
    if (W.Writes.empty())
      continue;
    if (S.Storage)
      W.Storage = ObjectResolver().object(S.Storage, Fr);
    W.Code = Thread.body();
    W.Spawn = std::move(S);
    W.Via.append(Via.begin(), Via.end());
    Out.push_back(std::move(W));
  }
  if (Depth >= bounds::HelperCalls)
    return;
  // Helpers: functions of our own code that the callable calls and that may
  // start a thread themselves.
  forEachCall(Body, [&](const CallExpr *Call) {
    // detached-mutation warns at the first call of a chain of helpers.
    if (Via.empty() &&
        Nolint.suppresses(Call->getBeginLoc(), DetachedMutationName))
      return false;
    const FunctionDecl *Def = userDefinedCallee(Call, Ctx.getSourceManager());
    if (!Def) {
      // A helper defined in another translation unit, known from its
      // exported summary.
      const FunctionDecl *Callee = Call->getDirectCallee();
      const FunctionRecord *Rec =
          Callee && !Callee->hasBody() ? importedRecord(Callee) : nullptr;
      if (!Rec) {
        collectObjectCallWriters(Call, Fr, Via, Depth, Out);
        return false;
      }
      for (const PortableWrite &PW : imported()->spawnsOf(Rec->USR)) {
        std::optional<ObjectRef> Target = fromPortable(PW, Callee);
        std::optional<ObjectRef> Mapped =
            Target ? mapToCaller(*Target, Call, Fr) : std::nullopt;
        if (!Mapped)
          continue;
        GuardWriter W;
        W.Via.append(Via.begin(), Via.end());
        W.Via.push_back(Call);
        Write Wr;
        Wr.Target = std::move(*Mapped);
        Wr.At = Call;
        Wr.Access = nullptr;
        if (PW.Locked)
          Wr.Lock = HeldLock();
        W.Writes.push_back(std::move(Wr));
        W.ImportedFrom = Rec;
        W.ImportedWrite = &PW;
        Out.push_back(std::move(W));
      }
      return false;
    }
    if (Spawns.isSpawnApi(Def) ||
        !mayReachSpawn(Def, bounds::HelperCalls - Depth - 1))
      return false;
    llvm::SmallVector<const Expr *, 4> Args;
    Frame Helper = callFrame(Fr, Call, Def, Args);
    Via.push_back(Call);
    collectWriters(Helper, Via, Depth + 1, Out);
    Via.pop_back();
    return false;
  });
}

void DetachedWriterFacts::collectObjectCallWriters(
    const CallExpr *Call, const Frame &Fr,
    llvm::SmallVectorImpl<const CallExpr *> &Via, unsigned Depth,
    std::vector<GuardWriter> &Out) {
  FrameArena Arena;
  llvm::SmallVector<ObjectCallee, 2> Callees;
  objectCallees(Call, Fr, Arena, Analysis, Callees);
  for (const ObjectCallee &C : Callees) {
    if (!C.Fr->Function || !C.Fr->body() ||
        !mayReachSpawn(C.Fr->Function, bounds::HelperCalls - Depth - 1))
      continue;
    size_t Before = Out.size();
    Via.push_back(Call);
    collectWriters(*C.Fr, Via, Depth + 1, Out);
    Via.pop_back();
    if (C.Stored)
      for (size_t I = Before; I < Out.size(); ++I)
        Out[I].Stored.push_back({Call, C.Stored});
  }
}

const std::vector<GuardWriter> &
DetachedWriterFacts::writersOf(const GuardCallable &G) {
  // A function (a destructor, a cleanup or a deleter function) can be the
  // callable of many guards: the guard variable is part of the key.
  const void *Callable = G.Lambda     ? static_cast<const void *>(G.Lambda)
                         : G.Function ? static_cast<const void *>(G.Function)
                                      : static_cast<const void *>(G.Written);
  std::pair<const void *, const void *> Key(G.Guard, Callable);
  std::unique_ptr<std::vector<GuardWriter>> &Slot = Writers[Key];
  if (Slot)
    return *Slot;
  Slot = std::make_unique<std::vector<GuardWriter>>();
  const FunctionDecl *Owner = G.owner();
  if (!Owner)
    return *Slot;
  Frame Root = Frame::root(Owner);
  FrameArena Arena;
  const Frame *GuardFrame = guardFrame(G, Root, Arena);
  if (!GuardFrame || !GuardFrame->body())
    return *Slot;
  llvm::SmallVector<const CallExpr *, 2> Via;
  std::vector<GuardWriter> Found;
  collectWriters(*GuardFrame, Via, 0, Found);
  // A fresh heap object that the function stored where the caller can see
  // it is the caller's object too.
  for (GuardWriter &W : Found)
    for (Write &Wr : W.Writes)
      if (std::optional<ObjectRef> Seen = storedForCaller(Wr.Target, Owner))
        Wr.Target = std::move(*Seen);
  GuardFate Fate = Found.empty() ? GuardFate::Runs : guardFate(G, Analysis);
  if (Fate == GuardFate::NeverRuns)
    Found.clear();
  // A guard handed to the caller runs where the caller's variable dies: its
  // writes matter when a caller looks at the object after that.
  if (Fate == GuardFate::ToCaller)
    for (GuardWriter &W : Found)
      llvm::erase_if(W.Writes, [&](const Write &Wr) {
        return !callersUseAfterGuard(Owner, Wr.Target);
      });
  // A locked write is reported after all when a caller here reads the
  // object without that lock.
  for (GuardWriter &W : Found)
    for (Write &Wr : W.Writes)
      if (Wr.Lock && Wr.Target.Kind != ObjectRef::Local &&
          callersReadUnlocked(Owner, Wr))
        Wr.ReadUnlocked = true;
  // Published writes are ordered when every caller in this translation unit
  // waits before it looks at the written object.
  for (GuardWriter &W : Found)
    llvm::erase_if(W.Writes, [&](const Write &Wr) {
      return Wr.Published && callersWaitBeforeUse(Owner, Wr.Target);
    });
  // Work on a Qt pool is ordered when every caller here waits for the pool
  // before it looks at the written object.
  for (GuardWriter &W : Found)
    if (W.Spawn.Pool || W.Spawn.What == "QtConcurrent::run")
      llvm::erase_if(W.Writes, [&](const Write &Wr) {
        return callersWaitBeforeUse(Owner, Wr.Target, &W.Spawn);
      });
  // Work given to a pool of ours is ordered when the owner waits for the
  // pool before it returns.
  for (GuardWriter &W : Found)
    if (W.Spawn.Kind == SpawnKind::Spawner && W.Spawn.Pool &&
        ownerDrainsPool(G, W.Spawn))
      W.Writes.clear();
  llvm::erase_if(Found, [&](const GuardWriter &W) {
    return W.Writes.empty() || everyCallRulesOut(Owner, W.Conditions, Analysis);
  });
  // The map may have grown: look the slot up again.
  std::unique_ptr<std::vector<GuardWriter>> &Result = Writers[Key];
  *Result = std::move(Found);
  return *Result;
}

bool DetachedWriterFacts::ownerDrainsPool(const GuardCallable &G,
                                          const DetachedSpawn &S) {
  const Decl *Pool = namedObject(S.Pool);
  if (!Pool || !G.Guard)
    return false;
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation GuardDies = Analysis.endOfScope(G.Guard);
  if (GuardDies.isInvalid())
    return false;
  // Declared before the guard and dying no sooner: it dies after the guard
  // has run.
  auto DiesAfterGuard = [&](const VarDecl *V) {
    SourceLocation Dies = Analysis.endOfScope(V);
    return Dies.isValid() &&
           SM.isBeforeInTranslationUnit(V->getLocation(),
                                        G.Guard->getLocation()) &&
           !SM.isBeforeInTranslationUnit(Dies, GuardDies);
  };
  // The pool is a local object whose destructor joins its threads or waits.
  if (const auto *V = llvm::dyn_cast<VarDecl>(Pool);
      V && V->hasLocalStorage() && !V->getType()->isReferenceType() &&
      !V->getType()->isPointerType() && DiesAfterGuard(V) &&
      Analysis.pools().destructorDrains(V->getType()->getAsCXXRecordDecl()))
    return true;
  // A guard that runs after this one waits for the same pool.
  for (const GuardCallable &Other : guardsOf(G.owner()))
    if (Other.Guard && Other.Guard != G.Guard && DiesAfterGuard(Other.Guard) &&
        poolWaitAfter(S, nullptr, Other.body(), Analysis))
      return true;
  return false;
}

void DetachedWriterFacts::forEachCallBeforeReturn(
    const FunctionDecl *F, const Frame &Root,
    llvm::function_ref<void(const CallExpr *, const Frame &,
                            const GuardCallable *)>
        Fn) {
  forEachCall(F->getBody(), [&](const CallExpr *Call) {
    Fn(Call, Root, nullptr);
    return false;
  });
  for (const GuardCallable &G : guardsOf(F)) {
    FrameArena Arena;
    const Frame *GuardFrame = guardFrame(G, Root, Arena);
    if (!GuardFrame)
      continue;
    forEachCall(GuardFrame->body(), [&](const CallExpr *Call) {
      Fn(Call, *GuardFrame, &G);
      return false;
    });
  }
}

std::optional<GuardCallable> DetachedWriterFacts::guardOf(const VarDecl *V) {
  if (std::optional<GuardCallable> G = Guards.guardOf(V))
    return G;
  return destructorGuard(V);
}

std::optional<GuardCallable>
DetachedWriterFacts::destructorGuard(const VarDecl *V) {
  // A local object whose destructor starts the detached work itself:
  // struct Audit { ~Audit() { std::thread(...).detach(); } }.
  if (!V || !V->hasLocalStorage() || llvm::isa<ParmVarDecl>(V) ||
      V->isInitCapture() || V->getType()->isReferenceType() ||
      V->getType()->isDependentType())
    return std::nullopt;
  const CXXRecordDecl *RD = V->getType()->getAsCXXRecordDecl();
  if (!RD || !RD->hasDefinition())
    return std::nullopt;
  const FunctionDecl *Dtor = definitionOf(RD->getDefinition()->getDestructor());
  if (!Dtor || Spawns.isSpawnApi(Dtor) ||
      inSystemHeader(Dtor, Ctx.getSourceManager()) ||
      !mayReachSpawn(Dtor, bounds::HelperCalls))
    return std::nullopt;
  GuardCallable G;
  G.Guard = V;
  G.Loc = V->getBeginLoc();
  G.Function = Dtor;
  G.Object = referenceTo(V);
  return G;
}

std::optional<ObjectRef>
DetachedWriterFacts::storedForCaller(const ObjectRef &Target,
                                     const FunctionDecl *Owner) {
  // `auto p = std::make_shared<T>(); out = p;`: p's object is reachable from
  // the by-reference parameter out, a member or a global. The write to
  // p->x becomes a write to out->x.
  if (Target.Kind != ObjectRef::Local || !Target.Var || Target.Path.empty() ||
      Target.Path.front() != nullptr || !isPointerLike(Target.Var->getType()))
    return std::nullopt;
  const Frame Root = Frame::root(Owner);
  std::optional<ObjectRef> Holder;
  forEachStmt(Owner->getBody(), bounds::WalkNodes, [&](const Stmt *S) {
    const Expr *To = nullptr;
    const Expr *From = nullptr;
    if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(S);
        OC && OC->getOperator() == OO_Equal && OC->getNumArgs() == 2) {
      To = OC->getArg(0);
      From = OC->getArg(1);
    } else if (const auto *BO = llvm::dyn_cast<BinaryOperator>(S);
               BO && BO->getOpcode() == BO_Assign) {
      To = BO->getLHS();
      From = BO->getRHS();
    }
    if (!From || !isPointerLike(From->getType()))
      return false;
    if (const Expr *Inner = transparentCallArgument(ignoreWrappers(From)))
      From = Inner;
    const auto *Ref = llvm::dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(From));
    if (!Ref || Ref->getDecl() != Target.Var)
      return false;
    std::optional<ObjectRef> Seen = ObjectResolver().object(To, Root);
    if (Seen && Seen->Kind != ObjectRef::Local)
      Holder = std::move(Seen);
    return Holder.has_value();
  });
  if (Holder)
    Holder->Path.append(Target.Path.begin(), Target.Path.end());
  return Holder;
}

const llvm::SmallVector<GuardCallable, 2> &
DetachedWriterFacts::guardsOf(const FunctionDecl *F) {
  std::unique_ptr<llvm::SmallVector<GuardCallable, 2>> &Entry = GuardLists[F];
  llvm::SmallVector<GuardCallable, 2> *Slot = Entry.get();
  if (!Slot) {
    // The list, not the map's slot, which later insertions may move.
    Entry = std::make_unique<llvm::SmallVector<GuardCallable, 2>>();
    Slot = Entry.get();
    Guards.guardsIn(F->getBody(), *Slot);
    // Locals whose destructor spawns, which the recogniser does not know.
    llvm::SmallVector<const VarDecl *, 4> Locals;
    forEachStmt(F->getBody(), bounds::WalkNodes, [&](const Stmt *S) {
      if (const auto *DS = llvm::dyn_cast<DeclStmt>(S))
        for (const Decl *D : DS->decls())
          if (const auto *V = llvm::dyn_cast<VarDecl>(D))
            Locals.push_back(V);
      return false;
    });
    for (const VarDecl *V : Locals)
      if (llvm::none_of(*Slot,
                        [&](const GuardCallable &G) { return G.Guard == V; }))
        if (std::optional<GuardCallable> G = destructorGuard(V))
          Slot->push_back(std::move(*G));
  }
  return *Slot;
}

namespace {
// The variable an expression is rooted at: c in c, c.port, *c, c->x, &c,
// std::move(c).
const VarDecl *rootVariable(const Expr *E) {
  if (const Expr *Inner =
          E ? transparentCallArgument(ignoreWrappers(E)) : nullptr)
    E = Inner;
  // A copy made for a by-value parameter (a shared_ptr): the variable copied.
  if (const auto *CE = llvm::dyn_cast_or_null<CXXConstructExpr>(
          E ? ignoreWrappers(E) : nullptr);
      CE && CE->getNumArgs() == 1 && CE->getConstructor() &&
      CE->getConstructor()->isCopyOrMoveConstructor())
    E = CE->getArg(0);
  const auto *DRE = llvm::dyn_cast_or_null<DeclRefExpr>(accessRoot(E));
  return DRE ? llvm::dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
}

// The caller's variable that holds the object Target of the callee: the
// root variable of the matching argument, of the object of a member call, or
// the global itself.
const VarDecl *holderInCaller(const ObjectRef &Target, const CallExpr *Call) {
  const VarDecl *Holder = nullptr;
  if (Target.Kind == ObjectRef::Global) {
    Holder = Target.Var;
  } else if (Target.Kind == ObjectRef::This) {
    if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call))
      Holder = rootVariable(MC->getImplicitObjectArgument());
  } else if (Target.Kind == ObjectRef::Param) {
    unsigned Index = Target.ParamIndex;
    if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call);
        OC && llvm::isa_and_nonnull<CXXMethodDecl>(OC->getDirectCallee()))
      ++Index;
    if (Index < Call->getNumArgs())
      Holder = rootVariable(Call->getArg(Index));
  }
  return Holder;
}

// The variable a call's result initialises: `auto g = makeGuard(c);`.
const VarDecl *resultVariable(const CallExpr *Call, const ParentMap &PM) {
  for (const Stmt *P = PM.getParent(Call); P; P = PM.getParent(P)) {
    if (const auto *DS = llvm::dyn_cast<DeclStmt>(P))
      return DS->isSingleDecl() ? llvm::dyn_cast<VarDecl>(DS->getSingleDecl())
                                : nullptr;
    if (!llvm::isa<Expr>(P))
      return nullptr;
  }
  return nullptr;
}
} // namespace

bool DetachedWriterFacts::callersUseAfterGuard(const FunctionDecl *F,
                                               const ObjectRef &Target) {
  const SourceManager &SM = Ctx.getSourceManager();
  llvm::ArrayRef<CallSite> Sites = Analysis.callersOf(F);
  if (Sites.empty())
    return true; // nobody here: assume the caller looks afterwards
  for (const CallSite &Site : Sites) {
    const Stmt *Body = Site.Caller->getBody();
    const VarDecl *Holder = holderInCaller(Target, Site.Call);
    if (!Body || !Holder)
      return true;
    BodyContext &BC = Analysis.body(Body);
    // The guard runs where the variable holding it dies, or at the end of
    // the call's statement.
    SourceLocation Runs = Site.Call->getEndLoc();
    if (const VarDecl *R = resultVariable(Site.Call, BC.parents()))
      Runs = BC.endOfScope(R);
    if (Runs.isInvalid())
      return true;
    for (const BodyIndex::Use &U : BC.index().usesOf(Holder))
      if (SM.isBeforeInTranslationUnit(Runs, U.Ref->getBeginLoc()))
        return true;
  }
  return false;
}

namespace {
// The object a use of a variable reaches through fields: r in r.a.b climbs
// to r.a.b; Parent is what uses that.
const Expr *climbToAccess(const Expr *Use, const ParentMap &PM,
                          const Stmt *&Parent) {
  const Expr *Access = Use;
  Parent = PM.getParent(Access);
  while (Parent && (llvm::isa<ImplicitCastExpr, ParenExpr>(Parent) ||
                    (llvm::isa<MemberExpr>(Parent) &&
                     llvm::isa<FieldDecl>(
                         llvm::cast<MemberExpr>(Parent)->getMemberDecl())))) {
    Access = llvm::cast<Expr>(Parent);
    Parent = PM.getParent(Parent);
  }
  return Access;
}

// Whether the fields Access goes through below its root variable (r.a.b:
// a, b) and Path (a null entry is a dereference, skipped) are one a prefix
// of the other: the read may see the write.
bool pathOverlaps(const Expr *Access, llvm::ArrayRef<const FieldDecl *> Path) {
  llvm::SmallVector<const FieldDecl *, 4> Fields;
  for (const Expr *E = Access; E;) {
    E = E->IgnoreParenImpCasts();
    const auto *ME = llvm::dyn_cast<MemberExpr>(E);
    if (!ME)
      break;
    if (const auto *FD = llvm::dyn_cast<FieldDecl>(ME->getMemberDecl()))
      Fields.push_back(FD);
    E = ME->getBase();
  }
  std::reverse(Fields.begin(), Fields.end());
  llvm::SmallVector<const FieldDecl *, 4> Written;
  for (const FieldDecl *FD : Path)
    if (FD)
      Written.push_back(FD);
  size_t N = std::min(Fields.size(), Written.size());
  for (size_t I = 0; I < N; ++I)
    if (Fields[I]->getCanonicalDecl() != Written[I]->getCanonicalDecl())
      return false;
  return true;
}

// Whether the reader's locks L include one of the writer's mutexes
// WriterMutexes: a mutex at the same path below the written object's root
// (Holder in the reader's function), or the same global. A mutex we cannot
// compare counts as the same: we cannot tell.
bool sameMutex(const std::optional<HeldLock> &L, const VarDecl *Holder,
               const HeldLock &Writer, const ObjectRef &Target) {
  if (!L)
    return false;
  for (const std::optional<ObjectRef> &WriterMutex : Writer.All) {
    if (!WriterMutex.has_value())
      return true;
    const ObjectRef &WM = WriterMutex.value();
    const bool BelowTarget =
        WM.Kind != ObjectRef::Global && WM.sameRoot(Target);
    if (!BelowTarget && WM.Kind != ObjectRef::Global)
      return true;
    for (const std::optional<ObjectRef> &ReaderMutex : L->All) {
      if (!ReaderMutex.has_value())
        return true;
      const ObjectRef &M = ReaderMutex.value();
      if (WM.Kind == ObjectRef::Global
              ? M.Kind == ObjectRef::Global && M.Var == WM.Var &&
                    M.Path == WM.Path
              : M.Var == Holder && M.Path == WM.Path)
        return true;
    }
  }
  return Writer.All.empty();
}
} // namespace

bool DetachedWriterFacts::callersReadUnlocked(const FunctionDecl *F,
                                              const Write &W) {
  if (!W.Lock || !W.Lock->Mutex)
    return false;
  const ObjectRef &Mutex = *W.Lock->Mutex;
  const bool BelowTarget =
      Mutex.Kind != ObjectRef::Global && Mutex.sameRoot(W.Target);
  if (!BelowTarget && Mutex.Kind != ObjectRef::Global)
    return false;
  const SourceManager &SM = Ctx.getSourceManager();
  ObjectResolver Resolver;
  // Whether a use of Holder in Fn's body, after After, reads without the
  // writer's mutex; calls of our own code that take Holder are followed
  // once.
  std::function<bool(const FunctionDecl *, const VarDecl *, const Stmt *,
                     unsigned)>
      ReadsUnlocked = [&](const FunctionDecl *Fn, const VarDecl *Holder,
                          const Stmt *After, unsigned Depth) {
        const Stmt *Body = Fn ? Fn->getBody() : nullptr;
        if (!Body || !Holder)
          return false;
        BodyContext &BC = Analysis.body(Body, Fn);
        Frame Root = Frame::root(Fn);
        for (const BodyIndex::Use &U : BC.index().usesOf(Holder)) {
          if (After && !SM.isBeforeInTranslationUnit(After->getEndLoc(),
                                                     U.Ref->getBeginLoc()))
            continue;
          // Uses in lambdas run elsewhere, and later.
          if (U.InLambda)
            continue;
          const Stmt *P = nullptr;
          const Expr *Access = climbToAccess(U.Ref, BC.parents(), P);
          if (isSynchronizationType(Access->getType()) ||
              isAtomicType(Access->getType()) ||
              !pathOverlaps(Access, W.Target.Path))
            continue;
          // A member function called on it: what it does is its own
          // business (it may well lock).
          if (llvm::isa_and_nonnull<MemberExpr>(P))
            continue;
          // Taking the address reads nothing.
          if (const auto *UO = llvm::dyn_cast_or_null<UnaryOperator>(P);
              UO && UO->getOpcode() == UO_AddrOf)
            continue;
          // Passed whole to a function of ours: look at what it does, once.
          const auto *Call = llvm::dyn_cast_or_null<CallExpr>(P);
          const FunctionDecl *Def = Call && ignoreWrappers(Access) == U.Ref
                                        ? userDefinedCallee(Call, SM)
                                        : nullptr;
          if (Def &&
              (Depth > 0 || Def->getCanonicalDecl() == F->getCanonicalDecl()))
            continue;
          if (Def) {
            for (unsigned I = 0;
                 Def && I < Call->getNumArgs() && I < Def->getNumParams(); ++I)
              if (ignoreWrappers(Call->getArg(I)) == U.Ref &&
                  ReadsUnlocked(Def, Def->getParamDecl(I), nullptr, 1))
                return true;
            continue;
          }
          std::optional<HeldLock> L = BC.locks().heldAt(U.Ref, Root, Resolver);
          if (!sameMutex(L, Holder, *W.Lock, W.Target)) {
            return true;
          }
        }
        return false;
      };
  for (const CallSite &Site : Analysis.callersOf(F))
    if (ReadsUnlocked(Site.Caller, holderInCaller(W.Target, Site.Call),
                      Site.Call, 0))
      return true;
  return false;
}

bool DetachedWriterFacts::callersWaitBeforeUse(const FunctionDecl *F,
                                               const ObjectRef &Target,
                                               const DetachedSpawn *Pool) {
  const SourceManager &SM = Ctx.getSourceManager();
  if (Pool && Analysis.callersOf(F).empty())
    return false;
  for (const CallSite &Site : Analysis.callersOf(F)) {
    const Stmt *Body = Site.Caller->getBody();
    if (!Body)
      continue;
    const CallExpr *Call = Site.Call;
    const VarDecl *Holder = holderInCaller(Target, Call);
    // An object we cannot name in the caller: we cannot tell whether it
    // looks before it waits.
    if (!Holder)
      return false;
    const CallExpr *Wait = Pool ? poolWaitAfter(*Pool, Call, Body, Analysis)
                                : firstWaitAfter(Call, Body, Analysis);
    BodyContext &BC = Analysis.body(Body);
    for (const BodyIndex::Use &U : BC.index().usesOf(Holder)) {
      // Naming its mutex or its latch is how the caller waits.
      const Stmt *Parent = nullptr;
      const Expr *Access = climbToAccess(U.Ref, BC.parents(), Parent);
      if (isSynchronizationType(Access->getType()) ||
          isAtomicType(Access->getType()))
        continue;
      SourceLocation L = U.Ref->getBeginLoc();
      if (!SM.isBeforeInTranslationUnit(Call->getEndLoc(), L))
        continue; // before or inside the call
      if (!Wait || SM.isBeforeInTranslationUnit(L, Wait->getBeginLoc()))
        return false; // looked at before waiting
    }
  }
  return true;
}

std::optional<ObjectRef>
DetachedWriterFacts::mapToCaller(const ObjectRef &CalleeObject,
                                 const CallExpr *Call,
                                 const Frame &Caller) const {
  ObjectResolver Resolver;
  std::optional<ObjectRef> Base;
  llvm::ArrayRef<const FieldDecl *> Rest = CalleeObject.Path;
  switch (CalleeObject.Kind) {
  case ObjectRef::Global:
    return CalleeObject;
  case ObjectRef::Local:
    return std::nullopt;
  case ObjectRef::This: {
    const Expr *Obj = nullptr;
    if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call))
      Obj = MC->getImplicitObjectArgument();
    else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call);
             OC && OC->getNumArgs() > 0)
      Obj = OC->getArg(0);
    if (!Obj)
      return std::nullopt;
    // this->ref_ where the caller made the object with ref_ bound to one
    // of its own: that object.
    const bool Arrow = Obj->getType()->isPointerType();
    if (!Rest.empty() && Rest.front()) {
      const FieldDecl *Member = Rest.front();
      const bool Ref = Member->getType()->isReferenceType();
      const bool Ptr =
          isPointerLike(Member->getType()) && Rest.size() > 1 && !Rest[1];
      if (Ref || Ptr)
        if (std::optional<ObjectRef> Seen = Resolver.memberReferent(
                Obj, Arrow, Member, Caller, /*Pointee=*/Ptr)) {
          Seen->Path.append(Rest.begin() + (Ref ? 1 : 2), Rest.end());
          return Seen;
        }
    }
    Base = Arrow ? Resolver.pointee(Obj, Caller) : Resolver.object(Obj, Caller);
    break;
  }
  case ObjectRef::Param: {
    unsigned Index = CalleeObject.ParamIndex;
    if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call);
        OC && llvm::isa_and_nonnull<CXXMethodDecl>(OC->getDirectCallee()))
      ++Index; // the object is argument 0
    if (Index >= Call->getNumArgs())
      return std::nullopt;
    const Expr *Arg = Call->getArg(Index);
    if (!Rest.empty() && Rest.front() == nullptr) {
      Base = Resolver.pointee(Arg, Caller);
      Rest = Rest.drop_front();
    } else {
      Base = Resolver.object(Arg, Caller);
    }
    break;
  }
  }
  if (Base)
    Base->Path.append(Rest.begin(), Rest.end());
  return Base;
}

const FunctionSummary &DetachedWriterFacts::summaryOf(const FunctionDecl *F) {
  static const FunctionSummary Empty;
  const FunctionDecl *Def = nullptr;
  if (!F)
    return Empty;
  if (!F->hasBody(Def)) {
    // Defined in another translation unit: its exported summary, if any.
    F = F->getCanonicalDecl();
    auto It = Summaries.find(F);
    if (It != Summaries.end())
      return *It->second;
    auto Summary = std::make_unique<FunctionSummary>();
    if (const FunctionRecord *Rec = importedRecord(F))
      for (const PortableWrite &PW : imported()->leavesOf(Rec->USR)) {
        std::optional<ObjectRef> Target = fromPortable(PW, F);
        if (!Target)
          continue;
        LeftWrite LW;
        LW.Target = std::move(*Target);
        LW.Locked = PW.Locked;
        LW.WriteDesc = PW.Written;
        LW.ImportedFrom = Rec;
        LW.ImportedWrite = &PW;
        Summary->Writes.push_back(std::move(LW));
      }
    std::unique_ptr<FunctionSummary> &Slot = Summaries[F];
    Slot = std::move(Summary);
    return *Slot;
  }
  F = Def;
  auto It = Summaries.find(F);
  if (It != Summaries.end())
    return *It->second;
  if (InProgress.count(F) || SummaryDepth >= bounds::SummaryCalls)
    return Empty; // recursion, or too deep: not cached

  InProgress.insert(F);
  ++SummaryDepth;
  auto Summary = std::make_unique<FunctionSummary>();
  Frame Root = Frame::root(F);

  // Guards of F whose threads write F's parameters, *this or globals.
  for (const GuardCallable &G : guardsOf(F)) {
    for (const GuardWriter &GW : writersOf(G)) {
      for (const Write &W : GW.Writes) {
        if (W.Target.Kind == ObjectRef::Local)
          continue;
        LeftWrite LW;
        LW.Target = W.Target;
        LW.Locked = W.Lock.has_value();
        LW.Published = W.Published;
        if (W.Lock)
          LW.Mutex = W.Lock->Mutex;
        LW.Guard = G.Guard;
        LW.GuardLoc = G.Loc;
        LW.SpawnLoc = GW.Spawn.loc();
        LW.SpawnWhat = GW.Spawn.What;
        LW.WriteAt = W.At;
        LW.WriteDesc = W.Target.describe();
        LW.Origin = &GW;
        LW.Storage = GW.Storage;
        LW.ImportedFrom = GW.ImportedFrom;
        LW.ImportedWrite = GW.ImportedWrite;
        Summary->Writes.push_back(std::move(LW));
      }
    }
  }

  // Calls that leave writers behind, made in F's body or in its guards.
  forEachCallBeforeReturn(
      F, Root,
      [&](const CallExpr *Call, const Frame &Caller, const GuardCallable *) {
        const FunctionDecl *Callee = summarizableCallee(Call);
        if (!Callee || Callee == F)
          return;
        const FunctionSummary &S = summaryOf(Callee);
        for (const LeftWrite &LW : S.Writes) {
          std::optional<ObjectRef> Target =
              mapToCaller(LW.Target, Call, Caller);
          if (!Target || Target->Kind == ObjectRef::Local)
            continue;
          LeftWrite Mapped = LW;
          Mapped.Target = std::move(*Target);
          if (LW.Mutex)
            Mapped.Mutex = mapToCaller(*LW.Mutex, Call, Caller);
          if (LW.Storage)
            Mapped.Storage = mapToCaller(*LW.Storage, Call, Caller);
          Mapped.Calls.insert(Mapped.Calls.begin(), Call);
          Summary->Writes.push_back(std::move(Mapped));
        }
      });

  --SummaryDepth;
  InProgress.erase(F);
  std::unique_ptr<FunctionSummary> &Slot = Summaries[F];
  Slot = std::move(Summary);
  return *Slot;
}

FunctionRecord DetachedWriterFacts::record(const FunctionDecl *F) {
  FunctionRecord R;
  const FunctionDecl *Def = nullptr;
  if (!F || !F->hasBody(Def))
    return R;
  const SourceManager &SM = Ctx.getSourceManager();
  R.USR = usrOf(Def);
  R.Name = qualifiedName(Def);
  llvm::SmallString<256> File(
      SM.getFilename(SM.getExpansionLoc(Def->getLocation())));
  // Without a current directory the path stays as the compiler saw it:
  // summaries still match within one build directory.
  if (std::error_code EC = llvm::sys::fs::make_absolute(File))
    File = SM.getFilename(SM.getExpansionLoc(Def->getLocation()));
  R.File = std::string(File);
  R.Hash = SummaryStore::fileHash(R.File);
  auto Where = [&](SourceLocation L) -> std::string {
    if (L.isInvalid())
      return {};
    PresumedLoc P = SM.getPresumedLoc(SM.getExpansionLoc(L));
    if (P.isInvalid())
      return {};
    return std::string(P.getFilename()) + ":" + std::to_string(P.getLine()) +
           ":" + std::to_string(P.getColumn());
  };

  // A thread pool's submit: what phase two needs to find its callers.
  if (std::optional<PoolSubmit> Submit = Analysis.pools().submitOf(Def)) {
    R.RunsDetached = Submit->Param;
    R.ReturnsHandle = Submit->ReturnsHandle;
  }

  // Writes still running when Def returns.
  for (const LeftWrite &LW : summaryOf(Def).Writes) {
    std::optional<PortableWrite> PW = portable(LW.Target);
    if (!PW)
      continue;
    PW->Locked = LW.Locked;
    PW->Written = LW.WriteDesc;
    if (LW.ImportedWrite) {
      PW->Spawn = LW.ImportedWrite->Spawn;
      PW->Write = LW.ImportedWrite->Write;
    } else {
      PW->Spawn = LW.SpawnWhat + " detached at " + Where(LW.SpawnLoc);
      PW->Write = LW.WriteAt ? Where(LW.WriteAt->getBeginLoc()) : "";
    }
    R.Leaves.push_back(std::move(*PW));
  }

  // Threads Def starts itself: what a guard calling it leaves behind.
  Frame Root = Frame::root(Def);
  llvm::SmallVector<const CallExpr *, 2> Via;
  std::vector<GuardWriter> Found;
  collectWriters(Root, Via, /*Depth=*/1, Found);
  for (const GuardWriter &GW : Found)
    for (const Write &W : GW.Writes) {
      std::optional<PortableWrite> PW = portable(W.Target);
      if (!PW)
        continue;
      PW->Locked = W.Lock.has_value();
      PW->Written = W.Target.describe();
      if (GW.ImportedWrite) {
        PW->Spawn = GW.ImportedWrite->Spawn;
        PW->Write = GW.ImportedWrite->Write;
      } else {
        PW->Spawn = GW.Spawn.What + " detached at " + Where(GW.Spawn.loc());
        PW->Write = W.At ? Where(W.At->getBeginLoc()) : "";
      }
      R.Spawns.push_back(std::move(*PW));
    }

  // Calls to functions defined elsewhere: summaries compose through them
  // when they are imported. Calls in F's guards count too: they run before
  // F returns.
  ObjectResolver Resolver;
  forEachCallBeforeReturn(
      Def, Root,
      [&](const CallExpr *Call, const Frame &Caller, const GuardCallable *) {
        const FunctionDecl *Callee = Call->getDirectCallee();
        if (!Callee || Callee->hasBody() ||
            SM.isInSystemHeader(SM.getExpansionLoc(Callee->getLocation())))
          return;
        CallEdge E;
        E.Callee = usrOf(Callee);
        E.Name = qualifiedName(Callee);
        E.At = Where(Call->getBeginLoc());
        if (E.Callee.empty())
          return;
        auto Bind = [&](int Param, const Expr *Arg) {
          ArgBinding B;
          B.Param = Param;
          if (std::optional<ObjectRef> O = Resolver.object(Arg, Caller))
            B.Object = portable(*O);
          if (std::optional<ObjectRef> P = Resolver.pointee(Arg, Caller))
            B.Pointee = portable(*P);
          if (B.Object || B.Pointee)
            E.Args.push_back(std::move(B));
        };
        unsigned First = 0;
        if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call)) {
          const Expr *Obj = MC->getImplicitObjectArgument();
          ArgBinding B;
          B.Param = -1;
          std::optional<ObjectRef> O = Obj->getType()->isPointerType()
                                           ? Resolver.pointee(Obj, Caller)
                                           : Resolver.object(Obj, Caller);
          if (O)
            B.Object = portable(*O);
          if (B.Object)
            E.Args.push_back(std::move(B));
        } else if (llvm::isa<CXXOperatorCallExpr>(Call) &&
                   llvm::isa<CXXMethodDecl>(Callee)) {
          First = 1;
          if (Call->getNumArgs() > 0)
            if (std::optional<ObjectRef> O =
                    Resolver.object(Call->getArg(0), Caller);
                O && portable(*O)) {
              ArgBinding B;
              B.Param = -1;
              B.Object = portable(*O);
              E.Args.push_back(std::move(B));
            }
        }
        for (unsigned I = First; I < Call->getNumArgs(); ++I)
          Bind(static_cast<int>(I - First), Call->getArg(I));
        if (!E.Args.empty())
          R.Calls.push_back(std::move(E));
      });
  return R;
}

} // namespace clang::tidy::defer_race
