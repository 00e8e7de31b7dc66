//===--- ConcurrentReads.cpp - Facts: reads a detached writer may overlap -===//

#include "ConcurrentReads.h"
#include "BodyIndex.h"
#include "Expressions.h"
#include "Handshakes.h"
#include "Vocabulary.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {

//===----------------------------------------------------------------------===//
// Order: F's body, or a guard's callable, and its CFG.
//===----------------------------------------------------------------------===//

namespace {

using Point = BodyContext::Point;

// Whether To can execute after From: later in the same block, or in a
// block reachable from From's successors (a loop brings From's block back).
// Paths through an element for which Blocks returns true are cut: that is
// where the writer is waited for.
bool reaches(Point From, Point To,
             llvm::function_ref<bool(const Stmt *)> Blocks = nullptr) {
  auto IsBlocking = [&](const CFGBlock *B, unsigned I) {
    if (!Blocks)
      return false;
    auto S = (*B)[I].getAs<CFGStmt>();
    return S && Blocks(S->getStmt());
  };
  // The rest of From's own block.
  for (unsigned I = From.second + 1; I < From.first->size(); ++I) {
    if (From.first == To.first && I == To.second)
      return true;
    if (IsBlocking(From.first, I))
      return false;
  }
  llvm::SmallPtrSet<const CFGBlock *, 32> Seen;
  llvm::SmallVector<const CFGBlock *, 32> Work;
  auto Push = [&](const CFGBlock *B) {
    for (const CFGBlock *S : B->succs())
      if (S && Seen.insert(S).second)
        Work.push_back(S);
  };
  Push(From.first);
  while (!Work.empty()) {
    const CFGBlock *B = Work.pop_back_val();
    bool Cut = false;
    for (unsigned I = 0; I < B->size() && !Cut; ++I) {
      if (B == To.first && I == To.second)
        return true;
      Cut = IsBlocking(B, I);
    }
    if (!Cut)
      Push(B);
  }
  return false;
}

} // namespace

ConcurrentReadFinder::ConcurrentReadFinder(
    DetachedWriterFacts &Facts, const SerializerRecogniser &Serializers)
    : Facts(Facts), Serializers(Serializers) {}

ConcurrentReadFinder::~ConcurrentReadFinder() = default;

BodyContext &ConcurrentReadFinder::contextOf(const GuardCallable *G) {
  if (!G)
    return Facts.analysis().body(F->getBody(), F);
  const Decl *Owner =
      G->Lambda ? static_cast<const Decl *>(G->Lambda->getCallOperator())
                : G->Function;
  return Facts.analysis().body(G->body(), Owner);
}

const Frame &ConcurrentReadFinder::frameOf(const GuardCallable *G) {
  if (!G)
    return *Root;
  std::unique_ptr<Frame> &Slot = GuardFrames[G];
  if (!Slot)
    Slot = std::make_unique<Frame>(guardFrame(*G, *Root));
  return *Slot;
}

//===----------------------------------------------------------------------===//
// Serializer calls
//===----------------------------------------------------------------------===//

namespace {

// Finds serializer calls in pre-order, outermost first. With SkipLambdas
// unset it only answers "is there any serializer anywhere in F?".
class SerializerCollector : public RecursiveASTVisitor<SerializerCollector> {
public:
  SerializerCollector(const SerializerRecogniser &R, bool SkipLambdas)
      : R(R), SkipLambdas(SkipLambdas) {}
  llvm::SmallVector<SerializerCall, 4> Found;

  bool TraverseLambdaExpr(LambdaExpr *L) {
    if (SkipLambdas)
      return true;
    return RecursiveASTVisitor::TraverseLambdaExpr(L);
  }
  bool TraverseCXXRecordDecl(CXXRecordDecl *RD) {
    if (SkipLambdas)
      return true;
    return RecursiveASTVisitor::TraverseCXXRecordDecl(RD);
  }
  bool VisitCallExpr(CallExpr *E) { return add(E); }
  bool VisitCXXConstructExpr(CXXConstructExpr *E) { return add(E); }

private:
  bool add(const Expr *E) {
    if (std::optional<SerializerCall> S = R.serializerAt(E)) {
      Found.push_back(std::move(*S));
      return SkipLambdas; // the existence probe stops at the first
    }
    return true;
  }
  const SerializerRecogniser &R;
  bool SkipLambdas;
};

} // namespace

//===----------------------------------------------------------------------===//
// Writers, reads, order
//===----------------------------------------------------------------------===//

void ConcurrentReadFinder::collectWriters(const FunctionDecl *Fn) {
  Facts.forEachCallBeforeReturn(
      Fn, *Root,
      [&](const CallExpr *Call, const Frame &Caller, const GuardCallable *G) {
        const FunctionDecl *Callee = Facts.summarizableCallee(Call);
        if (!Callee || Callee == Fn)
          return;
        const FunctionSummary &Summary = Facts.summaryOf(Callee);
        for (const LeftWrite &LW : Summary.Writes) {
          std::optional<ObjectRef> Target =
              Facts.mapToCaller(LW.Target, Call, Caller);
          if (!Target)
            continue;
          auto W = std::make_unique<WriterStart>();
          W->Target = std::move(*Target);
          if (LW.Mutex)
            W->Mutex = Facts.mapToCaller(*LW.Mutex, Call, Caller);
          W->Locked = LW.Locked;
          W->Published = LW.Published;
          W->Pos = {Call, G};
          W->Call = Call;
          W->Origin = LW.Origin;
          W->Guard = LW.Guard;
          W->WriteAt = LW.WriteAt;
          W->WriteDesc = LW.WriteDesc;
          W->GuardLoc = LW.GuardLoc;
          if (LW.Storage)
            W->Storage = Facts.mapToCaller(*LW.Storage, Call, Caller);
          W->ImportedFrom = LW.ImportedFrom;
          W->ImportedWrite = LW.ImportedWrite;
          Writers.push_back(std::move(W));
        }
      });
  for (const GuardCallable &G : Facts.guardsOf(Fn)) {
    // The guard's own threads start where the guard's callable spawns them.
    for (const GuardWriter &GW : Facts.writersOf(G)) {
      const Stmt *Start =
          !GW.Via.empty()   ? static_cast<const Stmt *>(GW.Via.front())
          : GW.Spawn.Detach ? static_cast<const Stmt *>(GW.Spawn.Detach)
                            : GW.Spawn.Start;
      for (const Write &Wr : GW.Writes) {
        auto W = std::make_unique<WriterStart>();
        W->Target = Wr.Target;
        W->Locked = Wr.Lock.has_value();
        if (Wr.Lock)
          W->Mutex = Wr.Lock->Mutex;
        W->Pos = {Start, &G};
        W->OwnGuard = &G;
        W->Origin = &GW;
        W->Guard = G.Guard;
        W->WriteAt = Wr.At;
        W->WriteDesc = Wr.Target.describe();
        W->GuardLoc = G.Loc;
        W->Storage = GW.Storage;
        W->ImportedFrom = GW.ImportedFrom;
        W->ImportedWrite = GW.ImportedWrite;
        Writers.push_back(std::move(W));
      }
    }
  }
}

void ConcurrentReadFinder::collectDerivations(const Stmt *Body,
                                              const GuardCallable *G) {
  auto Add = [&](const VarDecl *V, const Expr *Source, const Stmt *At) {
    Derived[V].push_back({Source, Position{At, G}});
  };
  forEachDerivation(Body, Add);
}

void ConcurrentReadFinder::readsOf(const Expr *E, Position Pos, unsigned Depth,
                                   llvm::SmallVectorImpl<Read> &Out) {
  if (!E)
    return;
  Leaves Found = collectLeaves(E);
  if (Found.Refs.empty())
    return;
  ParentMap Local(const_cast<Expr *>(E));
  const Frame &Fr = frameOf(Pos.InGuard);
  BodyContext &Body = contextOf(Pos.InGuard);
  ObjectResolver Resolver;
  for (const Expr *Leaf : Found.Refs) {
    const FieldDecl *Getter = nullptr;
    bool ThroughArrow = false;
    const Expr *Access = accessTop(Leaf, Local, &Getter, &ThroughArrow);
    bool Pointee = Getter ? ThroughArrow : isPointerLike(Access->getType());
    std::optional<ObjectRef> Obj =
        Pointee ? Resolver.pointee(Access, Fr) : Resolver.object(Access, Fr);
    if (Obj) {
      if (Getter)
        Obj->Path.push_back(Getter);
      Read R;
      R.Object = std::move(*Obj);
      R.Access = Access;
      R.Pos = {Access, Pos.InGuard};
      R.Lock = Body.locks().heldAt(Access, Fr, Resolver);
      Out.push_back(std::move(R));
    }
    // What was copied into a local before it reached the serializer.
    const auto *DRE = llvm::dyn_cast<DeclRefExpr>(Leaf);
    const auto *V = DRE ? llvm::dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    if (!V || Depth >= bounds::Derivations)
      continue;
    auto It = Derived.find(V);
    if (It == Derived.end())
      continue;
    // Only what was copied in before this read can flow out through it.
    for (const Derivation &D : It->second)
      if (mayRunAfter(D.Pos, Position{Leaf, Pos.InGuard}))
        readsOf(D.Source, D.Pos, Depth + 1, Out);
  }
}

namespace {

// Whether a range-for waits for every element: for (auto &f : v) f.wait();
bool waitsForEveryElement(const CXXForRangeStmt *For) {
  const VarDecl *Loop = For->getLoopVariable();
  bool Waits = false;
  forEachCall(For->getBody(), [&](const CallExpr *Call) {
    const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call);
    const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
    if (!MD || !MD->getIdentifier() || !isCompletingFutureWait(MD->getName()))
      return false;
    const auto *DRE = llvm::dyn_cast<DeclRefExpr>(
        ignoreWrappers(MC->getImplicitObjectArgument()));
    Waits = DRE && DRE->getDecl() == Loop;
    return Waits;
  });
  return Waits;
}

} // namespace

bool ConcurrentReadFinder::isWaitOn(const Stmt *S, const ObjectRef &Storage,
                                    const GuardCallable *G) {
  // The range of a loop that waits for each element: the loop as a whole
  // waits for them all, even if it may run zero times.
  if (llvm::isa<DeclStmt>(S)) {
    const Stmt *P = contextOf(G).parents().getParent(S);
    if (const auto *For = llvm::dyn_cast_or_null<CXXForRangeStmt>(P);
        For && For->getRangeStmt() == S && waitsForEveryElement(For)) {
      std::optional<ObjectRef> Range =
          ObjectResolver().object(For->getRangeInit(), frameOf(G));
      return Range && Range->overlaps(Storage);
    }
    return false;
  }
  const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(S);
  const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
  if (!MD || !MD->getIdentifier())
    return false;
  if (!isFutureWait(MD->getName()))
    return false;
  // futures.back().wait(), futures[0].get(): down to the container.
  const Expr *Base = MC->getImplicitObjectArgument();
  for (unsigned Steps = 0; Base && Steps < 8; ++Steps) {
    Base = ignoreWrappers(Base);
    if (const auto *Inner = llvm::dyn_cast<CXXMemberCallExpr>(Base))
      Base = Inner->getImplicitObjectArgument();
    else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Base);
             OC && OC->getNumArgs() > 0 &&
             (OC->getOperator() == OO_Subscript ||
              OC->getOperator() == OO_Star || OC->getOperator() == OO_Arrow))
      Base = OC->getArg(0);
    else
      break;
  }
  // for (auto &f : futures) f.wait(): the range being waited on.
  if (const auto *DRE = llvm::dyn_cast_or_null<DeclRefExpr>(Base)) {
    BodyContext &C = contextOf(G);
    for (const Stmt *P = C.parents().getParent(DRE); P;
         P = C.parents().getParent(P))
      if (const auto *For = llvm::dyn_cast<CXXForRangeStmt>(P))
        if (For->getLoopVariable() == DRE->getDecl()) {
          Base = For->getRangeInit();
          break;
        }
  }
  std::optional<ObjectRef> Waited = ObjectResolver().object(Base, frameOf(G));
  return Waited && Waited->overlaps(Storage);
}

bool ConcurrentReadFinder::mayRunAfter(const Position &W, const Position &R,
                                       const ObjectRef *Storage) {
  auto WaitsIn = [&](const GuardCallable *G) {
    return [this, Storage, G](const Stmt *S) {
      return Storage && isWaitOn(S, *Storage, G);
    };
  };
  // Inside one guard's callable: its own order.
  if (W.InGuard && W.InGuard == R.InGuard) {
    BodyContext &C = contextOf(W.InGuard);
    std::optional<Point> From = C.locate(W.S), To = C.locate(R.S);
    auto Waits = WaitsIn(W.InGuard);
    if (From && To && reaches(*From, *To, Waits))
      return true;
  }
  // In F: a guard's callable runs where the guard is destroyed.
  BodyContext &FC = contextOf(nullptr);
  auto PointsOf = [&](const Position &P) {
    llvm::SmallVector<Point, 4> Points;
    if (P.InGuard) {
      llvm::ArrayRef<Point> Destructions = FC.destructionsOf(P.InGuard->Guard);
      Points.append(Destructions.begin(), Destructions.end());
    } else if (std::optional<Point> Pt = FC.locate(P.S)) {
      Points.push_back(*Pt);
    }
    return Points;
  };
  auto Waits = WaitsIn(nullptr);
  for (Point From : PointsOf(W))
    for (Point To : PointsOf(R))
      if (reaches(From, To, Waits))
        return true;
  return false;
}

void ConcurrentReadFinder::conflictsIn(const FunctionDecl *Fn,
                                       llvm::SmallVectorImpl<Conflict> &Out) {
  if (!Fn || !Fn->getBody())
    return;
  // Cheap exit first: most functions serialize nothing.
  {
    SerializerCollector Probe(Serializers, /*SkipLambdas=*/false);
    Probe.TraverseStmt(Fn->getBody());
    if (Probe.Found.empty())
      return;
  }

  F = Fn;
  Root = std::make_unique<Frame>(Frame::root(Fn));
  GuardFrames.clear();
  Writers.clear();
  Derived.clear();

  struct Site {
    SerializerCall S;
    const GuardCallable *G;
  };
  llvm::SmallVector<Site, 4> Sites;
  {
    SerializerCollector Direct(Serializers, /*SkipLambdas=*/true);
    Direct.TraverseStmt(Fn->getBody());
    for (SerializerCall &S : Direct.Found)
      Sites.push_back({std::move(S), nullptr});
  }
  for (const GuardCallable &G : Facts.guardsOf(Fn)) {
    SerializerCollector InGuard(Serializers, /*SkipLambdas=*/true);
    InGuard.TraverseStmt(const_cast<Stmt *>(G.body()));
    for (SerializerCall &S : InGuard.Found)
      Sites.push_back({std::move(S), &G});
  }
  if (Sites.empty())
    return;

  collectWriters(Fn);
  if (Writers.empty())
    return;

  collectDerivations(Fn->getBody(), nullptr);
  for (const GuardCallable &G : Facts.guardsOf(Fn))
    collectDerivations(G.body(), &G);

  // Writers by the root of what they write: a read only meets those.
  llvm::DenseMap<std::pair<const void *, unsigned>,
                 llvm::SmallVector<const WriterStart *, 2>>
      ByRoot;
  for (const std::unique_ptr<WriterStart> &W : Writers)
    ByRoot[W->Target.rootKey()].push_back(W.get());

  llvm::SmallPtrSet<const Expr *, 8> Reported;
  for (Site &Site : Sites) {
    llvm::SmallVector<Read, 8> Reads;
    for (unsigned I = 0; I < Site.S.Inputs.size(); ++I) {
      const Expr *Input = Site.S.Inputs[I];
      size_t Before = Reads.size();
      readsOf(Input, Position{Input, Site.G}, 0, Reads);
      // A function of ours that serializes only some fields of its
      // argument reads those fields.
      if (I < Site.S.InputPaths.size() && !Site.S.InputPaths[I].empty())
        for (size_t R = Before; R < Reads.size(); ++R)
          if (ignoreWrappers(Reads[R].Access) == ignoreWrappers(Input))
            Reads[R].Object.Path.append(Site.S.InputPaths[I].begin(),
                                        Site.S.InputPaths[I].end());
    }
    bool Found = false;
    for (const Read &R : Reads) {
      if (Reported.count(R.Access))
        continue;
      auto Candidates = ByRoot.find(R.Object.rootKey());
      if (Candidates == ByRoot.end())
        continue;
      for (const WriterStart *W : Candidates->second) {
        if (!W->Target.overlaps(R.Object))
          continue;
        // Both sides under the same mutex: no race. A reader holding a
        // lock we cannot compare with the writer's: we cannot tell.
        if (orderedByLock(R.Lock, W->Locked, W->Mutex))
          continue;
        if (!mayRunAfter(W->Pos, R.Pos, W->Storage ? &*W->Storage : nullptr))
          continue;
        // A published write, and the caller waits after the call and
        // before it reads; or work given to a pool of ours, and the caller
        // waits for that pool (pool.Wait()) after the call and before it
        // reads.
        const SourceManager &SM = Facts.analysis().ast().getSourceManager();
        auto WaitsBeforeRead = [&](const CallExpr *Wait) {
          return Wait && SM.isBeforeInTranslationUnit(Wait->getBeginLoc(),
                                                      R.Access->getBeginLoc());
        };
        if (W->Published && W->Call &&
            WaitsBeforeRead(
                firstWaitAfter(W->Call, Fn->getBody(), Facts.analysis())))
          continue;
        if (W->Call && W->Origin && W->Origin->Spawn.Pool &&
            WaitsBeforeRead(poolWaitAfter(W->Origin->Spawn, W->Call,
                                          Fn->getBody(), Facts.analysis())))
          continue;
        Conflict C;
        C.Serializer = Site.S;
        C.R = R;
        C.W = W;
        C.Function = Fn;
        C.Reads.assign(Reads.begin(), Reads.end());
        Out.push_back(std::move(C));
        Reported.insert(R.Access);
        Found = true;
        break;
      }
      if (Found)
        break;
    }
  }
}

} // namespace clang::tidy::defer_race
