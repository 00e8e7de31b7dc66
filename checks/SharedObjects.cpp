//===--- SharedObjects.cpp - Which object does an expression denote? ------===//

#include "SharedObjects.h"

#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Analysis/Analyses/ExprMutationAnalyzer.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {
namespace {

const NameList &pointerLikeClasses() {
  static const NameList Names({"::std::shared_ptr", "::std::unique_ptr",
                               "::std::reference_wrapper", "::boost::shared_ptr",
                               "::boost::intrusive_ptr",
                               "::boost::reference_wrapper"});
  return Names;
}

const NameList &atomicClasses() {
  static const NameList Names({"::std::atomic", "::std::atomic_flag",
                               "::std::atomic_ref", "::boost::atomic",
                               "::boost::atomics::atomic"});
  return Names;
}

const NameList &lockClasses() {
  static const NameList Names(
      {"::std::lock_guard", "::std::unique_lock", "::std::scoped_lock",
       "::std::shared_lock", "::boost::lock_guard", "::boost::unique_lock",
       "::boost::shared_lock", "::boost::upgrade_lock",
       "::boost::interprocess::scoped_lock", "::absl::MutexLock",
       "::absl::ReaderMutexLock", "::absl::WriterMutexLock", "::QMutexLocker"});
  return Names;
}

const NamedDecl *recordOf(QualType T) {
  T = T.getNonReferenceType();
  if (const auto *RD = T->getAsCXXRecordDecl())
    return RD;
  if (const auto *TST = T->getAs<TemplateSpecializationType>())
    if (const TemplateDecl *TD = TST->getTemplateName().getAsTemplateDecl())
      return TD->getTemplatedDecl();
  return nullptr;
}

bool isMutexLike(QualType T) {
  const NamedDecl *D = recordOf(T);
  if (!D)
    return false;
  std::string Name = D->getNameAsString();
  for (char &C : Name)
    C = static_cast<char>(std::tolower(static_cast<unsigned char>(C)));
  return Name.find("mutex") != std::string::npos;
}

// The declaration a simple lvalue names: the variable of a DeclRefExpr or the
// member of a MemberExpr. Used to pair lock() with unlock().
const ValueDecl *lockKey(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E))
    return DRE->getDecl();
  if (const auto *ME = llvm::dyn_cast<MemberExpr>(E))
    return ME->getMemberDecl();
  return nullptr;
}

bool isPointerCast(const Expr *E) {
  const auto *CE = llvm::dyn_cast<ExplicitCastExpr>(E);
  return CE && CE->getType()->isPointerType();
}

} // namespace

const FunctionDecl *definitionOf(const FunctionDecl *FD) {
  const FunctionDecl *Def = nullptr;
  if (FD && FD->hasBody(Def))
    return Def;
  return nullptr;
}

bool sameExpr(const Expr *A, const Expr *B) {
  return A && B && ignoreWrappers(A) == ignoreWrappers(B);
}

namespace {
// A const member function whose body is `return field_;`: reading through
// it reads that field.
const FieldDecl *getterField(const CXXMethodDecl *MD) {
  const FunctionDecl *Def = definitionOf(MD);
  if (!MD || !MD->isConst() || !Def)
    return nullptr;
  const auto *Body = llvm::dyn_cast<CompoundStmt>(Def->getBody());
  if (!Body || Body->size() != 1)
    return nullptr;
  const auto *Ret = llvm::dyn_cast<ReturnStmt>(Body->body_front());
  if (!Ret || !Ret->getRetValue())
    return nullptr;
  const auto *ME =
      llvm::dyn_cast<MemberExpr>(ignoreWrappers(Ret->getRetValue()));
  if (!ME || !llvm::isa<CXXThisExpr>(ignoreWrappers(ME->getBase())))
    return nullptr;
  return llvm::dyn_cast<FieldDecl>(ME->getMemberDecl());
}
} // namespace

const Expr *accessTop(const Expr *Leaf, const ParentMap &PM,
                      const FieldDecl **Getter, bool *ThroughArrow) {
  if (Getter)
    *Getter = nullptr;
  if (ThroughArrow)
    *ThroughArrow = false;
  const Expr *Top = Leaf;
  const Expr *Cur = Leaf;
  while (const Stmt *P = PM.getParent(Cur)) {
    const auto *PE = llvm::dyn_cast<Expr>(P);
    if (!PE)
      break;
    if (llvm::isa<ParenExpr>(PE) || llvm::isa<ImplicitCastExpr>(PE) ||
        llvm::isa<MaterializeTemporaryExpr>(PE) || isPointerCast(PE)) {
      Cur = PE;
      continue;
    }
    if (const auto *ME = llvm::dyn_cast<MemberExpr>(PE)) {
      if (llvm::isa<FieldDecl>(ME->getMemberDecl())) {
        Top = Cur = ME;
        continue;
      }
      // res.GetLog(): a getter call reads the field it returns.
      if (const auto *MD = llvm::dyn_cast<CXXMethodDecl>(ME->getMemberDecl())) {
        if (Getter)
          *Getter = getterField(MD);
        if (ThroughArrow)
          *ThroughArrow = ME->isArrow();
      }
      break;
    }
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(PE)) {
      if (UO->getOpcode() != UO_Deref)
        break;
      Top = Cur = UO;
      continue;
    }
    if (const auto *ASE = llvm::dyn_cast<ArraySubscriptExpr>(PE)) {
      if (!sameExpr(ASE->getBase(), Cur))
        break;
      Top = Cur = ASE;
      continue;
    }
    if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(PE)) {
      if (OC->getNumArgs() == 0 || !sameExpr(OC->getArg(0), Cur))
        break;
      if (OC->getOperator() == OO_Arrow) {
        Cur = OC; // the MemberExpr above is the access
        continue;
      }
      if (OC->getOperator() == OO_Star || OC->getOperator() == OO_Subscript) {
        Top = Cur = OC;
        continue;
      }
      break;
    }
    break;
  }
  return Top;
}

//===----------------------------------------------------------------------===//
// ObjectRef
//===----------------------------------------------------------------------===//

bool ObjectRef::sameRoot(const ObjectRef &O) const {
  if (Kind != O.Kind)
    return false;
  switch (Kind) {
  case This:
    return true;
  case Param:
    return ParamIndex == O.ParamIndex;
  case Global:
  case Local:
    return Var && O.Var &&
           Var->getCanonicalDecl() == O.Var->getCanonicalDecl();
  }
  return false;
}

std::pair<const void *, unsigned> ObjectRef::rootKey() const {
  switch (Kind) {
  case This:
    return {nullptr, 0};
  case Param:
    return {nullptr, ParamIndex + 1};
  case Global:
  case Local:
    // A root without a variable is the same as nothing, not even itself.
    return {Var ? static_cast<const void *>(Var->getCanonicalDecl())
                : static_cast<const void *>(this),
            ~0u - Kind};
  }
  return {this, 0};
}

bool ObjectRef::overlaps(const ObjectRef &O) const {
  if (!sameRoot(O))
    return false;
  size_t N = std::min(Path.size(), O.Path.size());
  for (size_t I = 0; I < N; ++I)
    if (Path[I] != O.Path[I])
      return false;
  return true;
}

bool ObjectRef::operator==(const ObjectRef &O) const {
  return sameRoot(O) && Path == O.Path;
}

std::string ObjectRef::rootName() const {
  if (Kind == This)
    return "this";
  return Var ? Var->getNameAsString() : std::string("<object>");
}

std::string ObjectRef::describe() const {
  std::string Out = rootName();
  bool PendingDeref = Kind == This;
  for (const FieldDecl *F : Path) {
    if (!F) {
      if (PendingDeref)
        Out = "*" + Out;
      PendingDeref = true;
      continue;
    }
    Out += PendingDeref ? "->" : ".";
    Out += F->getNameAsString();
    PendingDeref = false;
  }
  if (PendingDeref && Kind != This)
    Out = "*" + Out;
  if (Kind == This && Path.empty())
    Out = "*this";
  return Out;
}

//===----------------------------------------------------------------------===//
// Expression helpers
//===----------------------------------------------------------------------===//

const Stmt *Frame::body() const {
  if (Lambda)
    return Lambda->getBody();
  if (const FunctionDecl *Def = definitionOf(Function))
    return Def->getBody();
  return nullptr;
}

const Expr *ignoreWrappers(const Expr *E) {
  while (E) {
    const Expr *Next = E->IgnoreParenImpCasts();
    if (const auto *MTE = llvm::dyn_cast<MaterializeTemporaryExpr>(Next))
      Next = MTE->getSubExpr();
    else if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(Next);
             CE && CE->isElidable() && CE->getNumArgs() == 1)
      Next = CE->getArg(0);
    else if (const auto *BTE = llvm::dyn_cast<CXXBindTemporaryExpr>(Next))
      Next = BTE->getSubExpr();
    else if (const auto *FE = llvm::dyn_cast<FullExpr>(Next))
      Next = FE->getSubExpr();
    else if (const auto *FC = llvm::dyn_cast<CXXFunctionalCastExpr>(Next);
             FC && FC->getCastKind() == CK_ConstructorConversion)
      Next = FC->getSubExpr(); // std::thread(f): the construction itself
    if (Next == E)
      return E;
    E = Next;
  }
  return E;
}

const Expr *transparentCallArgument(const Expr *E) {
  const auto *Call = llvm::dyn_cast_or_null<CallExpr>(ignoreWrappers(E));
  if (!Call || Call->getNumArgs() != 1 || llvm::isa<CXXMemberCallExpr>(Call) ||
      llvm::isa<CXXOperatorCallExpr>(Call))
    return nullptr;
  static const NameList Names({"::std::ref", "::std::cref", "::std::move",
                               "::std::forward", "::std::as_const",
                               "::boost::ref", "::boost::cref"});
  if (!Names.matches(Call->getDirectCallee()))
    return nullptr;
  return Call->getArg(0);
}

static bool isReferenceWrapperCall(const Expr *E) {
  const auto *Call = llvm::dyn_cast_or_null<CallExpr>(ignoreWrappers(E));
  if (!Call)
    return false;
  static const NameList Names(
      {"::std::ref", "::std::cref", "::boost::ref", "::boost::cref"});
  return Names.matches(Call->getDirectCallee());
}

bool isPointerLike(QualType T) {
  if (T.isNull())
    return false;
  T = T.getNonReferenceType();
  if (T->isPointerType())
    return !T->getPointeeType()->isFunctionType();
  return pointerLikeClasses().matches(recordOf(T));
}

bool isAtomicType(QualType T) {
  if (T.isNull())
    return false;
  T = T.getNonReferenceType();
  if (T->isAtomicType())
    return true;
  return atomicClasses().matches(recordOf(T));
}

bool isSynchronizationType(QualType T) {
  if (T.isNull())
    return false;
  const NamedDecl *D = recordOf(T.getNonReferenceType());
  if (!D || !D->getIdentifier())
    return false;
  std::string Name = D->getName().lower();
  for (const char *Word : {"mutex", "condition_variable", "condvar", "latch",
                           "barrier", "semaphore", "once_flag", "promise",
                           "spinlock"})
    if (Name.find(Word) != std::string::npos)
      return true;
  return false;
}

//===----------------------------------------------------------------------===//
// ObjectResolver
//===----------------------------------------------------------------------===//

static constexpr unsigned MaxResolveDepth = 16;

std::optional<ObjectRef> ObjectResolver::object(const Expr *E,
                                                const Frame &Fr) const {
  return object(E, Fr, 0);
}

std::optional<ObjectRef> ObjectResolver::pointee(const Expr *E,
                                                 const Frame &Fr) const {
  return pointee(E, Fr, 0);
}

std::optional<ObjectRef> ObjectResolver::object(const Expr *E, const Frame &Fr,
                                                unsigned Depth) const {
  if (!E || Depth > MaxResolveDepth)
    return std::nullopt;
  E = ignoreWrappers(E);
  if (const Expr *Inner = transparentCallArgument(E))
    return object(Inner, Fr, Depth + 1);

  if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E)) {
    if (const auto *V = llvm::dyn_cast<VarDecl>(DRE->getDecl()))
      return variable(V, Fr, /*Pointee=*/false, Depth + 1);
    return std::nullopt;
  }
  if (const auto *ME = llvm::dyn_cast<MemberExpr>(E)) {
    if (const auto *V = llvm::dyn_cast<VarDecl>(ME->getMemberDecl()))
      return variable(V, Fr, /*Pointee=*/false, Depth + 1); // static member
    const auto *Field = llvm::dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!Field)
      return std::nullopt;
    std::optional<ObjectRef> Base =
        ME->isArrow() ? pointee(ME->getBase(), Fr, Depth + 1)
                      : object(ME->getBase(), Fr, Depth + 1);
    if (Base)
      Base->Path.push_back(Field);
    return Base;
  }
  if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E)) {
    if (UO->getOpcode() == UO_Deref)
      return pointee(UO->getSubExpr(), Fr, Depth + 1);
    return std::nullopt;
  }
  if (const auto *ASE = llvm::dyn_cast<ArraySubscriptExpr>(E)) {
    const Expr *Base = ASE->getBase()->IgnoreParenImpCasts();
    if (Base->getType()->isArrayType())
      return object(Base, Fr, Depth + 1);
    return pointee(ASE->getBase(), Fr, Depth + 1);
  }
  if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(E)) {
    if (OC->getNumArgs() == 1 && OC->getOperator() == OO_Star)
      return pointee(OC->getArg(0), Fr, Depth + 1);
    // An element of a container stands for the container.
    if (OC->getNumArgs() == 2 && OC->getOperator() == OO_Subscript)
      return object(OC->getArg(0), Fr, Depth + 1);
    return std::nullopt;
  }
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(E)) {
    // std::reference_wrapper<T>::get() designates the referent.
    const CXXMethodDecl *MD = MC->getMethodDecl();
    if (MD && MD->getName() == "get" &&
        isPointerLike(MC->getImplicitObjectArgument()->getType()) &&
        MC->getType()->isLValueReferenceType())
      return pointee(MC->getImplicitObjectArgument(), Fr, Depth + 1);
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<ObjectRef> ObjectResolver::pointee(const Expr *E, const Frame &Fr,
                                                 unsigned Depth) const {
  if (!E || Depth > MaxResolveDepth)
    return std::nullopt;
  E = ignoreWrappers(E);
  while (isPointerCast(E))
    E = ignoreWrappers(llvm::cast<ExplicitCastExpr>(E)->getSubExpr());

  if (const Expr *Inner = transparentCallArgument(E)) {
    // std::ref(x) refers to x; std::move(p) is still the pointer p.
    if (isReferenceWrapperCall(E))
      return object(Inner, Fr, Depth + 1);
    return pointee(Inner, Fr, Depth + 1);
  }
  if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E)) {
    if (UO->getOpcode() == UO_AddrOf)
      return object(UO->getSubExpr(), Fr, Depth + 1);
    return std::nullopt;
  }
  if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E)) {
    if (const auto *V = llvm::dyn_cast<VarDecl>(DRE->getDecl()))
      return variable(V, Fr, /*Pointee=*/true, Depth + 1);
    return std::nullopt;
  }
  if (llvm::isa<CXXThisExpr>(E))
    return thisObject(Fr, Depth + 1);
  if (llvm::isa<MemberExpr>(E) || llvm::isa<ArraySubscriptExpr>(E)) {
    std::optional<ObjectRef> Holder = object(E, Fr, Depth + 1);
    if (Holder)
      Holder->Path.push_back(nullptr);
    return Holder;
  }
  if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(E)) {
    if (OC->getOperator() == OO_Arrow && OC->getNumArgs() == 1)
      return pointee(OC->getArg(0), Fr, Depth + 1);
    return std::nullopt;
  }
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    if (!MD || !MD->getIdentifier())
      return std::nullopt;
    // sp.get() points where sp points.
    if (MD->getName() == "get" &&
        isPointerLike(MC->getImplicitObjectArgument()->getType()))
      return pointee(MC->getImplicitObjectArgument(), Fr, Depth + 1);
    // shared_from_this() points at *this.
    if (MD->getName() == "shared_from_this")
      return pointee(MC->getImplicitObjectArgument(), Fr, Depth + 1);
    return std::nullopt;
  }
  if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(E)) {
    // A copy of a smart pointer points where the original points.
    if (CE->getNumArgs() >= 1 && isPointerLike(CE->getType()) &&
        isPointerLike(CE->getArg(0)->getType()))
      return pointee(CE->getArg(0), Fr, Depth + 1);
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<ObjectRef> ObjectResolver::variable(const VarDecl *V,
                                                  const Frame &Fr, bool Pointee,
                                                  unsigned Depth) const {
  if (!V || Depth > MaxResolveDepth)
    return std::nullopt;
  // Each thread has its own thread_local: nothing to share.
  if (V->getTLSKind() != VarDecl::TLS_None)
    return std::nullopt;
  if (V->hasGlobalStorage()) {
    // Library globals (std::cout, std::cerr, ...) are made to be used from
    // every thread: the standard streams are synchronised, and we cannot
    // see how the others are.
    const SourceManager &SM = V->getASTContext().getSourceManager();
    if (SM.isInSystemHeader(SM.getExpansionLoc(V->getLocation())))
      return std::nullopt;
    ObjectRef R;
    R.Kind = ObjectRef::Global;
    R.Var = V;
    if (Pointee)
      R.Path.push_back(nullptr);
    return R;
  }

  const DeclContext *DC = V->getDeclContext();
  const bool Owned = Fr.Function && DC == Fr.Function;

  // Locals of a non-root frame are the callable's own, unless they are
  // references or pointers initialised from something we can see.
  auto ownLocal = [&]() -> std::optional<ObjectRef> {
    const Expr *Init = V->getInit();
    if (!Init)
      return std::nullopt;
    if (V->getType()->isReferenceType())
      return Pointee ? pointee(Init, Fr, Depth + 1)
                     : object(Init, Fr, Depth + 1);
    if (Pointee && isPointerLike(V->getType()))
      return pointee(Init, Fr, Depth + 1);
    return std::nullopt;
  };

  // A parameter bound to an argument of the parent frame.
  auto boundParam = [&](const ParmVarDecl *P) -> std::optional<ObjectRef> {
    unsigned Index = P->getFunctionScopeIndex();
    if (!Fr.Parent || Index >= Fr.Args.size())
      return std::nullopt;
    const Expr *Arg = Fr.Args[Index];
    QualType T = P->getType();
    if (T->isReferenceType())
      return Pointee ? pointee(Arg, *Fr.Parent, Depth + 1)
                     : object(Arg, *Fr.Parent, Depth + 1);
    if (Pointee && isPointerLike(T))
      return pointee(Arg, *Fr.Parent, Depth + 1);
    return std::nullopt; // a copy
  };

  if (Fr.Lambda) {
    if (Owned) {
      if (V->isInitCapture()) {
        const Expr *Init = V->getInit();
        if (V->getType()->isReferenceType())
          return Pointee ? pointee(Init, *Fr.Parent, Depth + 1)
                         : object(Init, *Fr.Parent, Depth + 1);
        if (Pointee)
          return pointee(Init, *Fr.Parent, Depth + 1);
        return std::nullopt;
      }
      if (const auto *P = llvm::dyn_cast<ParmVarDecl>(V))
        return boundParam(P);
      return ownLocal();
    }
    for (const LambdaCapture &C : Fr.Lambda->captures()) {
      if (!C.capturesVariable() || C.getCapturedVar() != V)
        continue;
      if (C.getCaptureKind() == LCK_ByRef)
        return variable(V, *Fr.Parent, Pointee, Depth + 1);
      // By copy: the lambda has its own object, but a copied pointer still
      // points where the original does.
      if (Pointee)
        return variable(V, *Fr.Parent, /*Pointee=*/true, Depth + 1);
      return std::nullopt;
    }
    return std::nullopt;
  }

  if (!Owned)
    return std::nullopt;

  if (const auto *P = llvm::dyn_cast<ParmVarDecl>(V)) {
    if (!Fr.isRoot())
      return boundParam(P);
    ObjectRef R;
    R.Var = P;
    QualType T = P->getType();
    if (T->isReferenceType() || (Pointee && isPointerLike(T))) {
      R.Kind = ObjectRef::Param;
      R.ParamIndex = P->getFunctionScopeIndex();
      if (Pointee)
        R.Path.push_back(nullptr);
      return R;
    }
    if (Pointee)
      return std::nullopt;
    R.Kind = ObjectRef::Local; // a by-value parameter lives in our frame
    return R;
  }

  if (!Fr.isRoot())
    return ownLocal();

  // An automatic variable of the root function.
  if (V->getType()->isReferenceType() || Pointee)
    return ownLocal();
  ObjectRef R;
  R.Kind = ObjectRef::Local;
  R.Var = V;
  return R;
}

std::optional<ObjectRef> ObjectResolver::thisObject(const Frame &Fr,
                                                    unsigned Depth) const {
  if (Depth > MaxResolveDepth)
    return std::nullopt;
  if (Fr.Lambda) {
    for (const LambdaCapture &C : Fr.Lambda->captures()) {
      if (!C.capturesThis())
        continue;
      if (C.getCaptureKind() == LCK_StarThis)
        return std::nullopt; // [*this] copies the object
      return thisObject(*Fr.Parent, Depth + 1);
    }
    return std::nullopt;
  }
  if (!Fr.isRoot()) {
    if (!Fr.Object)
      return std::nullopt;
    return Fr.ObjectIsPointer ? pointee(Fr.Object, *Fr.Parent, Depth + 1)
                              : object(Fr.Object, *Fr.Parent, Depth + 1);
  }
  const auto *MD = llvm::dyn_cast_or_null<CXXMethodDecl>(Fr.Function);
  if (!MD || !MD->isInstance() || MD->getParent()->isLambda())
    return std::nullopt;
  ObjectRef R;
  R.Kind = ObjectRef::This;
  return R;
}

//===----------------------------------------------------------------------===//
// Locks
//===----------------------------------------------------------------------===//

namespace {

bool hasDeferTag(const CXXConstructExpr *CE) {
  for (const Expr *Arg : CE->arguments()) {
    const NamedDecl *D = recordOf(Arg->getType());
    if (D && D->getName() == "defer_lock_t")
      return true;
  }
  return false;
}

} // namespace

void scanForLocks(const Stmt *S, llvm::SmallVectorImpl<LockState> &Held) {
  if (const auto *DS = llvm::dyn_cast<DeclStmt>(S)) {
    for (const Decl *D : DS->decls()) {
      const auto *VD = llvm::dyn_cast<VarDecl>(D);
      if (!VD || !lockClasses().matches(recordOf(VD->getType())))
        continue;
      const auto *CE =
          llvm::dyn_cast_or_null<CXXConstructExpr>(ignoreWrappers(VD->getInit()));
      if (!CE || CE->getNumArgs() == 0 || hasDeferTag(CE))
        continue;
      Held.push_back({VD, CE->getArg(0), DS});
    }
    return;
  }
  const auto *E = llvm::dyn_cast<Expr>(S);
  if (!E)
    return;
  const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(ignoreWrappers(E));
  if (!MC || !MC->getMethodDecl() || !MC->getMethodDecl()->getIdentifier())
    return;
  llvm::StringRef Name = MC->getMethodDecl()->getName();
  const Expr *Obj = MC->getImplicitObjectArgument();
  const ValueDecl *Key = lockKey(Obj);
  if (!Key)
    return;
  if (Name == "unlock" || Name == "unlock_shared") {
    for (size_t I = Held.size(); I-- > 0;)
      if (Held[I].Key == Key) {
        Held.erase(Held.begin() + I);
        break;
      }
    return;
  }
  if (Name == "lock" || Name == "lock_shared") {
    if (lockClasses().matches(recordOf(Obj->getType()))) {
      // A deferred unique_lock being locked: find its mutex.
      const auto *VD = llvm::dyn_cast<VarDecl>(Key);
      const auto *CE = VD ? llvm::dyn_cast_or_null<CXXConstructExpr>(
                                ignoreWrappers(VD->getInit()))
                          : nullptr;
      if (CE && CE->getNumArgs() > 0)
        Held.push_back({Key, CE->getArg(0), S});
      return;
    }
    if (isMutexLike(Obj->getType()))
      Held.push_back({Key, Obj, S});
  }
}

std::optional<HeldLock> findHeldLock(const Stmt *S, const Stmt *Body,
                                     const Frame &Fr,
                                     const ObjectResolver &R) {
  if (!Body)
    return std::nullopt;
  const BodyIndex &Index = bodyIndex(Body);
  const ParentMap &PM = Index.parents();
  const Stmt *Child = S;
  for (const Stmt *P = PM.getParent(S); P; Child = P, P = PM.getParent(P)) {
    if (const auto *CS = llvm::dyn_cast<CompoundStmt>(P))
      if (std::optional<LockState> Top = Index.lockBefore(CS, Child)) {
        HeldLock L;
        L.MutexExpr = Top->MutexExpr;
        L.Mutex = R.object(L.MutexExpr, Fr);
        L.Guard = Top->Where;
        return L;
      }
    if (P == Body)
      break;
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Writes
//===----------------------------------------------------------------------===//

namespace {

// Leaves that may name a shared object, and calls we may follow. Nested
// lambdas and local classes run at other times: skip them.
class LeafCollector : public RecursiveASTVisitor<LeafCollector> {
public:
  llvm::SmallVector<const Expr *, 16> Leaves;
  llvm::SmallVector<const CallExpr *, 8> Calls;

  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool VisitDeclRefExpr(DeclRefExpr *E) {
    if (llvm::isa<VarDecl>(E->getDecl()))
      Leaves.push_back(E);
    return true;
  }
  bool VisitCXXThisExpr(CXXThisExpr *E) {
    Leaves.push_back(E);
    return true;
  }
  bool VisitCallExpr(CallExpr *E) {
    Calls.push_back(E);
    return true;
  }
};

bool inSystemHeader(const Decl *D, const SourceManager &SM) {
  return SM.isInSystemHeader(SM.getExpansionLoc(D->getLocation()));
}

// Whether Mutation is a call that passes Access to a function we either
// cannot see (unknown: stay silent) or will follow ourselves.
bool isOpaqueOrFollowedCall(const Stmt *Mutation, const Expr *Access,
                            const SourceManager &SM) {
  // Binding to a local pointer or reference (auto *r = static_cast<R *>(arg)),
  // or casting to a non-const pointer, is not a write: the uses of the alias
  // or of the cast are leaves of their own.
  if (llvm::isa<DeclStmt>(Mutation) || llvm::isa<CastExpr>(Mutation))
    return true;
  const FunctionDecl *Callee = nullptr;
  bool PassedAsArgument = false;
  bool PassedAsObject = false;
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Mutation)) {
    Callee = MC->getMethodDecl();
    PassedAsObject = sameExpr(MC->getImplicitObjectArgument(), Access);
    for (const Expr *Arg : MC->arguments())
      PassedAsArgument |= sameExpr(Arg, Access);
  } else if (const auto *Call = llvm::dyn_cast<CallExpr>(Mutation)) {
    Callee = Call->getDirectCallee();
    for (const Expr *Arg : Call->arguments())
      PassedAsArgument |= sameExpr(Arg, Access) ||
                          sameExpr(transparentCallArgument(Arg), Access);
    if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call))
      if (OC->getNumArgs() > 0 && sameExpr(OC->getArg(0), Access) &&
          llvm::isa<CXXMethodDecl>(Callee))
        PassedAsObject = true, PassedAsArgument = false;
  } else if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(Mutation)) {
    Callee = CE->getConstructor();
    for (const Expr *Arg : CE->arguments())
      PassedAsArgument |= sameExpr(Arg, Access);
  }
  if (!Callee || (!PassedAsArgument && !PassedAsObject))
    return false;
  const FunctionDecl *Def = definitionOf(Callee);
  if (!Def)
    return PassedAsArgument; // no body: an argument is only maybe written
  // A body in our own code: followed by findWrites, which finds the real
  // write (or none).
  return !inSystemHeader(Def, SM);
}

void findWritesImpl(const Frame &Fr, ASTContext &Ctx,
                    llvm::SmallVectorImpl<Write> &Out, unsigned Depth,
                    unsigned MaxDepth,
                    llvm::SmallPtrSetImpl<const FunctionDecl *> &Active) {
  const Stmt *Body = Fr.body();
  if (!Body)
    return;
  LeafCollector Collector;
  Collector.TraverseStmt(const_cast<Stmt *>(Body));
  if (Collector.Leaves.empty() && Collector.Calls.empty())
    return;

  const SourceManager &SM = Ctx.getSourceManager();
  ObjectResolver Resolver;
  const ParentMap &PM = bodyIndex(Body).parents();
  std::optional<ExprMutationAnalyzer> Analyzer;
  llvm::SmallPtrSet<const Expr *, 16> Seen;

  for (const Expr *Leaf : Collector.Leaves) {
    const Expr *Access = accessTop(Leaf, PM);
    if (!Seen.insert(Access).second)
      continue;
    const bool AccessIsPointer = isPointerLike(Access->getType());
    std::optional<ObjectRef> Obj = Resolver.object(Access, Fr);
    std::optional<ObjectRef> Pointee =
        AccessIsPointer ? Resolver.pointee(Access, Fr) : std::nullopt;
    if (!Obj && !Pointee)
      continue;
    if (!Analyzer)
      Analyzer.emplace(*Body, Ctx);

    auto Record = [&](const ObjectRef &Target, const Stmt *Mutation) {
      if (!Mutation || isOpaqueOrFollowedCall(Mutation, Access, SM))
        return;
      Write W;
      W.Target = Target;
      W.At = Mutation;
      W.Access = Access;
      W.Lock = findHeldLock(Mutation, Body, Fr, Resolver);
      Out.push_back(std::move(W));
    };
    QualType Type = Access->getType();
    QualType PointeeType =
        Type->isPointerType() ? Type->getPointeeType() : QualType();
    if (Obj && !isAtomicType(Type) && !isSynchronizationType(Type))
      Record(*Obj, Analyzer->findMutation(Access));
    if (Pointee && !isAtomicType(PointeeType) &&
        !isSynchronizationType(PointeeType))
      Record(*Pointee, Analyzer->findPointeeMutation(Access));
  }

  if (Depth >= MaxDepth)
    return;
  // Follow calls into functions of our own code: the helper that fills the
  // object, the member function that sets a field.
  for (const CallExpr *Call : Collector.Calls) {
    const FunctionDecl *Def = userDefinedCallee(Call, SM);
    if (!Def || Active.count(Def))
      continue;
    llvm::SmallVector<const Expr *, 4> Args;
    Frame Callee = callFrame(Fr, Call, Def, Args);
    Active.insert(Def);
    findWritesImpl(Callee, Ctx, Out, Depth + 1, MaxDepth, Active);
    Active.erase(Def);
  }
}

} // namespace

const Expr *accessRoot(const Expr *Access) {
  const Expr *E = Access;
  for (unsigned Steps = 0; E && Steps < 32; ++Steps) {
    E = ignoreWrappers(E);
    if (llvm::isa<DeclRefExpr>(E) || llvm::isa<CXXThisExpr>(E))
      return E;
    if (const auto *ME = llvm::dyn_cast<MemberExpr>(E))
      E = ME->getBase();
    else if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E))
      E = UO->getSubExpr();
    else if (const auto *ASE = llvm::dyn_cast<ArraySubscriptExpr>(E))
      E = ASE->getBase();
    else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(E);
             OC && OC->getNumArgs() > 0)
      E = OC->getArg(0);
    else if (const auto *CE = llvm::dyn_cast<ExplicitCastExpr>(E))
      E = CE->getSubExpr();
    else
      return nullptr;
  }
  return nullptr;
}

Frame callFrame(const Frame &Parent, const CallExpr *Call,
                const FunctionDecl *Def,
                llvm::SmallVectorImpl<const Expr *> &Args) {
  Frame Callee;
  Callee.Parent = &Parent;
  Callee.Function = Def;
  Args.clear();
  // Calling a named lambda: its body sees its captures, so give it a lambda
  // frame when we can see the lambda.
  if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call);
      OC && OC->getOperator() == OO_Call && OC->getNumArgs() > 0) {
    const Expr *Closure = ignoreWrappers(OC->getArg(0));
    const LambdaExpr *L = llvm::dyn_cast<LambdaExpr>(Closure);
    if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(Closure))
      if (const auto *V = llvm::dyn_cast<VarDecl>(DRE->getDecl());
          V && V->getInit())
        L = llvm::dyn_cast<LambdaExpr>(ignoreWrappers(V->getInit()));
    if (L && L->getCallOperator() == Def) {
      Callee = Frame::lambda(Parent, L);
      Args.append(OC->arg_begin() + 1, OC->arg_end());
      Callee.Args = Args;
      return Callee;
    }
  }
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call)) {
    Callee.Object = MC->getImplicitObjectArgument();
    Callee.ObjectIsPointer =
        Callee.Object && Callee.Object->getType()->isPointerType();
    Args.append(MC->arg_begin(), MC->arg_end());
  } else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call);
             OC && llvm::isa<CXXMethodDecl>(Def) && OC->getNumArgs() > 0) {
    Callee.Object = OC->getArg(0);
    Args.append(OC->arg_begin() + 1, OC->arg_end());
  } else {
    Args.append(Call->arg_begin(), Call->arg_end());
  }
  Callee.Args = Args;
  return Callee;
}

const FunctionDecl *userDefinedCallee(const CallExpr *Call,
                                      const SourceManager &SM) {
  const FunctionDecl *Def = definitionOf(Call->getDirectCallee());
  if (!Def || inSystemHeader(Def, SM))
    return nullptr;
  return Def;
}

void findWrites(const Frame &Fr, ASTContext &Ctx,
                llvm::SmallVectorImpl<Write> &Out, unsigned MaxDepth) {
  llvm::SmallPtrSet<const FunctionDecl *, 4> Active;
  findWritesImpl(Fr, Ctx, Out, 0, MaxDepth, Active);
}

namespace {
class CallVisitor : public RecursiveASTVisitor<CallVisitor> {
public:
  explicit CallVisitor(llvm::function_ref<bool(const CallExpr *)> Fn)
      : Fn(Fn) {}
  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool VisitCallExpr(CallExpr *Call) { return !Fn(Call); }

private:
  llvm::function_ref<bool(const CallExpr *)> Fn;
};
} // namespace

void forEachCall(const Stmt *S,
                 llvm::function_ref<bool(const CallExpr *)> Fn) {
  if (S)
    CallVisitor(Fn).TraverseStmt(const_cast<Stmt *>(S));
}

//===----------------------------------------------------------------------===//
// Scopes
//===----------------------------------------------------------------------===//

const Stmt *owningBody(const VarDecl *V) {
  if (!V)
    return nullptr;
  const auto *FD = llvm::dyn_cast<FunctionDecl>(V->getDeclContext());
  return FD ? FD->getBody() : nullptr;
}

SourceLocation endOfScope(const VarDecl *V) {
  const Stmt *Body = owningBody(V);
  if (!Body)
    return {};
  if (llvm::isa<ParmVarDecl>(V)) {
    if (const auto *CS = llvm::dyn_cast<CompoundStmt>(Body))
      return CS->getRBracLoc();
    return Body->getEndLoc();
  }
  return bodyIndex(Body).endOfScope(V);
}

} // namespace clang::tidy::defer_race
