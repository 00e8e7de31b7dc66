//===--- Callables.cpp - What code does a callable run? -------------------===//

#include "Callables.h"
#include "Expressions.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {
namespace {

bool declaredInSystemHeader(const CXXRecordDecl *RD) {
  return RD && inSystemHeader(RD, RD->getASTContext().getSourceManager());
}

// std::bind(f, ...), std::bind_front, boost::bind: library functions that
// bind a callable to arguments.
bool isBind(const CallExpr *Call) {
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  if (!FD || !FD->getIdentifier() || Call->getNumArgs() == 0)
    return false;
  llvm::StringRef N = FD->getName();
  return (N == "bind" || N == "bind_front") &&
         inSystemHeader(FD, FD->getASTContext().getSourceManager());
}

// A placeholder (std::placeholders::_1): the argument comes at the call.
bool isPlaceholder(const Expr *E) {
  const auto *RD = ignoreWrappers(E)->getType()->getAsCXXRecordDecl();
  return RD && RD->getIdentifier() &&
         (RD->getName() == "_Placeholder" || RD->getName() == "arg");
}

// The most values of a member followed to their code.
constexpr unsigned MaxStores = 8;

// The code that Value, stored into a member by Caller, runs: a function, or
// a lambda without captures, which need nothing of Caller's frame. A
// parameter of Caller is followed to its callers' arguments, once.
void storedCode(const Expr *Value, const FunctionDecl *Caller,
                AnalysisContext &Analysis, bool FollowCallers,
                llvm::SmallVectorImpl<const Expr *> &Out) {
  FrameArena Arena;
  Frame Root = Frame::root(Caller);
  Located L = origin(Value, Root, Arena);
  for (unsigned Step = 0; L.E && L.Fr && Step < 4; ++Step) {
    const Expr *X = ignoreWrappers(L.E);
    if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(X)) {
      // std::function made from a callable.
      if (!declaredInSystemHeader(CE->getType()->getAsCXXRecordDecl()) ||
          CE->getNumArgs() == 0 || !hasCallableType(CE->getArg(0)))
        return;
      L = origin(CE->getArg(0), *L.Fr, Arena);
      continue;
    }
    if (const auto *Lambda = llvm::dyn_cast<LambdaExpr>(X)) {
      if (Lambda->capture_size() == 0)
        Out.push_back(Lambda);
      return;
    }
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(X);
        UO && UO->getOpcode() == UO_AddrOf)
      X = ignoreWrappers(UO->getSubExpr());
    const auto *DRE = llvm::dyn_cast<DeclRefExpr>(X);
    if (!DRE)
      return;
    if (const auto *FD = llvm::dyn_cast<FunctionDecl>(DRE->getDecl())) {
      const auto *MD = llvm::dyn_cast<CXXMethodDecl>(FD);
      if (definitionOf(FD) && !(MD && MD->isInstance()))
        Out.push_back(X);
      return;
    }
    // Task(Counter &c, std::function<void(Counter &)> f) : onFinish(f), and
    // setters: the parameter is followed to the arguments of the calls and
    // constructions in this translation unit.
    const auto *P = llvm::dyn_cast<ParmVarDecl>(DRE->getDecl());
    if (!P || !Caller || !FollowCallers || !L.Fr->isRoot() ||
        P->getDeclContext() != Caller)
      return;
    unsigned Index = P->getFunctionScopeIndex();
    unsigned Seen = 0;
    auto Follow = [&](const Expr *Arg, const FunctionDecl *Site) {
      if (Arg && Site && ++Seen <= MaxStores)
        storedCode(Arg, Site, Analysis, /*FollowCallers=*/false, Out);
    };
    if (const auto *Ctor = llvm::dyn_cast<CXXConstructorDecl>(Caller)) {
      for (const ConstructionSite &Site : Analysis.constructionsOf(Ctor))
        if (Index < Site.Construct->getNumArgs())
          Follow(Site.Construct->getArg(Index), Site.Caller);
      return;
    }
    for (const CallSite &Site : Analysis.callersOf(Caller))
      if (!llvm::isa<CXXOperatorCallExpr>(Site.Call) &&
          Index < Site.Call->getNumArgs())
        Follow(Site.Call->getArg(Index), Site.Caller);
    return;
  }
}

} // namespace

void objectCallees(const CallExpr *Call, const Frame &Fr, FrameArena &Arena,
                   AnalysisContext &Analysis,
                   llvm::SmallVectorImpl<ObjectCallee> &Out) {
  const Expr *Object = nullptr;
  llvm::ArrayRef<const Expr *> Args(Call->getArgs(), Call->getNumArgs());
  if (const auto *Op = llvm::dyn_cast<CXXOperatorCallExpr>(Call)) {
    // f(args): std::function<...>::operator() and its kin.
    const auto *MD =
        llvm::dyn_cast_or_null<CXXMethodDecl>(Op->getDirectCallee());
    if (Op->getOperator() != OO_Call || Args.empty() || !MD ||
        !declaredInSystemHeader(MD->getParent()))
      return;
    Object = Args.front();
    Args = Args.drop_front();
  } else if (!Call->getDirectCallee() && !llvm::isa<CXXMemberCallExpr>(Call)) {
    Object = Call->getCallee(); // a function pointer
  }
  if (!Object)
    return;
  if (const Frame *F = callableFrame(Object, Args, Fr, Arena)) {
    Out.push_back({F, nullptr});
    return;
  }
  // A member whose value is not in sight: what is ever stored into it.
  Located L = origin(Object, Fr, Arena);
  const Expr *X = ignoreWrappers(L.E);
  if (const auto *UO = llvm::dyn_cast_or_null<UnaryOperator>(X);
      UO && UO->getOpcode() == UO_Deref)
    X = ignoreWrappers(UO->getSubExpr());
  const auto *ME = llvm::dyn_cast_or_null<MemberExpr>(X);
  const auto *Field =
      ME ? llvm::dyn_cast<FieldDecl>(ME->getMemberDecl()) : nullptr;
  if (!Field)
    return;
  // The default member initializer is evaluated in no function of ours.
  llvm::SmallVector<const Expr *, 2> Codes;
  if (const Expr *Default = Field->getInClassInitializer())
    storedCode(Default, nullptr, Analysis, false, Codes);
  for (const FieldStore &S : Analysis.storesInto(Field)) {
    if (Codes.size() >= MaxStores)
      break;
    storedCode(S.Value, S.Caller, Analysis, /*FollowCallers=*/true, Codes);
  }
  llvm::SmallPtrSet<const void *, 4> Seen;
  for (const Expr *Code : Codes) {
    // The same function stored in several places is one callee.
    const auto *Named = llvm::dyn_cast<DeclRefExpr>(Code);
    if (!Seen.insert(Named ? static_cast<const void *>(Named->getDecl())
                           : static_cast<const void *>(Code))
             .second)
      continue;
    if (const auto *Lambda = llvm::dyn_cast<LambdaExpr>(Code)) {
      Frame F = Frame::lambda(Fr, Lambda);
      F.Args = Args;
      Out.push_back({&Arena.keep(F), Code});
      continue;
    }
    const auto *FD =
        llvm::cast<FunctionDecl>(llvm::cast<DeclRefExpr>(Code)->getDecl());
    Out.push_back({&Arena.keep(Frame::callable(Fr, nullptr, FD, Args)), Code});
  }
}

const Frame *callableFrame(const Expr *E, llvm::ArrayRef<const Expr *> Args,
                           const Frame &Fr, FrameArena &Arena) {
  Located L = origin(E, Fr, Arena);
  for (unsigned Step = 0; L.E && L.Fr && Step < 4; ++Step) {
    const Expr *X = ignoreWrappers(L.E);
    // Arguments are expressions of Fr: they bind only when the callable is
    // made there too.
    llvm::ArrayRef<const Expr *> Bound =
        L.Fr == &Fr ? Args : llvm::ArrayRef<const Expr *>();
    if (const auto *Lambda = llvm::dyn_cast<LambdaExpr>(X)) {
      Frame F = Frame::lambda(*L.Fr, Lambda);
      F.Args = Bound;
      return &Arena.keep(F);
    }
    const Expr *Named = X;
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(X);
        UO && UO->getOpcode() == UO_AddrOf)
      Named = ignoreWrappers(UO->getSubExpr());
    if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(Named)) {
      const auto *FD = llvm::dyn_cast<FunctionDecl>(DRE->getDecl());
      if (!FD || !definitionOf(FD))
        return nullptr;
      const auto *MD = llvm::dyn_cast<CXXMethodDecl>(FD);
      if (MD && MD->isInstance()) {
        // (&C::run, object, args...)
        if (Bound.empty() || !Bound.front())
          return nullptr;
        bool IsPointer = false;
        const Expr *Object = boundObject(Bound.front(), IsPointer);
        return &Arena.keep(Frame::callable(
            *L.Fr, nullptr, MD, Bound.drop_front(), Object, IsPointer));
      }
      return &Arena.keep(Frame::callable(*L.Fr, nullptr, FD, Bound));
    }
    if (const auto *Call = llvm::dyn_cast<CallExpr>(X); Call && isBind(Call)) {
      // Placeholders are filled by the caller's arguments: none here.
      llvm::SmallVector<const Expr *, 4> BindArgs;
      for (unsigned I = 1; I < Call->getNumArgs(); ++I)
        BindArgs.push_back(isPlaceholder(Call->getArg(I)) ? nullptr
                                                          : Call->getArg(I));
      return callableFrame(Call->getArg(0), Arena.keep(BindArgs), *L.Fr, Arena);
    }
    if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(X)) {
      // std::function, std::packaged_task, ... made from a callable.
      const CXXRecordDecl *RD = CE->getType()->getAsCXXRecordDecl();
      if (declaredInSystemHeader(RD) && CE->getNumArgs() >= 1 &&
          hasCallableType(CE->getArg(0))) {
        L = origin(CE->getArg(0), *L.Fr, Arena);
        continue;
      }
    }
    // A function object: its operator() runs on the object.
    const CXXRecordDecl *RD =
        X->getType().getNonReferenceType()->getAsCXXRecordDecl();
    if (declaredInSystemHeader(RD))
      return nullptr;
    if (const CXXMethodDecl *Op = functionObjectOperator(RD))
      return &Arena.keep(Frame::callable(*L.Fr, nullptr, Op, Bound, X, false));
    return nullptr;
  }
  return nullptr;
}

const Frame *threadObjectFrame(const Expr *Handle, const Frame &Fr,
                               FrameArena &Arena) {
  Located Made = constructionOf(Handle, false, Fr, Arena);
  const Expr *X = ignoreWrappers(Made.E);
  if (!X || !Made.Fr)
    return nullptr;
  llvm::ArrayRef<const Expr *> Args;
  const auto *Call = llvm::dyn_cast<CallExpr>(X);
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  if (llvm::isa<CXXConstructExpr>(X) || (Callee && Callee->getIdentifier() &&
                                         (Callee->getName() == "make_unique" ||
                                          Callee->getName() == "make_shared")))
    Args = argumentsOf(X);
  if (Args.empty())
    return nullptr;
  return callableFrame(Args.front(), Args.drop_front(), *Made.Fr, Arena);
}

const Frame *guardObjectFrame(const Expr *Guard, const Frame &Fr,
                              FrameArena &Arena) {
  Located Made = constructionOf(Guard, false, Fr, Arena);
  const Expr *X = ignoreWrappers(Made.E);
  if (!X || !Made.Fr)
    return nullptr;
  // A construction, an aggregate, or a known factory: finally(f).
  llvm::ArrayRef<const Expr *> Args = argumentsOf(X);
  // A smart pointer runs its deleter on its pointer: the deleter given, or
  // a default-constructed function object of the deleter type.
  const auto *Spec = llvm::dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      X->getType().getNonReferenceType()->getAsCXXRecordDecl());
  if (Spec && Spec->getIdentifier() &&
      (Spec->getName() == "unique_ptr" || Spec->getName() == "shared_ptr") &&
      Spec->isInStdNamespace()) {
    if (Args.empty())
      return nullptr;
    const Expr *Pointer = Args.front();
    llvm::ArrayRef<const Expr *> Bound =
        Arena.keep(llvm::ArrayRef<const Expr *>(Pointer));
    if (Args.size() >= 2)
      return callableFrame(Args[1], Bound, *Made.Fr, Arena);
    const TemplateArgumentList &T = Spec->getTemplateArgs();
    if (T.size() < 2 || T[1].getKind() != TemplateArgument::Type)
      return nullptr;
    const CXXRecordDecl *D = T[1].getAsType()->getAsCXXRecordDecl();
    const CXXMethodDecl *Op =
        declaredInSystemHeader(D) ? nullptr : functionObjectOperator(D);
    return Op ? &Arena.keep(Frame::callable(*Made.Fr, nullptr, Op, Bound))
              : nullptr;
  }
  // A guard class given its callable: ScopeExit<F>(std::move(f)).
  for (const Expr *A : Args)
    if (A && !llvm::isa<CXXDefaultArgExpr>(A) && hasCallableType(A))
      return callableFrame(A, {}, *Made.Fr, Arena);
  return nullptr;
}

} // namespace clang::tidy::defer_race
