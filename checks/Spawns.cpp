//===--- Spawns.cpp - Is this call a detached spawn? ----------------------===//

#include "Spawns.h"
#include "Expressions.h"
#include "Pools.h"
#include "Vocabulary.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {
namespace {

bool isCallTo(const CallExpr *Call, llvm::StringRef Name) {
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  return FD && FD->getIdentifier() && FD->getName() == Name &&
         FD->getDeclContext()->getRedeclContext()->isTranslationUnit();
}

const VarDecl *referencedVar(const Expr *E) {
  const auto *DRE = llvm::dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(E));
  return DRE ? llvm::dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
}

// &t, for a local pthread_t or pthread_attr_t t.
const VarDecl *addressedVar(const Expr *E) {
  const auto *UO = llvm::dyn_cast_or_null<UnaryOperator>(ignoreWrappers(E));
  if (!UO || UO->getOpcode() != UO_AddrOf)
    return nullptr;
  return referencedVar(UO->getSubExpr());
}

// Calls that run as part of V's function and name V, in source order, until
// Fn returns true.
void forEachCallOn(const VarDecl *V, AnalysisContext &Analysis,
                   llvm::function_ref<bool(const CallExpr *)> Fn) {
  const Stmt *Body = owningBody(V);
  if (!Body)
    return;
  for (const BodyIndex::CallRef &C :
       Analysis.body(Body).index().callsMentioning(V))
    if (C.Direct && Fn(C.Call))
      return;
}

// The construction that gave a thread object its callable.
const CXXConstructExpr *threadConstruction(const Expr *E) {
  const auto *CE = llvm::dyn_cast_or_null<CXXConstructExpr>(ignoreWrappers(E));
  // std::thread t = std::thread(f): step through the move.
  while (CE && CE->getNumArgs() == 1 && CE->getConstructor() &&
         (CE->getConstructor()->isMoveConstructor() ||
          CE->getConstructor()->isCopyConstructor()))
    CE = llvm::dyn_cast<CXXConstructExpr>(ignoreWrappers(CE->getArg(0)));
  if (!CE || CE->getNumArgs() == 0)
    return nullptr;
  return CE;
}

// t = std::thread(f) on a default-constructed thread.
const CXXConstructExpr *assignedConstruction(const VarDecl *T,
                                             AnalysisContext &Analysis) {
  const CXXConstructExpr *Found = nullptr;
  forEachCallOn(T, Analysis, [&](const CallExpr *Call) {
    const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call);
    if (!OC || OC->getOperator() != OO_Equal || OC->getNumArgs() != 2 ||
        referencedVar(OC->getArg(0)) != T)
      return false;
    Found = threadConstruction(OC->getArg(1));
    return Found != nullptr;
  });
  return Found;
}

bool isRecordNamed(QualType T, llvm::StringRef Name) {
  const auto *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  return RD && qualifiedName(RD) == Name;
}

// boost::asio::use_future(f): the packaged form of a handler. Returns f.
const Expr *useFutureHandler(const Expr *E) {
  const auto *Call = llvm::dyn_cast_or_null<CallExpr>(ignoreWrappers(E));
  if (!Call || Call->getNumArgs() == 0)
    return nullptr;
  const auto *MD =
      llvm::dyn_cast_or_null<CXXMethodDecl>(Call->getDirectCallee());
  if (!MD || qualifiedName(MD->getParent()) != "boost::asio::use_future_t")
    return nullptr;
  // operator() on the use_future object: the argument after the object.
  unsigned Index = llvm::isa<CXXOperatorCallExpr>(Call) ? 1 : 0;
  return Index < Call->getNumArgs() ? Call->getArg(Index) : nullptr;
}

// Whether Call makes its argument Index (a pthread_attr_t *) detached:
// pthread_attr_setdetachstate(attr, PTHREAD_CREATE_DETACHED), or a function
// of ours that does so to that parameter, a few calls down.
bool setsDetachedState(const CallExpr *Call, unsigned Index, unsigned Depth) {
  if (isCallTo(Call, "pthread_attr_setdetachstate")) {
    if (Index != 0 || Call->getNumArgs() != 2)
      return false;
    const auto *State =
        llvm::dyn_cast<DeclRefExpr>(ignoreWrappers(Call->getArg(1)));
    return State && State->getDecl()->getIdentifier() &&
           State->getDecl()->getName() == "PTHREAD_CREATE_DETACHED";
  }
  const FunctionDecl *Callee = Call->getDirectCallee();
  const FunctionDecl *Def =
      Callee && Depth < bounds::HelperCalls
          ? userDefinedCallee(Call, Callee->getASTContext().getSourceManager())
          : nullptr;
  if (!Def || Index >= Def->getNumParams())
    return false;
  const ParmVarDecl *Param = Def->getParamDecl(Index);
  bool Sets = false;
  forEachCall(Def->getBody(), [&](const CallExpr *Inner) {
    for (unsigned I = 0; I < Inner->getNumArgs() && !Sets; ++I)
      if (referencedVar(Inner->getArg(I)) == Param ||
          addressedVar(Inner->getArg(I)) == Param)
        Sets = setsDetachedState(Inner, I, Depth + 1);
    return Sets;
  });
  return Sets;
}

bool isStopToken(QualType T) {
  const auto *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  return RD && RD->getIdentifier() && RD->getName() == "stop_token";
}

const FunctionDecl *callOperatorOrFunction(const ThreadCallable &C) {
  return C.Lambda ? C.Lambda->getCallOperator() : C.Function;
}

} // namespace

const Stmt *ThreadCallable::body() const {
  return callableBody(Lambda, Function);
}

SourceLocation DetachedSpawn::loc() const {
  if (const auto *MC = llvm::dyn_cast_or_null<CXXMemberCallExpr>(Detach))
    return MC->getExprLoc();
  if (Detach)
    return Detach->getBeginLoc();
  return Start ? Start->getBeginLoc() : SourceLocation();
}

ThreadCallable callableFrom(const Expr *CallableArg,
                            llvm::ArrayRef<const Expr *> Rest) {
  ThreadCallable C;
  C.Written = CallableArg;
  const Expr *E = ignoreWrappers(CallableArg);
  // A copy of a closure object is the same lambda, and so is a
  // std::function (or any wrapper) constructed from one.
  if (const auto *CE = llvm::dyn_cast_or_null<CXXConstructExpr>(E);
      CE && CE->getNumArgs() == 1) {
    const Expr *Arg = ignoreWrappers(CE->getArg(0));
    const CXXRecordDecl *RD = Arg->getType()->getAsCXXRecordDecl();
    if (RD && RD->isLambda())
      E = Arg;
  }
  if (!E)
    return C;
  if (const auto *L = llvm::dyn_cast<LambdaExpr>(E)) {
    C.Lambda = L;
  } else if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E)) {
    if (const auto *V = llvm::dyn_cast<VarDecl>(DRE->getDecl())) {
      if (V->hasLocalStorage() && V->getInit())
        C.Lambda = llvm::dyn_cast<LambdaExpr>(ignoreWrappers(V->getInit()));
    } else if (const auto *FD = llvm::dyn_cast<FunctionDecl>(DRE->getDecl())) {
      C.Function = FD;
    }
  } else if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E);
             UO && UO->getOpcode() == UO_AddrOf) {
    const auto *Ref =
        llvm::dyn_cast<DeclRefExpr>(ignoreWrappers(UO->getSubExpr()));
    const auto *FD =
        Ref ? llvm::dyn_cast<FunctionDecl>(Ref->getDecl()) : nullptr;
    if (const auto *MD = llvm::dyn_cast_or_null<CXXMethodDecl>(FD);
        MD && MD->isInstance()) {
      // std::thread(&C::run, obj, args...)
      if (Rest.empty())
        return C;
      C.Function = MD;
      C.Object = boundObject(Rest.front(), C.ObjectIsPointer);
      Rest = Rest.drop_front();
    } else {
      C.Function = FD;
    }
  }
  C.Args.append(Rest.begin(), Rest.end());
  return C;
}

SpawnRecogniser::SpawnRecogniser(std::vector<std::string> DetachedSpawners,
                                 std::vector<std::string> ConcurrentExecutors)
    : Spawners(std::move(DetachedSpawners)) {
  std::vector<std::string> All = builtinConcurrentExecutors();
  All.insert(All.end(), ConcurrentExecutors.begin(), ConcurrentExecutors.end());
  Executors = NameList(std::move(All));
}

bool SpawnRecogniser::isConcurrentExecutor(QualType T) const {
  if (T.isNull())
    return false;
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  for (unsigned Depth = 0; RD && Depth < 4; ++Depth) {
    if (Executors.matches(RD))
      return true;
    // thread_pool::basic_executor_type: an executor nested in its context.
    if (const auto *Outer = llvm::dyn_cast<CXXRecordDecl>(RD->getDeclContext());
        Outer && Executors.matches(Outer))
      return true;
    // strand<Executor>: runs on the executor it wraps.
    const auto *Spec = llvm::dyn_cast<ClassTemplateSpecializationDecl>(RD);
    if (!Spec || !RD->getIdentifier() || RD->getName() != "strand" ||
        Spec->getTemplateArgs().size() == 0 ||
        Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
      return false;
    RD = Spec->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
  }
  return false;
}

bool SpawnRecogniser::isThreadClass(QualType T) const {
  return isThreadType(T);
}

bool isThreadType(QualType T) {
  if (T.isNull())
    return false;
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  return isThreadRecord(T->getAsCXXRecordDecl());
}

bool isThreadRecord(const CXXRecordDecl *RD) {
  if (threadClasses().matches(RD))
    return true;
  // A class derived from a thread is one.
  if (!RD || !RD->hasDefinition())
    return false;
  for (const CXXBaseSpecifier &B : RD->getDefinition()->bases())
    if (threadClasses().matches(B.getType()->getAsCXXRecordDecl()))
      return true;
  return false;
}

bool SpawnRecogniser::isSpawnApi(const FunctionDecl *FD) const {
  if (!FD)
    return false;
  if (executorFunctions().matches(FD))
    return true;
  if (const auto *MD = llvm::dyn_cast<CXXMethodDecl>(FD))
    if (threadClasses().matches(MD->getParent()))
      return true;
  if (FD->getIdentifier() &&
      FD->getDeclContext()->getRedeclContext()->isTranslationUnit() &&
      FD->getName().take_front(8) == "pthread_")
    return true;
  return Spawners.matches(FD);
}

bool SpawnRecogniser::destructorDetaches(const CXXRecordDecl *RD) const {
  RD = RD->getCanonicalDecl();
  auto It = DetachingDtors.find(RD);
  if (It != DetachingDtors.end())
    return It->second;
  bool Detaches = false;
  const CXXRecordDecl *Def = RD->getDefinition();
  if (const CXXDestructorDecl *Dtor = Def ? Def->getDestructor() : nullptr)
    if (const FunctionDecl *Body = definitionOf(Dtor))
      forEachCall(Body->getBody(), [&](const CallExpr *Call) {
        const FunctionDecl *FD = Call->getDirectCallee();
        Detaches = FD && FD->getIdentifier() && FD->getName() == "detach";
        return Detaches;
      });
  return DetachingDtors[RD] = Detaches;
}

std::optional<DetachedSpawn>
SpawnRecogniser::fromDetachCall(const CXXMemberCallExpr *MC,
                                AnalysisContext &Analysis) const {
  const Expr *Obj = MC->getImplicitObjectArgument();
  if (!Obj || !isThreadClass(Obj->getType()))
    return std::nullopt;
  DetachedSpawn S;
  S.Detach = MC;
  const CXXRecordDecl *RD =
      Obj->getType()->isPointerType()
          ? Obj->getType()->getPointeeType()->getAsCXXRecordDecl()
          : Obj->getType()->getAsCXXRecordDecl();
  std::string Name = qualifiedName(RD);
  S.Kind =
      Name == "boost::thread" ? SpawnKind::BoostThread : SpawnKind::StdThread;
  S.What = Name;
  const CXXConstructExpr *Construct = threadConstruction(Obj);
  if (!Construct) {
    const VarDecl *T = referencedVar(Obj);
    // p->detach() on std::thread *p = &t, or on p = new std::thread(f).
    if (T && T->getType()->isPointerType() && T->getInit()) {
      const Expr *Init = ignoreWrappers(T->getInit());
      if (const auto *New = llvm::dyn_cast<CXXNewExpr>(Init)) {
        Construct = threadConstruction(New->getConstructExpr());
      } else if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Init);
                 UO && UO->getOpcode() == UO_AddrOf) {
        T = referencedVar(UO->getSubExpr());
      }
    }
    if (!Construct && T) {
      S.ThreadVar = T;
      Construct = threadConstruction(T->getInit());
      if (!Construct)
        Construct = assignedConstruction(T, Analysis);
    }
  }
  if (!Construct) {
    // Made elsewhere: the analysis follows the object through frames.
    S.Start = MC;
    S.Handle = Obj;
    return S;
  }
  S.Start = Construct;
  llvm::ArrayRef<const Expr *> Args(Construct->getArgs(),
                                    Construct->getNumArgs());
  S.Callable = callableFrom(Args.front(), Args.drop_front());
  // std::jthread passes a stop_token first when the callable takes one.
  if (const FunctionDecl *Op = callOperatorOrFunction(S.Callable);
      Op && Name == "std::jthread" && Op->getNumParams() > 0 &&
      isStopToken(Op->getParamDecl(0)->getType()))
    S.Callable.Args.insert(S.Callable.Args.begin(), nullptr);
  return S;
}

std::optional<DetachedSpawn>
SpawnRecogniser::fromPthreadCreate(const CallExpr *Call) const {
  if (!isCallTo(Call, "pthread_create") || Call->getNumArgs() != 4)
    return std::nullopt;
  DetachedSpawn S;
  S.Kind = SpawnKind::Pthread;
  S.What = "pthread";
  S.Start = Call;
  S.ThreadVar = addressedVar(Call->getArg(0));
  S.Callable = callableFrom(Call->getArg(2), {Call->getArg(3)});
  return S;
}

std::optional<DetachedSpawn>
SpawnRecogniser::fromPthreadDetach(const CallExpr *Call,
                                   AnalysisContext &Analysis) const {
  if (!isCallTo(Call, "pthread_detach") || Call->getNumArgs() != 1)
    return std::nullopt;
  const VarDecl *T = referencedVar(Call->getArg(0));
  if (!T)
    return std::nullopt; // pthread_detach(pthread_self()), threads[i], ...
  std::optional<DetachedSpawn> S;
  forEachCallOn(T, Analysis, [&](const CallExpr *C) {
    if (!isCallTo(C, "pthread_create") || C->getNumArgs() != 4 ||
        addressedVar(C->getArg(0)) != T)
      return false;
    S = fromPthreadCreate(C);
    return true;
  });
  if (S)
    S->Detach = Call;
  return S;
}

std::optional<DetachedSpawn>
SpawnRecogniser::fromSpawner(const CallExpr *Call,
                             AnalysisContext &Analysis) const {
  if (Spawners.empty() || !Spawners.matches(Call->getDirectCallee()))
    return fromPool(Call, Analysis);
  unsigned First = llvm::isa<CXXOperatorCallExpr>(Call) ? 1 : 0;
  for (unsigned I = First; I < Call->getNumArgs(); ++I) {
    llvm::ArrayRef<const Expr *> Rest(Call->getArgs() + I + 1,
                                      Call->getNumArgs() - I - 1);
    ThreadCallable C = callableFrom(Call->getArg(I), Rest);
    if (!C.valid() && !hasCallableType(Call->getArg(I)))
      continue;
    DetachedSpawn S;
    S.Kind = SpawnKind::Spawner;
    S.Start = Call;
    S.Callable = std::move(C);
    S.What = qualifiedName(Call->getDirectCallee());
    return S;
  }
  return std::nullopt;
}

std::optional<DetachedSpawn>
SpawnRecogniser::fromPool(const CallExpr *Call,
                          AnalysisContext &Analysis) const {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || isSpawnApi(Callee))
    return std::nullopt;
  std::optional<PoolSubmit> Submit = Analysis.pools().submitOf(Callee);
  // A function of ours that hands the callable on to a pool is a helper:
  // the spawn is the submit inside it.
  if (!Submit || (Submit->HandedOn && definitionOf(Callee)))
    return std::nullopt;
  // pool(task) through an operator: the object is argument 0.
  unsigned I = Submit->Param + (llvm::isa<CXXOperatorCallExpr>(Call) &&
                                        llvm::isa<CXXMethodDecl>(Callee)
                                    ? 1
                                    : 0);
  if (I >= Call->getNumArgs())
    return std::nullopt;
  DetachedSpawn S;
  S.Kind = SpawnKind::Spawner;
  S.Start = Call;
  S.Callable =
      callableFrom(Call->getArg(I),
                   llvm::ArrayRef<const Expr *>(Call->getArgs() + I + 1,
                                                Call->getNumArgs() - I - 1));
  if (!S.Callable.valid() && !hasCallableType(Call->getArg(I)))
    return std::nullopt;
  S.What = qualifiedName(Callee);
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call))
    S.Pool = MC->getImplicitObjectArgument();
  S.PoolStorage = Submit->Storage;
  // A future or a handle is returned: waiting for it ends the work.
  S.FutureToken = Submit->ReturnsHandle;
  return S;
}

std::optional<DetachedSpawn>
SpawnRecogniser::fromExecutor(const CallExpr *Call) const {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || !executorFunctions().matches(Callee) ||
      Call->getNumArgs() < 2 ||
      !isConcurrentExecutor(Call->getArg(0)->getType()))
    return std::nullopt;
  DetachedSpawn S;
  S.Kind = SpawnKind::Executor;
  S.Start = Call;
  S.What = qualifiedName(Callee);
  if (Callee->getName() == "co_spawn") {
    // co_spawn(executor, coroutine, token): the token decides.
    if (Call->getNumArgs() < 3)
      return std::nullopt;
    S.Token = Call->getArg(2);
    QualType Token = ignoreWrappers(S.Token)->getType();
    if (isRecordNamed(Token, "boost::asio::use_future_t"))
      S.FutureToken = true;
    else if (!isRecordNamed(Token, "boost::asio::detached_t"))
      return std::nullopt;
    const Expr *Work = ignoreWrappers(Call->getArg(1));
    if (const auto *CoCall = llvm::dyn_cast<CallExpr>(Work);
        CoCall && !llvm::isa<CXXOperatorCallExpr>(CoCall)) {
      // co_spawn(ex, session(std::ref(res)), detached): the coroutine
      // function with its arguments.
      S.Callable.Written = CoCall;
      S.Callable.Function = CoCall->getDirectCallee();
      if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(CoCall)) {
        S.Callable.Object = MC->getImplicitObjectArgument();
        S.Callable.ObjectIsPointer =
            S.Callable.Object->getType()->isPointerType();
      }
      unsigned First = 0;
      for (unsigned I = First; I < CoCall->getNumArgs(); ++I)
        S.Callable.Args.push_back(CoCall->getArg(I));
    } else {
      S.Callable = callableFrom(Call->getArg(1), {});
    }
  } else {
    // post(executor, handler) or post(executor, use_future(handler)).
    S.Handler = Call->getArg(1);
    const Expr *Work = S.Handler;
    if (const Expr *Inner = useFutureHandler(Work)) {
      S.FutureToken = true;
      Work = Inner;
    }
    S.Callable = callableFrom(Work, {});
  }
  if (!S.Callable.valid() &&
      !(S.Callable.Written && hasCallableType(S.Callable.Written)))
    return std::nullopt;
  return S;
}

namespace {

// QThreadPool::globalInstance, which QtConcurrent::run uses by default.
bool isGlobalPool(const Decl *D) {
  const auto *FD = llvm::dyn_cast_or_null<FunctionDecl>(D);
  return FD && qualifiedName(FD) == "QThreadPool::globalInstance";
}

// Whether nothing uses the value of E: it is an expression statement (maybe
// cast to void).
bool resultDiscarded(const Expr *E, ASTContext &Ctx) {
  for (unsigned Steps = 0; E && Steps < 8; ++Steps) {
    DynTypedNodeList Parents = Ctx.getParents(*E);
    if (Parents.size() != 1)
      return false;
    if (const auto *P = Parents[0].get<Expr>()) {
      const auto *Cast = llvm::dyn_cast<CastExpr>(P);
      if (!llvm::isa<ExprWithCleanups, CXXBindTemporaryExpr,
                     MaterializeTemporaryExpr, ParenExpr>(P) &&
          !(Cast &&
            (Cast->getType()->isVoidType() || Cast->getCastKind() == CK_NoOp)))
        return false;
      E = P;
      continue;
    }
    const auto *S = Parents[0].get<Stmt>();
    return S && !llvm::isa<ReturnStmt, DeclStmt>(S);
  }
  return false;
}

// The QRunnable subclass's run() that a pool runs, for `new Task(...)`.
const CXXMethodDecl *runnableRun(const Expr *Runnable) {
  const auto *New =
      llvm::dyn_cast_or_null<CXXNewExpr>(ignoreWrappers(Runnable));
  const CXXRecordDecl *RD =
      New ? New->getAllocatedType()->getAsCXXRecordDecl() : nullptr;
  if (!RD || !RD->hasDefinition())
    return nullptr;
  for (const CXXMethodDecl *MD : RD->getDefinition()->methods())
    if (MD->getIdentifier() && MD->getName() == "run" &&
        MD->getNumParams() == 0 && MD->hasBody())
      return MD;
  return nullptr;
}

} // namespace

std::optional<DetachedSpawn>
SpawnRecogniser::fromQt(const CallExpr *Call, AnalysisContext &Analysis) const {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || !Callee->getIdentifier() || Call->getNumArgs() == 0)
    return std::nullopt;
  std::string Name = qualifiedName(Callee);
  DetachedSpawn S;
  S.Kind = SpawnKind::Executor;
  S.Start = Call;
  S.What = Name;
  if (Name == "QThreadPool::start" || Name == "QThreadPool::tryStart") {
    // pool.start(std::function) or pool.start(new Task): runs on the pool
    // until waitForDone().
    const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call);
    if (!MC)
      return std::nullopt;
    S.Pool = MC->getImplicitObjectArgument();
    const Expr *Work = Call->getArg(0);
    if (const CXXMethodDecl *Run = runnableRun(Work)) {
      S.Callable.Written = Work;
      S.Callable.Function = Run;
      S.Callable.Object = Work;
      S.Callable.ObjectIsPointer = true;
    } else {
      if (const auto *Create = llvm::dyn_cast<CallExpr>(ignoreWrappers(Work));
          Create && Create->getDirectCallee() && Create->getNumArgs() == 1 &&
          qualifiedName(Create->getDirectCallee()) == "QRunnable::create")
        Work = Create->getArg(0);
      S.Callable = callableFrom(Work, {});
    }
  } else if (Name == "QtConcurrent::run") {
    // run([pool,] f, args...) or run([pool,] object, &Class::method, args...).
    unsigned First = 0;
    if (const CXXRecordDecl *RD =
            Call->getArg(0)->getType()->getPointeeCXXRecordDecl();
        RD && RD->getName() == "QThreadPool") {
      S.Pool = Call->getArg(0);
      First = 1;
    }
    if (Call->getNumArgs() <= First)
      return std::nullopt;
    llvm::ArrayRef<const Expr *> Args(Call->getArgs() + First,
                                      Call->getNumArgs() - First);
    if (Args.size() >= 2 &&
        ignoreWrappers(Args[1])->getType()->isMemberFunctionPointerType()) {
      // The object comes first: a pointer is shared with the work, an
      // object passed by reference is copied.
      llvm::SmallVector<const Expr *, 4> Bound{Args[0]};
      Bound.append(Args.begin() + 2, Args.end());
      S.Callable = callableFrom(Args[1], Bound);
    } else {
      S.Callable = callableFrom(Args[0], Args.drop_front());
    }
    // A QFuture that is kept may be waited for: only a dropped one is
    // certainly left running.
    if (!resultDiscarded(Call, Analysis.ast()))
      S.FutureToken = true;
  } else {
    return std::nullopt;
  }
  if (!S.Callable.valid() &&
      !(S.Callable.Written && hasCallableType(S.Callable.Written)))
    return std::nullopt;
  return S;
}

const CallExpr *poolWaitAfter(const DetachedSpawn &S, const Expr *After,
                              const Stmt *Body, AnalysisContext &Analysis) {
  if (!S.Pool && S.What != "QtConcurrent::run")
    return nullptr;
  const bool Ours = S.Kind == SpawnKind::Spawner;
  const Decl *Pool = S.Pool ? namedObject(S.Pool) : nullptr;
  if (Ours && !Pool)
    return nullptr;
  // A caller names the pool by the argument it passes for the parameter.
  if (const auto *P = llvm::dyn_cast_or_null<ParmVarDecl>(Pool); P && After)
    if (const auto *Call =
            llvm::dyn_cast_or_null<CallExpr>(ignoreWrappers(After))) {
      const auto *Owner = llvm::dyn_cast<FunctionDecl>(P->getDeclContext());
      const FunctionDecl *Callee = Call->getDirectCallee();
      unsigned I = P->getFunctionScopeIndex() +
                   (llvm::isa<CXXOperatorCallExpr>(Call) &&
                            llvm::isa_and_nonnull<CXXMethodDecl>(Callee)
                        ? 1
                        : 0);
      if (Owner && Callee &&
          Owner->getCanonicalDecl() == Callee->getCanonicalDecl() &&
          I < Call->getNumArgs())
        Pool = namedObject(Call->getArg(I));
    }
  const SourceManager &SM = Analysis.ast().getSourceManager();
  const CallExpr *Found = nullptr;
  forEachCall(Body, [&](const CallExpr *Call) {
    const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call);
    const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
    if (!MD || !MD->getIdentifier() ||
        (After && !SM.isBeforeInTranslationUnit(After->getEndLoc(),
                                                Call->getBeginLoc())))
      return false;
    const Decl *Waited = namedObject(MC->getImplicitObjectArgument());
    if (Ours ? Pool && Waited == Pool && Analysis.pools().drains(Call, Body)
             : MD->getName() == "waitForDone" &&
                   (Pool ? Waited == Pool : isGlobalPool(Waited)))
      Found = Call;
    return Found != nullptr;
  });
  return Found;
}

std::optional<DetachedSpawn>
SpawnRecogniser::spawnAt(const Stmt *St, AnalysisContext &Analysis) const {
  const auto *Call = llvm::dyn_cast_or_null<CallExpr>(St);
  if (!Call)
    return std::nullopt;
  if (std::optional<DetachedSpawn> S = fromQt(Call, Analysis))
    return S;
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call)) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    if (MD && MD->getIdentifier() && MD->getName() == "detach")
      return fromDetachCall(MC, Analysis);
    return fromSpawner(Call, Analysis);
  }
  if (std::optional<DetachedSpawn> S = fromExecutor(Call))
    return S;
  if (std::optional<DetachedSpawn> S = fromPthreadDetach(Call, Analysis))
    return S;
  if (isCallTo(Call, "pthread_create") && Call->getNumArgs() == 4) {
    std::optional<DetachedSpawn> S = fromPthreadCreate(Call);
    if (!S)
      return std::nullopt;
    // Detached by attribute: pthread_attr_setdetachstate(&attr, DETACHED),
    // here or in a helper that receives &attr.
    if (const VarDecl *Attr = addressedVar(Call->getArg(1))) {
      forEachCallOn(Attr, Analysis, [&](const CallExpr *C) {
        for (unsigned I = 0; I < C->getNumArgs(); ++I)
          if (addressedVar(C->getArg(I)) == Attr &&
              setsDetachedState(C, I, /*Depth=*/0)) {
            S->DetachedAttribute = C;
            break;
          }
        return S->DetachedAttribute != nullptr;
      });
      if (S->DetachedAttribute)
        return S;
    }
    // Detached by the thread itself: pthread_detach(pthread_self()).
    bool DetachesItself = false;
    forEachCall(S->Callable.body(), [&](const CallExpr *C) {
      if (!isCallTo(C, "pthread_detach") || C->getNumArgs() != 1)
        return false;
      const auto *Self = llvm::dyn_cast<CallExpr>(ignoreWrappers(C->getArg(0)));
      DetachesItself = Self && isCallTo(Self, "pthread_self");
      return DetachesItself;
    });
    if (DetachesItself)
      return S;
    return std::nullopt;
  }
  return fromSpawner(Call, Analysis);
}

std::optional<DetachedSpawn>
SpawnRecogniser::spawnAtDecl(const VarDecl *V,
                             AnalysisContext &Analysis) const {
  if (!V || !V->hasLocalStorage() || !V->getInit())
    return std::nullopt;
  // boost::thread before version 3, or a class derived from a thread whose
  // destructor detaches it.
  const CXXRecordDecl *RD = V->getType()->getAsCXXRecordDecl();
  if (!RD || !isThreadClass(V->getType()) || !destructorDetaches(RD))
    return std::nullopt;
  const CXXConstructExpr *Construct = threadConstruction(V->getInit());
  if (!Construct)
    return std::nullopt;
  // Joined, detached explicitly (reported there), or handed elsewhere: the
  // destructor does not decide.
  bool Handled = false;
  forEachCallOn(V, Analysis, [&](const CallExpr *C) {
    if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(C)) {
      if (referencedVar(MC->getImplicitObjectArgument()) == V)
        if (const CXXMethodDecl *MD = MC->getMethodDecl();
            MD && MD->getIdentifier()) {
          llvm::StringRef N = MD->getName();
          Handled = N == "join" || N == "timed_join" || N == "try_join_for" ||
                    N == "try_join_until" || N == "detach" || N == "swap";
        }
    } else if (const Expr *Moved = transparentCallArgument(C)) {
      Handled = referencedVar(Moved) == V;
    }
    return Handled;
  });
  if (Handled)
    return std::nullopt;
  DetachedSpawn S;
  S.What = qualifiedName(RD);
  S.Kind =
      S.What == "boost::thread" ? SpawnKind::BoostThread : SpawnKind::StdThread;
  S.Start = Construct;
  S.ThreadVar = V;
  llvm::ArrayRef<const Expr *> Args(Construct->getArgs(),
                                    Construct->getNumArgs());
  S.Callable = callableFrom(Args.front(), Args.drop_front());
  return S;
}

namespace {

// std::async stored where it outlives the callable: a member, a global, a
// container captured from the enclosing function.
std::optional<DetachedSpawn> storedAsync(const CallExpr *Call,
                                         const Stmt *Body) {
  const Expr *Storage = nullptr;
  llvm::SmallVector<const Expr *, 2> Values;
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call)) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    if (!MD || !MD->getIdentifier())
      return std::nullopt;
    llvm::StringRef Name = MD->getName();
    if (Name != "push_back" && Name != "emplace_back" && Name != "push" &&
        Name != "emplace" && Name != "insert" && Name != "push_front" &&
        Name != "emplace_front")
      return std::nullopt;
    Storage = MC->getImplicitObjectArgument();
    Values.append(MC->arg_begin(), MC->arg_end());
  } else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call);
             OC && OC->getOperator() == OO_Equal && OC->getNumArgs() == 2) {
    Storage = OC->getArg(0);
    Values.push_back(OC->getArg(1));
  } else {
    return std::nullopt;
  }
  const CallExpr *Async = nullptr;
  for (const Expr *V : Values) {
    const auto *C = llvm::dyn_cast_or_null<CallExpr>(ignoreWrappers(V));
    if (C && C->getDirectCallee() &&
        qualifiedName(C->getDirectCallee()) == "std::async")
      Async = C;
  }
  if (!Async || Async->getNumArgs() == 0)
    return std::nullopt;
  // Stored in a local of the callable: its destructor waits.
  const Expr *Root = accessRoot(Storage);
  if (const auto *DRE = llvm::dyn_cast_or_null<DeclRefExpr>(Root)) {
    const auto *V = llvm::dyn_cast<VarDecl>(DRE->getDecl());
    if (!V)
      return std::nullopt;
    SourceRange B = Body->getSourceRange();
    if (V->hasLocalStorage() && !(V->getLocation() < B.getBegin()) &&
        !(B.getEnd() < V->getLocation()))
      return std::nullopt;
  } else if (!Root) {
    return std::nullopt;
  }
  llvm::ArrayRef<const Expr *> Args(Async->getArgs(), Async->getNumArgs());
  if (const auto *E = Args.front()->getType()->getAs<EnumType>();
      E && E->getDecl()->getName() == "launch") {
    // std::launch::deferred runs in the thread that waits.
    const auto *Policy =
        llvm::dyn_cast<DeclRefExpr>(ignoreWrappers(Args.front()));
    if (Policy && Policy->getDecl()->getName() == "deferred")
      return std::nullopt;
    Args = Args.drop_front();
  }
  if (Args.empty())
    return std::nullopt;
  DetachedSpawn S;
  S.Kind = SpawnKind::Async;
  S.Start = Async;
  S.Storage = Storage;
  S.What = "std::async";
  S.Callable = callableFrom(Args.front(), Args.drop_front());
  if (!S.Callable.valid())
    return std::nullopt;
  return S;
}

class SpawnCollector : public RecursiveASTVisitor<SpawnCollector> {
public:
  SpawnCollector(const SpawnRecogniser &R, const Stmt *Body,
                 AnalysisContext &Analysis)
      : R(R), Body(Body), Analysis(Analysis) {}
  llvm::SmallVector<DetachedSpawn, 4> Found;

  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool VisitCallExpr(CallExpr *Call) {
    if (std::optional<DetachedSpawn> S = R.spawnAt(Call, Analysis))
      Found.push_back(std::move(*S));
    else if (std::optional<DetachedSpawn> A = storedAsync(Call, Body))
      Found.push_back(std::move(*A));
    // Waits on futures: post(pool, use_future(f)).wait(), fut.get(),
    // f.waitForFinished().
    if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call))
      if (const CXXMethodDecl *MD = MC->getMethodDecl();
          MD && MD->getIdentifier() && isFutureWait(MD->getName())) {
        const Expr *Obj = ignoreWrappers(MC->getImplicitObjectArgument());
        if (llvm::isa<DeclRefExpr, MemberExpr>(Obj))
          WaitedVars.insert(namedObject(Obj));
        else
          WaitedCalls.insert(Obj);
      }
    // A future kept in a member or variable: cache.last = run(...).
    if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call);
        OC && OC->getOperator() == OO_Equal && OC->getNumArgs() == 2) {
      const Expr *Kept = ignoreWrappers(OC->getArg(0));
      if (llvm::isa<DeclRefExpr, MemberExpr>(Kept))
        FutureVars[ignoreWrappers(OC->getArg(1))] = namedObject(Kept);
      const auto *Local = llvm::dyn_cast_or_null<VarDecl>(namedObject(Kept));
      if (!llvm::isa<DeclRefExpr>(Kept) || !Local || !Local->hasLocalStorage())
        Handed.insert(ignoreWrappers(OC->getArg(1)));
    } else {
      // pending.push_back(pool.Submit(f)), waitAll(pool.Submit(f)).
      for (const Expr *Arg : Call->arguments())
        Handed.insert(ignoreWrappers(Arg));
    }
    return true;
  }
  // What a pool's submit returned, handed out of the callable: someone
  // else may wait for it.
  bool VisitReturnStmt(ReturnStmt *Ret) {
    if (Ret->getRetValue())
      Handed.insert(ignoreWrappers(Ret->getRetValue()));
    return true;
  }
  bool VisitVarDecl(VarDecl *V) {
    if (std::optional<DetachedSpawn> S = R.spawnAtDecl(V, Analysis))
      Found.push_back(std::move(*S));
    if (V->getInit())
      FutureVars[ignoreWrappers(V->getInit())] = V;
    return true;
  }

  // Work whose future is waited for in the callable is not left running,
  // nor work on a Qt pool waited for after it starts.
  void dropWaited() {
    llvm::erase_if(Found, [&](const DetachedSpawn &S) {
      if (poolWaitAfter(S, S.Start, Body, Analysis))
        return true;
      if (!S.FutureToken)
        return false;
      const Expr *Start = ignoreWrappers(S.Start);
      // A pool's future or handle stored beyond the callable (*done = ...,
      // pending_ = ..., returned, passed on): the work is not left
      // unwatched, and who waits for it is not ours to see.
      if (S.Kind == SpawnKind::Spawner && Handed.count(Start))
        return true;
      if (WaitedCalls.count(Start))
        return true;
      auto It = FutureVars.find(Start);
      return It != FutureVars.end() && WaitedVars.count(It->second);
    });
  }

private:
  const SpawnRecogniser &R;
  const Stmt *Body;
  AnalysisContext &Analysis;
  llvm::SmallPtrSet<const Expr *, 4> WaitedCalls;
  llvm::SmallPtrSet<const Expr *, 4> Handed;
  llvm::SmallPtrSet<const Decl *, 4> WaitedVars;
  llvm::DenseMap<const Expr *, const Decl *> FutureVars;
};
} // namespace

void SpawnRecogniser::spawnsIn(const Stmt *Body,
                               llvm::SmallVectorImpl<DetachedSpawn> &Out,
                               AnalysisContext &Analysis) const {
  if (!Body)
    return;
  SpawnCollector Collector(*this, Body, Analysis);
  Collector.TraverseStmt(const_cast<Stmt *>(Body));
  Collector.dropWaited();
  for (DetachedSpawn &S : Collector.Found)
    Out.push_back(std::move(S));
}

} // namespace clang::tidy::defer_race
