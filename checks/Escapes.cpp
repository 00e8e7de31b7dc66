//===--- Escapes.cpp - Facts: a caller's object that a thread outlives ----===//

#include "Escapes.h"
#include "DanglingCaptures.h"
#include "Expressions.h"
#include "Handshakes.h"
#include "Vocabulary.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {

namespace {

constexpr unsigned MaxForwarding = 3;

// The function whose body holds E, not inside a lambda or a local class
// (those run at other times).
const FunctionDecl *enclosingFunction(const Expr *E, ASTContext &Ctx) {
  const auto *FD =
      llvm::dyn_cast_or_null<FunctionDecl>(enclosingCallable(E, Ctx));
  const auto *MD = llvm::dyn_cast_or_null<CXXMethodDecl>(FD);
  return MD && MD->getParent()->isLambda() ? nullptr : FD;
}

// The first node above E that is not a wrapper around the same value: a
// temporary, a cast, a move into another object of the same class.
DynTypedNode consumerOf(const Expr *E, ASTContext &Ctx,
                        const Expr **Below = nullptr) {
  DynTypedNode N = DynTypedNode::create(*E);
  for (unsigned Steps = 0; Steps < 16; ++Steps) {
    DynTypedNodeList Parents = Ctx.getParents(N);
    if (Parents.size() != 1)
      return {};
    const auto *P = Parents[0].get<Expr>();
    const auto *Move = llvm::dyn_cast_or_null<CXXConstructExpr>(P);
    bool Wrapper =
        P && (llvm::isa<MaterializeTemporaryExpr, CXXBindTemporaryExpr,
                        ImplicitCastExpr, CXXFunctionalCastExpr, ParenExpr,
                        ExprWithCleanups>(P) ||
              (Move && Move->getConstructor() &&
               Move->getConstructor()->isCopyOrMoveConstructor()));
    if (!Wrapper) {
      if (Below)
        *Below = N.get<Expr>();
      return Parents[0];
    }
    N = Parents[0];
  }
  return {};
}

// `this->F` or `F` in a member function: the field.
const FieldDecl *ownField(const Expr *E) {
  const auto *ME = llvm::dyn_cast_or_null<MemberExpr>(ignoreWrappers(E));
  if (!ME || !llvm::isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
    return nullptr;
  return llvm::dyn_cast<FieldDecl>(ME->getMemberDecl());
}

bool isAppend(const CXXMemberCallExpr *MC) {
  const CXXMethodDecl *MD = MC->getMethodDecl();
  if (!MD || !MD->getIdentifier())
    return false;
  llvm::StringRef N = MD->getName();
  return N == "emplace_back" || N == "push_back" || N == "emplace" ||
         N == "push";
}

// A container of threads: its first template argument is one.
bool holdsThreads(QualType T, const SpawnRecogniser &Spawns) {
  const auto *Spec = llvm::dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType()->getAsCXXRecordDecl());
  if (!Spec || Spec->getTemplateArgs().size() == 0 ||
      Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return false;
  return Spawns.isThreadClass(Spec->getTemplateArgs()[0].getAsType());
}

// Whether Starter joins the thread in Field after Start, before returning.
bool joinedAfter(const OutlivingThread &T, AnalysisContext &Analysis) {
  const SourceManager &SM = Analysis.ast().getSourceManager();
  bool Joined = false;
  forEachCall(T.Starter->getBody(), [&](const CallExpr *Call) {
    const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call);
    const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
    Joined =
        MD && MD->getIdentifier() && MD->getName() == "join" &&
        ownField(MC->getImplicitObjectArgument()) == T.Holder &&
        SM.isBeforeInTranslationUnit(T.Start->getEndLoc(), Call->getBeginLoc());
    return Joined;
  });
  return Joined;
}

bool isView(QualType T) {
  return viewClasses().matches(T.getNonReferenceType()->getAsCXXRecordDecl());
}

// Which parameter of F the expression names, if it is one.
std::optional<unsigned> paramOf(const Expr *E, const FunctionDecl *F) {
  const auto *DRE = llvm::dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(E));
  const auto *P = DRE ? llvm::dyn_cast<ParmVarDecl>(DRE->getDecl()) : nullptr;
  if (!P || P->getDeclContext() != F)
    return std::nullopt;
  return P->getFunctionScopeIndex();
}

bool isThis(const Expr *E) {
  return llvm::isa_and_nonnull<CXXThisExpr>(ignoreWrappers(E));
}

// What the thread is handed, as an escape of F: `this`, a pointer or view
// parameter (copied), `&p` or std::ref(p) of a reference parameter.
std::optional<unsigned> handedParam(const Expr *E, const FunctionDecl *F,
                                    bool AllowThis) {
  if (!E)
    return std::nullopt;
  if (isThis(E))
    return AllowThis ? std::optional<unsigned>(Escape::ThisObject)
                     : std::nullopt;
  const Expr *Bare = ignoreWrappers(E);
  if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Bare);
      UO && UO->getOpcode() == UO_AddrOf) {
    // &member_: a pointer into the object.
    if (AllowThis && isThis(accessRoot(UO->getSubExpr())))
      return Escape::ThisObject;
    std::optional<unsigned> P = paramOf(UO->getSubExpr(), F);
    if (P && F->getParamDecl(*P)->getType()->isReferenceType())
      return P;
    return std::nullopt;
  }
  if (const Expr *Inner = transparentCallArgument(E);
      Inner && isReferenceWrapperCall(E)) {
    std::optional<unsigned> P = paramOf(Inner, F);
    if (P && F->getParamDecl(*P)->getType()->isReferenceType())
      return P;
    return std::nullopt;
  }
  std::optional<unsigned> P = paramOf(Bare, F);
  if (P && (F->getParamDecl(*P)->getType()->isPointerType() ||
            isView(F->getParamDecl(*P)->getType())))
    return P;
  return std::nullopt;
}

} // namespace

std::optional<OutlivingThread> memberHeldThread(const Expr *Anchor,
                                                const SpawnRecogniser &Spawns,
                                                AnalysisContext &Analysis) {
  ASTContext &Ctx = Analysis.ast();
  OutlivingThread T;
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Anchor)) {
    // threads_.emplace_back(f, args...): the container makes the thread.
    if (!isAppend(MC) || MC->getNumArgs() == 0 ||
        Spawns.isThreadClass(MC->getArg(0)->getType()))
      return std::nullopt;
    T.Holder = ownField(MC->getImplicitObjectArgument());
    if (!T.Holder || !holdsThreads(T.Holder->getType(), Spawns))
      return std::nullopt;
    T.Callable = callableFrom(
        MC->getArg(0),
        llvm::ArrayRef<const Expr *>(MC->getArgs() + 1, MC->getNumArgs() - 1));
  } else if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(Anchor)) {
    if (CE->getNumArgs() == 0 || !CE->getConstructor() ||
        CE->getConstructor()->isCopyOrMoveConstructor() ||
        !Spawns.isThreadClass(CE->getType()))
      return std::nullopt;
    const Expr *Below = nullptr;
    DynTypedNode Dest = consumerOf(CE, Ctx, &Below);
    if (const auto *Init = Dest.get<CXXCtorInitializer>()) {
      T.Holder = Init->getMember();
    } else if (const auto *CD = Dest.get<CXXConstructorDecl>()) {
      // Some versions make the constructor the parent of its initializers.
      for (const CXXCtorInitializer *Init : CD->inits())
        if (Init->isMemberInitializer() && Init->getInit() == Below)
          T.Holder = Init->getMember();
    } else if (const auto *OC = Dest.get<CXXOperatorCallExpr>();
               OC && OC->getOperator() == OO_Equal && OC->getNumArgs() == 2 &&
               OC->getArg(1) == Below) {
      T.Holder = ownField(OC->getArg(0));
    } else if (const auto *Add = Dest.get<CXXMemberCallExpr>();
               Add && isAppend(Add)) {
      T.Holder = ownField(Add->getImplicitObjectArgument());
    }
    if (!T.Holder)
      return std::nullopt;
    T.Callable = callableFrom(
        CE->getArg(0),
        llvm::ArrayRef<const Expr *>(CE->getArgs() + 1, CE->getNumArgs() - 1));
  } else {
    return std::nullopt;
  }
  T.Start = Anchor;
  T.Starter = enclosingFunction(Anchor, Ctx);
  const auto *MD = llvm::dyn_cast_or_null<CXXMethodDecl>(T.Starter);
  if (!MD || !MD->isInstance() || !MD->hasBody() || joinedAfter(T, Analysis))
    return std::nullopt;
  return T;
}

std::optional<OutlivingThread> detachedThread(const DetachedSpawn &S,
                                              AnalysisContext &Analysis) {
  if (!S.Start || S.FutureToken || !(S.Callable.valid() || S.Callable.Written))
    return std::nullopt;
  OutlivingThread T;
  T.Start = S.Start;
  T.Callable = S.Callable;
  T.Starter = enclosingFunction(S.Start, Analysis.ast());
  if (!T.Starter || !T.Starter->hasBody())
    return std::nullopt;
  T.Spawn = S;
  return T;
}

void escapesOf(const OutlivingThread &T, AnalysisContext &Analysis,
               llvm::SmallVectorImpl<Escape> &Out) {
  const FunctionDecl *F = T.Starter;
  if (!F || !F->hasBody())
    return;
  const auto *MD = llvm::dyn_cast<CXXMethodDecl>(F);
  bool AllowThis = MD && MD->isInstance() && !T.Holder;
  const ThreadCallable &C = T.Callable;
  // The starter waits for the thread's signal: it is done in time.
  if (const Stmt *ThreadBody = C.body())
    if (handshakeAfter(T.Start, F->getBody(), ThreadBody, Analysis))
      return;
  llvm::SmallVector<std::pair<unsigned, SourceLocation>, 4> Found;
  auto Add = [&](std::optional<unsigned> P, SourceLocation Loc) {
    if (!P)
      return;
    for (const auto &[Seen, L] : Found)
      if (Seen == *P)
        return;
    Found.push_back({*P, Loc});
  };

  // The thread runs a callable its caller passed in: what that callable
  // captures escapes.
  llvm::SmallVector<unsigned, 1> CallableParams;
  if (!C.Lambda && C.Written) {
    const Expr *Run = C.Written;
    if (const Expr *Inner = transparentCallArgument(Run))
      Run = Inner;
    if (std::optional<unsigned> P = paramOf(Run, F);
        P && hasCallableType(Run)) {
      Add(P, Run->getBeginLoc());
      CallableParams.push_back(*P);
    }
  }
  if (const LambdaExpr *L = C.Lambda) {
    for (const LambdaCapture &Cap : L->captures()) {
      SourceLocation Loc =
          Cap.getLocation().isValid() ? Cap.getLocation() : L->getBeginLoc();
      if (Cap.capturesThis()) {
        if (Cap.getCaptureKind() == LCK_This && AllowThis)
          Add(Escape::ThisObject, Loc);
        continue;
      }
      if (!Cap.capturesVariable())
        continue;
      const auto *V = llvm::dyn_cast<VarDecl>(Cap.getCapturedVar());
      if (!V)
        continue;
      if (V->isInitCapture()) {
        // [&r = p], [q = &p], [self = this]
        const Expr *Init = V->getInit();
        if (V->getType()->isReferenceType()) {
          std::optional<unsigned> P = paramOf(Init, F);
          if (P && F->getParamDecl(*P)->getType()->isReferenceType())
            Add(P, Loc);
        } else {
          Add(handedParam(Init, F, AllowThis), Loc);
        }
        continue;
      }
      const auto *P = llvm::dyn_cast<ParmVarDecl>(V);
      if (!P || P->getDeclContext() != F)
        continue;
      QualType PT = P->getType();
      if (Cap.getCaptureKind() == LCK_ByRef ? PT->isReferenceType()
                                            : PT->isPointerType() || isView(PT))
        Add(P->getFunctionScopeIndex(), Loc);
    }
  }
  for (const Expr *A : C.Args)
    if (A)
      Add(handedParam(A, F, AllowThis), A->getBeginLoc());
  if (C.Object) {
    // std::thread(&C::run, this), std::thread(&C::run, std::ref(p)).
    if (std::optional<unsigned> P = paramOf(C.Object, F);
        P && !C.ObjectIsPointer &&
        F->getParamDecl(*P)->getType()->isReferenceType())
      Add(P, C.Object->getBeginLoc());
    else
      Add(handedParam(C.Object, F, AllowThis), C.Object->getBeginLoc());
  }
  if (const CXXConstructExpr *Ctor = functorConstruction(C)) {
    const CXXConstructorDecl *CD = Ctor->getConstructor();
    for (unsigned I = 0; I < Ctor->getNumArgs() && I < 8; ++I) {
      const Expr *A = Ctor->getArg(I);
      std::optional<unsigned> P = handedParam(A, F, AllowThis);
      if (!P && I < CD->getNumParams() &&
          CD->getParamDecl(I)->getType()->isReferenceType() &&
          hasReferenceMember(CD->getParent())) {
        P = paramOf(A, F);
        if (P && !F->getParamDecl(*P)->getType()->isReferenceType())
          P.reset();
      }
      Add(P, A->getBeginLoc());
    }
  }
  for (const auto &[P, Loc] : Found) {
    Escape E;
    E.Param = P;
    E.Use = Loc;
    E.Function = F;
    E.Holder = T.Holder;
    E.Callable = llvm::is_contained(CallableParams, P);
    E.Spawn = T.Spawn ? &*T.Spawn : nullptr;
    Out.push_back(E);
  }
}

namespace {

/// What an argument lends: a local of the caller, a temporary, or one of
/// the caller's own parameters (or its object).
struct Referent {
  const VarDecl *Local = nullptr;
  bool Temporary = false;
  std::optional<unsigned> Forward;
  bool any() const { return Local || Temporary || Forward; }
};

bool isTemporary(const Expr *E) {
  for (unsigned Steps = 0; E && Steps < 8; ++Steps) {
    if (llvm::isa<MaterializeTemporaryExpr>(E))
      return true;
    if (const auto *Cast = llvm::dyn_cast<ImplicitCastExpr>(E))
      E = Cast->getSubExpr();
    else if (const auto *Cleanups = llvm::dyn_cast<ExprWithCleanups>(E))
      E = Cleanups->getSubExpr();
    else if (const auto *Paren = llvm::dyn_cast<ParenExpr>(E))
      E = Paren->getSubExpr();
    else
      return false;
  }
  return false;
}

// The object an argument refers to, as seen by a parameter of kind
// Reference (or the object of a `.` call), Pointer (or `->`) or View.
enum class Lends { Reference, Pointer, View };

Referent referentOf(const Expr *Arg, Lends How, const FunctionDecl *Caller) {
  Referent R;
  const Expr *Bare = ignoreWrappers(Arg);
  if (!Bare)
    return R;
  const auto *CallerMethod = llvm::dyn_cast<CXXMethodDecl>(Caller);
  bool CallerHasThis = CallerMethod && CallerMethod->isInstance();
  switch (How) {
  case Lends::Reference:
    if (isTemporary(Arg)) {
      R.Temporary = true;
      break;
    }
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Bare);
        UO && UO->getOpcode() == UO_Deref) {
      // *this, *p with p a pointer parameter.
      if (isThis(UO->getSubExpr()) && CallerHasThis)
        R.Forward = Escape::ThisObject;
      else if (std::optional<unsigned> P = paramOf(UO->getSubExpr(), Caller);
               P && Caller->getParamDecl(*P)->getType()->isPointerType())
        R.Forward = P;
      break;
    }
    if (std::optional<unsigned> P = paramOf(Bare, Caller);
        P && Caller->getParamDecl(*P)->getType()->isReferenceType()) {
      R.Forward = P;
      break;
    }
    R.Local = automaticObject(Bare);
    break;
  case Lends::Pointer:
    if (isThis(Bare)) {
      if (CallerHasThis)
        R.Forward = Escape::ThisObject;
      break;
    }
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Bare);
        UO && UO->getOpcode() == UO_AddrOf) {
      std::optional<unsigned> P = paramOf(UO->getSubExpr(), Caller);
      if (P && Caller->getParamDecl(*P)->getType()->isReferenceType())
        R.Forward = P;
      else
        R.Local = automaticObject(UO->getSubExpr());
      break;
    }
    if (const auto *Cast =
            llvm::dyn_cast<ImplicitCastExpr>(Arg->IgnoreParens());
        Cast && Cast->getCastKind() == CK_ArrayToPointerDecay) {
      R.Local = automaticObject(Cast->getSubExpr());
      break;
    }
    if (std::optional<unsigned> P = paramOf(Bare, Caller)) {
      if (Caller->getParamDecl(*P)->getType()->isPointerType())
        R.Forward = P;
      break;
    }
    if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(Bare))
      R.Local = automaticPointee(llvm::dyn_cast<VarDecl>(DRE->getDecl()));
    break;
  case Lends::View:
    if (std::optional<unsigned> P = paramOf(Bare, Caller)) {
      if (isView(Caller->getParamDecl(*P)->getType()))
        R.Forward = P;
      break;
    }
    // A view made from a temporary string: it dies with the statement.
    for (const Expr *E = Arg; E;) {
      if (llvm::isa<MaterializeTemporaryExpr>(E) &&
          !isView(llvm::cast<MaterializeTemporaryExpr>(E)->getType())) {
        R.Temporary = true;
        break;
      }
      if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(E))
        E = CE->getNumArgs() > 0 ? CE->getArg(0) : nullptr;
      else if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(E))
        E = MC->getImplicitObjectArgument();
      else if (const auto *Cast = llvm::dyn_cast<CastExpr>(E))
        E = Cast->getSubExpr();
      else if (const auto *Mat = llvm::dyn_cast<MaterializeTemporaryExpr>(E))
        E = Mat->getSubExpr();
      else if (const auto *Bind = llvm::dyn_cast<CXXBindTemporaryExpr>(E))
        E = Bind->getSubExpr();
      else if (const auto *Cleanups = llvm::dyn_cast<ExprWithCleanups>(E))
        E = Cleanups->getSubExpr();
      else
        break;
    }
    if (!R.Temporary)
      R.Local = automaticViewee(Arg);
    break;
  }
  return R;
}

// The object a constructed object is: a local variable, a temporary, or
// something longer-lived (a member, a heap object, a global).
Referent constructedObject(const Expr *Made, ASTContext &Ctx) {
  Referent R;
  DynTypedNode Dest = consumerOf(Made, Ctx);
  if (const auto *V = Dest.get<VarDecl>()) {
    // A reference bound to it extends its life: unknown, like a global.
    if (V->hasLocalStorage() && !V->getType()->isReferenceType())
      R.Local = V;
  } else if (const auto *E = Dest.get<Expr>()) {
    R.Temporary = !llvm::isa<CXXNewExpr>(E);
  } else if (Dest.get<Stmt>() && !Dest.get<ReturnStmt>()) {
    R.Temporary = true; // a discarded temporary
  }
  return R;
}

// Whether M (a member function) joins the thread kept in Field: calls
// Field.join(), joins every element of it, or calls a member function of
// its own that does (Depth calls deep).
bool joinsField(const FunctionDecl *M, const FieldDecl *Field, unsigned Depth) {
  const FunctionDecl *Def = M ? definitionOf(M) : nullptr;
  if (!Def || !Def->getBody() || Depth > 2)
    return false;
  bool Joins = false;
  forEachStmt(Def->getBody(), bounds::WalkNodes, [&](const Stmt *S) {
    if (const auto *For = llvm::dyn_cast<CXXForRangeStmt>(S)) {
      // for (std::thread &t : pool_) t.join();
      if (ownField(For->getRangeInit()) == Field)
        forEachCall(For->getBody(), [&](const CallExpr *C) {
          const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(C);
          const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
          Joins = MD && MD->getIdentifier() && MD->getName() == "join";
          return Joins;
        });
      return Joins;
    }
    const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(S);
    const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
    if (!MD || !MD->getIdentifier())
      return false;
    const Expr *Obj = MC->getImplicitObjectArgument();
    if (MD->getName() == "join")
      Joins = ownField(Obj) == Field;
    else if (isThis(Obj))
      Joins = joinsField(MD, Field, Depth + 1);
    return Joins;
  });
  return Joins;
}

// Whether the caller, after Site and before Before, calls a member function
// on the holder object that joins the thread kept in Field.
bool holderJoinedAfter(const Expr *HolderObj, const FieldDecl *Field,
                       const Expr *Site, SourceLocation Before,
                       const FunctionDecl *Caller, const SourceManager &SM) {
  const Decl *Holder = namedObject(HolderObj);
  if (!Holder || !Caller->getBody() || Before.isInvalid())
    return false;
  bool Joined = false;
  forEachCall(Caller->getBody(), [&](const CallExpr *C) {
    const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(C);
    if (!MC || C == Site ||
        !SM.isBeforeInTranslationUnit(Site->getEndLoc(), C->getBeginLoc()) ||
        !SM.isBeforeInTranslationUnit(C->getBeginLoc(), Before))
      return false;
    Joined = namedObject(MC->getImplicitObjectArgument()) == Holder &&
             joinsField(MC->getMethodDecl(), Field, 0);
    return Joined;
  });
  return Joined;
}

// Whether CD is the only constructor of its class (copies and moves
// aside) that takes its number of arguments.
bool onlyConstructorOfArity(const CXXConstructorDecl *CD) {
  const CXXRecordDecl *RD = CD->getParent();
  if (!RD->hasDefinition())
    return false;
  unsigned Same = 0;
  for (const CXXConstructorDecl *Other : RD->getDefinition()->ctors())
    if (!Other->isCopyOrMoveConstructor() &&
        Other->getNumParams() == CD->getNumParams())
      ++Same;
  return Same == 1;
}

// Whether the class's destructor may stop or wait for the thread: it is
// written by the user and does something.
bool destructorMayWait(const CXXRecordDecl *RD) {
  const CXXDestructorDecl *D = RD && RD->hasDefinition()
                                   ? RD->getDefinition()->getDestructor()
                                   : nullptr;
  if (!D || !D->isUserProvided())
    return false;
  const FunctionDecl *Def = nullptr;
  if (!D->hasBody(Def))
    return true; // defined elsewhere
  const auto *Body = llvm::dyn_cast_or_null<CompoundStmt>(Def->getBody());
  return !Body || !Body->body_empty();
}

class Lenders {
public:
  Lenders(const Escape &Root, AnalysisContext &Analysis,
          llvm::SmallVectorImpl<EscapingArgument> &Out)
      : Root(Root), Analysis(Analysis), Out(Out) {}

  void visit(const Escape &E, unsigned Depth,
             llvm::SmallVector<const Expr *, 2> &Chain) {
    if (Depth > MaxForwarding || !Visited.insert({E.Function, E.Param}).second)
      return;
    for (const CallSite &Site : Analysis.callersOf(E.Function))
      site(E, Site.Call, Site.Caller, Depth, Chain);
    if (const auto *CD = llvm::dyn_cast<CXXConstructorDecl>(E.Function)) {
      for (const ConstructionSite &Site : Analysis.constructionsOf(CD))
        site(E, Site.Construct, Site.Caller, Depth, Chain);
      // std::make_unique<C>(args...): the arguments reach the only
      // constructor that takes that many.
      if (E.Param != Escape::ThisObject && onlyConstructorOfArity(CD))
        for (const CallSite &Site : Analysis.factoryCallsOf(CD->getParent()))
          if (Site.Call->getNumArgs() == CD->getNumParams())
            site(E, Site.Call, Site.Caller, Depth, Chain);
    }
  }

private:
  struct Lent {
    EscapingArgument::LentAs As = EscapingArgument::Argument;
    SourceLocation Loc;
    const void *Key = nullptr;
    Referent R;
    /// The caller passes on a callable parameter of its own.
    bool Callable = false;
  };

  // What a callable argument lends through its captures: by-reference
  // captures of the caller's locals and reference parameters, copied
  // pointers, `this`.
  void capturesOf(const Expr *Arg, const FunctionDecl *Caller,
                  llvm::SmallVectorImpl<Lent> &Items) {
    // job, std::move(job), or a copy of either.
    const Expr *Passed = ignoreWrappers(Arg);
    if (const auto *Copy = llvm::dyn_cast_or_null<CXXConstructExpr>(Passed);
        Copy && Copy->getNumArgs() == 1 && Copy->getConstructor() &&
        Copy->getConstructor()->isCopyOrMoveConstructor())
      Passed = ignoreWrappers(Copy->getArg(0));
    if (!Passed)
      return;
    if (const Expr *Inner = transparentCallArgument(Passed))
      Passed = Inner;
    if (std::optional<unsigned> P = paramOf(Passed, Caller);
        P && hasCallableType(Passed)) {
      Lent L{EscapingArgument::Argument, Arg->getBeginLoc(), Arg, {}, true};
      L.R.Forward = P;
      Items.push_back(L);
      return;
    }
    ThreadCallable C = callableFrom(Arg, {});
    if (!C.Lambda)
      return;
    const auto *CallerMethod = llvm::dyn_cast<CXXMethodDecl>(Caller);
    for (const LambdaCapture &Cap : C.Lambda->captures()) {
      Lent L{EscapingArgument::Capture,
             Cap.getLocation().isValid() ? Cap.getLocation()
                                         : C.Lambda->getBeginLoc(),
             &Cap,
             {},
             false};
      if (Cap.capturesThis()) {
        if (Cap.getCaptureKind() == LCK_This && CallerMethod &&
            CallerMethod->isInstance())
          L.R.Forward = Escape::ThisObject;
      } else if (const auto *V =
                     Cap.capturesVariable()
                         ? llvm::dyn_cast<VarDecl>(Cap.getCapturedVar())
                         : nullptr) {
        const auto *P = llvm::dyn_cast<ParmVarDecl>(V);
        bool Own = P && P->getDeclContext() == Caller;
        QualType T = V->getType();
        if (Cap.getCaptureKind() == LCK_ByRef) {
          if (Own && T->isReferenceType())
            L.R.Forward = P->getFunctionScopeIndex();
          else if (!V->isInitCapture())
            L.R.Local = automaticObject(referenceTo(V));
        } else if (Own && (T->isPointerType() || isView(T))) {
          L.R.Forward = P->getFunctionScopeIndex();
        } else if (T->isPointerType()) {
          L.R.Local = automaticPointee(V);
        }
      }
      if (L.R.any())
        Items.push_back(L);
    }
  }

  void site(const Escape &E, const Expr *Site, const FunctionDecl *Caller,
            unsigned Depth, llvm::SmallVector<const Expr *, 2> &Chain) {
    if (!Caller || llvm::isa<CXXOperatorCallExpr>(Site))
      return;
    const FunctionDecl *F = E.Function;
    const auto *Call = llvm::dyn_cast<CallExpr>(Site);
    const auto *Construct = llvm::dyn_cast<CXXConstructExpr>(Site);
    const auto *Member = llvm::dyn_cast_or_null<CXXMemberCallExpr>(Call);
    llvm::SmallVector<Lent, 2> Items;
    if (E.Param == Escape::ThisObject) {
      if (destructorMayWait(llvm::cast<CXXMethodDecl>(F)->getParent()))
        return;
      Lent L;
      L.As = EscapingArgument::Object;
      if (Member) {
        const Expr *Obj = Member->getImplicitObjectArgument();
        if (!Obj)
          return;
        L.R = referentOf(Obj,
                         Obj->getType()->isPointerType() ? Lends::Pointer
                                                         : Lends::Reference,
                         Caller);
        L.Loc = Obj->getBeginLoc();
        L.Key = Obj;
      } else if (Construct) {
        L.R = constructedObject(Construct, Analysis.ast());
        L.Loc = Construct->getBeginLoc();
        L.Key = Construct;
      } else {
        return;
      }
      Items.push_back(L);
    } else {
      unsigned N = Call        ? Call->getNumArgs()
                   : Construct ? Construct->getNumArgs()
                               : 0;
      if (E.Param >= N || E.Param >= F->getNumParams())
        return;
      const Expr *Arg =
          Call ? Call->getArg(E.Param) : Construct->getArg(E.Param);
      if (llvm::isa<CXXDefaultArgExpr>(Arg))
        return;
      if (E.Callable) {
        capturesOf(Arg, Caller, Items);
      } else {
        QualType PT = F->getParamDecl(E.Param)->getType();
        Lent L;
        L.R = referentOf(Arg,
                         PT->isPointerType() ? Lends::Pointer
                         : isView(PT)        ? Lends::View
                                             : Lends::Reference,
                         Caller);
        L.Loc = Arg->getBeginLoc();
        L.Key = Arg;
        Items.push_back(L);
      }
    }
    if (Items.empty())
      return;

    // The object that keeps the thread, when a member does.
    Referent Holder;
    bool HolderIsThis = false;
    if (E.Holder) {
      if (Member) {
        const Expr *Obj = Member->getImplicitObjectArgument();
        HolderIsThis = isThis(Obj) || ownField(Obj);
        if (!HolderIsThis)
          Holder =
              referentOf(Obj,
                         Obj->getType()->isPointerType() ? Lends::Pointer
                                                         : Lends::Reference,
                         Caller);
      } else if (Construct || llvm::isa<CXXConstructorDecl>(F)) {
        // Made here, or by std::make_unique: the object or its owner.
        Holder = constructedObject(Site, Analysis.ast());
      } else {
        return; // a static function cannot hold a thread in a member
      }
    }

    for (const Lent &L : Items) {
      const Referent &R = L.R;
      // The holder dies within the caller, and joins the thread then: a
      // temporary holder before anything lent to it; a local one before a
      // local declared earlier, and before what the caller lends on from
      // its own callers (but after a temporary argument).
      if (Holder.Temporary)
        continue;
      if (Holder.Local &&
          (R.Forward || (R.Local && diesFirst(Holder.Local, R.Local))))
        continue;
      // The caller stops the holder's thread before the local dies:
      // scheduler.start(burst); scheduler.stop();
      if (E.Holder && R.Local && Member &&
          holderJoinedAfter(Member->getImplicitObjectArgument(), E.Holder, Site,
                            Analysis.endOfScope(R.Local), Caller,
                            Analysis.ast().getSourceManager()))
        continue;
      // The caller waits for the Qt pool before the local dies, or before it
      // returns.
      if (!R.Temporary && E.Spawn && Caller->getBody())
        if (const CallExpr *Wait =
                poolWaitAfter(*E.Spawn, Site, Caller->getBody(), Analysis)) {
          SourceLocation Dies =
              R.Local ? Analysis.endOfScope(R.Local) : SourceLocation();
          if (!R.Local ||
              (Dies.isValid() &&
               Analysis.ast().getSourceManager().isBeforeInTranslationUnit(
                   Wait->getBeginLoc(), Dies)))
            continue;
        }
      if (R.Local || R.Temporary) {
        if (R.Local && !R.Local->hasLocalStorage())
          continue;
        if (!Reported.insert(L.Key).second)
          continue;
        EscapingArgument A;
        A.As = L.As;
        A.Loc = L.Loc;
        A.Key = L.Key;
        A.Dies = R.Local;
        A.Site = Site;
        A.Callee = F;
        A.Root = Root;
        A.Forwarded.assign(Chain.rbegin(), Chain.rend());
        Out.push_back(A);
        continue;
      }
      // The caller lends its own parameter or object: its callers lend it
      // on.
      const auto *CallerMethod = llvm::dyn_cast<CXXMethodDecl>(Caller);
      if (!R.Forward || (*R.Forward == Escape::ThisObject &&
                         (!CallerMethod || !CallerMethod->isInstance())))
        continue;
      Escape Next;
      Next.Param = *R.Forward;
      Next.Use = L.Loc;
      Next.Function = Caller;
      Next.Callable = L.Callable;
      Next.Spawn = E.Spawn;
      Next.Holder = HolderIsThis ? E.Holder : nullptr;
      // A held thread does not keep the caller's own object from dying.
      if (Next.Holder && Next.Param == Escape::ThisObject)
        continue;
      Chain.push_back(Site);
      visit(Next, Depth + 1, Chain);
      Chain.pop_back();
    }
  }

  // Whether the variable First is destroyed before Then: declared later, in
  // the same block or one nested in it.
  bool diesFirst(const VarDecl *First, const VarDecl *Then) {
    const SourceManager &SM = Analysis.ast().getSourceManager();
    if (owningBody(First) != owningBody(Then) ||
        !SM.isBeforeInTranslationUnit(Then->getLocation(),
                                      First->getLocation()))
      return false;
    SourceLocation EndFirst = Analysis.endOfScope(First);
    SourceLocation EndThen = Analysis.endOfScope(Then);
    return EndFirst.isValid() && EndThen.isValid() &&
           !SM.isBeforeInTranslationUnit(EndThen, EndFirst);
  }

  const Escape &Root;
  AnalysisContext &Analysis;
  llvm::SmallVectorImpl<EscapingArgument> &Out;
  llvm::DenseSet<std::pair<const FunctionDecl *, unsigned>> Visited;
  llvm::SmallPtrSet<const void *, 8> Reported;
};

} // namespace

void escapingArguments(const Escape &E, AnalysisContext &Analysis,
                       llvm::SmallVectorImpl<EscapingArgument> &Out) {
  llvm::SmallVector<const Expr *, 2> Chain;
  Lenders(E, Analysis, Out).visit(E, 0, Chain);
}

} // namespace clang::tidy::defer_race
