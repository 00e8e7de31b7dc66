//===--- SharedObjects.cpp - Which object does an expression denote? ------===//

#include "SharedObjects.h"
#include "Expressions.h"
#include "Vocabulary.h"

#include "clang/AST/ASTContext.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::defer_race {

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
    return Var && O.Var && Var->getCanonicalDecl() == O.Var->getCanonicalDecl();
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
        Out.insert(0, 1, '*');
      PendingDeref = true;
      continue;
    }
    Out += PendingDeref ? "->" : ".";
    Out += F->getNameAsString();
    PendingDeref = false;
  }
  if (PendingDeref && Kind != This)
    Out.insert(0, 1, '*');
  if (Kind == This && Path.empty())
    Out = "*this";
  return Out;
}

//===----------------------------------------------------------------------===//
// Frames
//===----------------------------------------------------------------------===//

Frame Frame::lambda(const Frame &Parent, const LambdaExpr *L) {
  Frame Fr;
  Fr.Parent = &Parent;
  Fr.Lambda = L;
  Fr.Function = callOperatorOf(L);
  return Fr;
}

Frame Frame::callable(const Frame &Parent, const LambdaExpr *L,
                      const FunctionDecl *F, llvm::ArrayRef<const Expr *> Args,
                      const Expr *Object, bool ObjectIsPointer) {
  Frame Fr;
  if (L) {
    Fr = lambda(Parent, L);
  } else {
    Fr.Parent = &Parent;
    Fr.Function = definitionOf(F);
    Fr.Object = Object;
    Fr.ObjectIsPointer = ObjectIsPointer;
  }
  Fr.Args = Args;
  return Fr;
}

const Stmt *Frame::body() const { return callableBody(Lambda, Function); }

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
    const auto *L = llvm::dyn_cast<LambdaExpr>(Closure);
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

//===----------------------------------------------------------------------===//
// Origins
//===----------------------------------------------------------------------===//

const Frame &FrameArena::keep(const Frame &F) {
  Frames.push_back(std::make_unique<Frame>(F));
  return *Frames.back();
}

llvm::ArrayRef<const Expr *>
FrameArena::keep(llvm::ArrayRef<const Expr *> Args) {
  ArgLists.push_back(std::make_unique<llvm::SmallVector<const Expr *, 4>>(
      Args.begin(), Args.end()));
  return *ArgLists.back();
}

const Frame &FrameArena::call(const Frame &Parent, const CallExpr *Call,
                              const FunctionDecl *Def) {
  ArgLists.push_back(std::make_unique<llvm::SmallVector<const Expr *, 4>>());
  return keep(callFrame(Parent, Call, Def, *ArgLists.back()));
}

const Frame &FrameArena::construction(const Frame &Parent,
                                      const CXXConstructExpr *CE,
                                      const FunctionDecl *Ctor) {
  llvm::ArrayRef<const Expr *> Args(CE->getArgs(), CE->getNumArgs());
  return keep(Frame::callable(Parent, nullptr, Ctor, Args));
}

namespace {

// The frame, from Fr up, whose function declares V.
const Frame *ownerFrame(const VarDecl *V, const Frame *Fr) {
  const DeclContext *DC = V->getDeclContext();
  for (; Fr; Fr = Fr->Parent)
    if (Fr->Function && DC == Fr->Function)
      return Fr;
  return nullptr;
}

bool isCopyOrMove(const CXXConstructExpr *CE) {
  const CXXConstructorDecl *Ctor = CE->getConstructor();
  return CE->getNumArgs() == 1 && Ctor &&
         (Ctor->isCopyConstructor() || Ctor->isMoveConstructor());
}

const ReturnStmt *firstReturn(const Stmt *Body) {
  const ReturnStmt *Found = nullptr;
  forEachStmt(Body, 256, [&](const Stmt *S) {
    if (const auto *R = llvm::dyn_cast<ReturnStmt>(S); R && R->getRetValue())
      Found = R;
    return Found != nullptr;
  });
  return Found;
}

bool isMakeSmartPointer(const Expr *E) {
  const auto *Call = llvm::dyn_cast_or_null<CallExpr>(E);
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  return FD && FD->getIdentifier() &&
         (FD->getName() == "make_unique" || FD->getName() == "make_shared");
}

// The initializer that the construction Made gave to Field, and the frame it
// is evaluated in.
Located fieldInitializer(Located Made, const FieldDecl *Field,
                         FrameArena &Arena) {
  const Expr *E = ignoreWrappers(Made.E);
  if (const auto *ILE = llvm::dyn_cast_or_null<InitListExpr>(E)) {
    if (!ILE->isSemanticForm() && ILE->getSemanticForm())
      ILE = ILE->getSemanticForm();
    const auto *RD = ILE->getType()->getAsCXXRecordDecl();
    unsigned Index = Field->getFieldIndex();
    if (RD && RD->getNumBases() == 0 &&
        Field->getParent() == RD->getDefinition() && !RD->isUnion() &&
        Index < ILE->getNumInits())
      return {ILE->getInit(Index), Made.Fr};
    return {};
  }
  const auto *CE = llvm::dyn_cast_or_null<CXXConstructExpr>(E);
  if (!CE || isCopyOrMove(CE))
    return {};
  const auto *Ctor = llvm::dyn_cast_or_null<CXXConstructorDecl>(
      definitionOf(CE->getConstructor()));
  if (!Ctor)
    return {};
  for (const CXXCtorInitializer *Init : Ctor->inits())
    if (Init->getMember() == Field && Init->isWritten() && Init->getInit())
      return {Init->getInit(), &Arena.construction(*Made.Fr, CE, Ctor)};
  return {};
}

// The object *this of Fr, as made.
Located thisConstruction(const Frame *Fr, FrameArena &Arena) {
  for (unsigned Steps = 0; Fr && Steps < bounds::ResolveSteps; ++Steps) {
    if (Fr->Lambda) {
      Fr = Fr->Parent; // [this] and [&] see the enclosing object
      continue;
    }
    if (Fr->isRoot() || !Fr->Object)
      return {};
    return constructionOf(Fr->Object, Fr->ObjectIsPointer, *Fr->Parent, Arena);
  }
  return {};
}

} // namespace

Located origin(const Expr *E, const Frame &Start, FrameArena &Arena) {
  const Frame *Fr = &Start;
  for (unsigned Step = 0; E && Fr && Step < bounds::ResolveSteps; ++Step) {
    E = ignoreWrappers(E);
    if (const Expr *Inner = transparentCallArgument(E);
        Inner && !isReferenceWrapperCall(E)) {
      E = Inner; // std::move, std::forward
      continue;
    }
    if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(E);
        CE && isCopyOrMove(CE)) {
      E = CE->getArg(0);
      continue;
    }
    // Flusher{&log}: a functional cast around the aggregate initialisation.
    // static_cast<Job *>(arg): a start routine's void * back to what was
    // passed.
    if (const auto *Cast = llvm::dyn_cast<ExplicitCastExpr>(E);
        Cast && (Cast->getCastKind() == CK_NoOp ||
                 (Cast->getCastKind() == CK_BitCast &&
                  Cast->getSubExpr()->getType()->isVoidPointerType()))) {
      E = Cast->getSubExpr();
      continue;
    }
    if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E)) {
      const auto *V = llvm::dyn_cast<VarDecl>(DRE->getDecl());
      if (!V || !V->hasLocalStorage())
        break;
      const Frame *Owner = ownerFrame(V, Fr);
      if (!Owner)
        break;
      if (const auto *P = llvm::dyn_cast<ParmVarDecl>(V)) {
        unsigned Index = P->getFunctionScopeIndex();
        if (Owner->isRoot() || Index >= Owner->Args.size() ||
            !Owner->Args[Index])
          break;
        E = Owner->Args[Index];
        Fr = Owner->Parent;
        continue;
      }
      if (!V->getInit())
        break;
      E = V->getInit();
      Fr = V->isInitCapture() ? Owner->Parent : Owner;
      continue;
    }
    if (const auto *ME = llvm::dyn_cast<MemberExpr>(E)) {
      const auto *Field = llvm::dyn_cast<FieldDecl>(ME->getMemberDecl());
      if (!Field)
        break;
      Located Init = fieldInitializer(
          constructionOf(ME->getBase(), ME->isArrow(), *Fr, Arena), Field,
          Arena);
      if (!Init.E)
        break;
      E = Init.E;
      Fr = Init.Fr;
      continue;
    }
    if (const auto *CO = llvm::dyn_cast<ConditionalOperator>(E)) {
      // Either branch: the first one that leads somewhere.
      Located True = origin(CO->getTrueExpr(), *Fr, Arena);
      if (True.E && !llvm::isa<DeclRefExpr>(ignoreWrappers(True.E)))
        return True;
      E = CO->getFalseExpr();
      continue;
    }
    if (const auto *Call = llvm::dyn_cast<CallExpr>(E);
        Call && !llvm::isa<CXXOperatorCallExpr>(Call)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      const FunctionDecl *Def =
          Callee ? userDefinedCallee(Call,
                                     Callee->getASTContext().getSourceManager())
                 : nullptr;
      const ReturnStmt *Ret = Def && !Def->getReturnType()->isVoidType()
                                  ? firstReturn(Def->getBody())
                                  : nullptr;
      if (!Ret)
        break;
      Fr = &Arena.call(*Fr, Call, Def);
      E = Ret->getRetValue();
      continue;
    }
    break;
  }
  return {E, Fr};
}

Located constructionOf(const Expr *E, bool Arrow, const Frame &Fr,
                       FrameArena &Arena) {
  E = ignoreWrappers(E);
  if (!E)
    return {};
  if (!Arrow) {
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E);
        UO && UO->getOpcode() == UO_Deref)
      return constructionOf(UO->getSubExpr(), true, Fr, Arena);
    // *p and p-> on a smart pointer.
    if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(E);
        OC && OC->getNumArgs() == 1 &&
        (OC->getOperator() == OO_Star || OC->getOperator() == OO_Arrow))
      return constructionOf(OC->getArg(0), true, Fr, Arena);
    Located Made = origin(E, Fr, Arena);
    // auto &c = *new C(...): the object the pointer points to.
    if (const auto *UO =
            llvm::dyn_cast_or_null<UnaryOperator>(ignoreWrappers(Made.E));
        UO && UO->getOpcode() == UO_Deref && Made.Fr &&
        ignoreWrappers(Made.E) != E)
      return constructionOf(UO->getSubExpr(), true, *Made.Fr, Arena);
    return Made;
  }
  if (llvm::isa<CXXThisExpr>(E))
    return thisConstruction(&Fr, Arena);
  Located P = origin(E, Fr, Arena);
  const Expr *Ptr = ignoreWrappers(P.E);
  if (!Ptr)
    return {};
  if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Ptr);
      UO && UO->getOpcode() == UO_AddrOf)
    return constructionOf(UO->getSubExpr(), false, *P.Fr, Arena);
  if (const auto *New = llvm::dyn_cast<CXXNewExpr>(Ptr))
    return {New->getInitializer(), P.Fr};
  if (llvm::isa<CXXThisExpr>(Ptr))
    return thisConstruction(P.Fr, Arena);
  if (isMakeSmartPointer(Ptr))
    return P;
  return {};
}

//===----------------------------------------------------------------------===//
// ObjectResolver
//===----------------------------------------------------------------------===//

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
  if (!E || Depth > bounds::ResolveSteps)
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
    // A reference member refers to what its initializer referred to.
    if (Field->getType()->isReferenceType())
      if (std::optional<ObjectRef> R = memberReferent(ME, Fr, false, Depth))
        return R;
    std::optional<ObjectRef> Base = ME->isArrow()
                                        ? pointee(ME->getBase(), Fr, Depth + 1)
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
  if (!E || Depth > bounds::ResolveSteps)
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
    // *pp where pp points at a pointer variable of the root function (a
    // cleanup function's argument): where that variable points.
    if (UO->getOpcode() == UO_Deref) {
      std::optional<ObjectRef> Holder = object(UO, Fr, Depth + 1);
      if (Holder && Holder->Kind == ObjectRef::Local && Holder->Path.empty())
        return variable(Holder->Var, Fr.rootFrame(), /*Pointee=*/true,
                        Depth + 1);
    }
    return std::nullopt;
  }
  if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E)) {
    if (const auto *V = llvm::dyn_cast<VarDecl>(DRE->getDecl()))
      return variable(V, Fr, /*Pointee=*/true, Depth + 1);
    return std::nullopt;
  }
  if (llvm::isa<CXXThisExpr>(E))
    return thisObject(Fr, Depth + 1);
  if (const auto *ME = llvm::dyn_cast<MemberExpr>(E);
      ME && isPointerLike(ME->getType()))
    // A pointer member of an object we saw made points where its
    // initializer pointed.
    if (std::optional<ObjectRef> R = memberReferent(ME, Fr, true, Depth))
      return R;
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

namespace {
// Whether V is initialised with a new heap object: `*new T`, `new T`,
// std::make_shared<T>(), std::make_unique<T>().
bool namesFreshObject(const VarDecl *V) {
  const Expr *Init = V->getInit();
  for (unsigned Steps = 0; Init && Steps < 6; ++Steps) {
    Init = ignoreWrappers(Init);
    if (llvm::isa<CXXNewExpr>(Init))
      return true;
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Init);
        UO && UO->getOpcode() == UO_Deref) {
      Init = UO->getSubExpr();
      continue;
    }
    if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(Init);
        CE && CE->getNumArgs() == 1) {
      Init = CE->getArg(0);
      continue;
    }
    if (const auto *Call = llvm::dyn_cast<CallExpr>(Init)) {
      const FunctionDecl *FD = Call->getDirectCallee();
      return FD && FD->getIdentifier() &&
             (FD->getName() == "make_shared" || FD->getName() == "make_unique");
    }
    return false;
  }
  return false;
}
} // namespace

std::optional<ObjectRef> ObjectResolver::variable(const VarDecl *V,
                                                  const Frame &Fr, bool Pointee,
                                                  unsigned Depth) const {
  if (!V || Depth > bounds::ResolveSteps)
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
  auto OwnLocal = [&]() -> std::optional<ObjectRef> {
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
  auto BoundParam = [&](const ParmVarDecl *P) -> std::optional<ObjectRef> {
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
        return BoundParam(P);
      return OwnLocal();
    }
    // A named lambda called from another callable ([&] { emit(a); }) sees
    // its captures where it was declared: the frame owning V, above.
    const Frame *Seen = Fr.Parent;
    if (Seen && !(Seen->Function && DC == Seen->Function) &&
        !(Seen->Lambda &&
          llvm::any_of(Seen->Lambda->captures(), [&](const LambdaCapture &C) {
            return C.capturesVariable() && C.getCapturedVar() == V;
          })))
      if (const Frame *Owner = ownerFrame(V, Seen))
        Seen = Owner;
    for (const LambdaCapture &C : Fr.Lambda->captures()) {
      if (!C.capturesVariable() || C.getCapturedVar() != V || !Seen)
        continue;
      if (C.getCaptureKind() == LCK_ByRef)
        return variable(V, *Seen, Pointee, Depth + 1);
      // By copy: the lambda has its own object, but a copied pointer still
      // points where the original does.
      if (Pointee)
        return variable(V, *Seen, /*Pointee=*/true, Depth + 1);
      return std::nullopt;
    }
    return std::nullopt;
  }

  if (!Owned)
    return std::nullopt;

  if (const auto *P = llvm::dyn_cast<ParmVarDecl>(V)) {
    if (!Fr.isRoot())
      return BoundParam(P);
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
    return OwnLocal();

  // An automatic variable of the root function.
  if (V->getType()->isReferenceType() || Pointee) {
    if (std::optional<ObjectRef> R = OwnLocal())
      return R;
    // `auto &r = *new T;`, `auto p = std::make_shared<T>();`: the variable
    // is the only name of a fresh object, which stands for it.
    if (!namesFreshObject(V))
      return std::nullopt;
    ObjectRef R;
    R.Kind = ObjectRef::Local;
    R.Var = V;
    if (Pointee && !V->getType()->isReferenceType())
      R.Path.push_back(nullptr);
    return R;
  }
  ObjectRef R;
  R.Kind = ObjectRef::Local;
  R.Var = V;
  return R;
}

std::optional<ObjectRef> ObjectResolver::memberReferent(const MemberExpr *ME,
                                                        const Frame &Fr,
                                                        bool Pointee,
                                                        unsigned Depth) const {
  const auto *Field = llvm::dyn_cast<FieldDecl>(ME->getMemberDecl());
  if (!Field)
    return std::nullopt;
  return memberReferent(ME->getBase(), ME->isArrow(), Field, Fr, Pointee,
                        Depth);
}

std::optional<ObjectRef>
ObjectResolver::memberReferent(const Expr *Base, bool Arrow,
                               const FieldDecl *Field, const Frame &Fr,
                               bool Pointee, unsigned Depth) const {
  if (!Base || !Field || Depth > bounds::ResolveSteps)
    return std::nullopt;
  FrameArena Arena;
  Located Init =
      fieldInitializer(constructionOf(Base, Arrow, Fr, Arena), Field, Arena);
  if (!Init.E || !Init.Fr)
    return std::nullopt;
  return Pointee ? pointee(Init.E, *Init.Fr, Depth + 1)
                 : object(Init.E, *Init.Fr, Depth + 1);
}

std::optional<ObjectRef> ObjectResolver::thisObject(const Frame &Fr,
                                                    unsigned Depth) const {
  if (Depth > bounds::ResolveSteps)
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

} // namespace clang::tidy::defer_race
