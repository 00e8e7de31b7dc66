//===--- Expressions.cpp - Small questions about expressions and calls ----===//

#include "Expressions.h"
#include "Vocabulary.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include <algorithm>

namespace clang::tidy::defer_race {

bool isPointerCast(const Expr *E) {
  const auto *CE = llvm::dyn_cast<ExplicitCastExpr>(E);
  return CE && CE->getType()->isPointerType();
}

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

bool hasCallableType(const Expr *E) { return isCallableType(E->getType()); }

bool isCallableType(QualType T) {
  T = T.getNonReferenceType();
  if (T->isFunctionPointerType() || T->isFunctionType() ||
      T->isMemberFunctionPointerType())
    return true;
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  if (!RD || !RD->hasDefinition())
    return false;
  if (RD->isLambda())
    return true;
  for (const CXXMethodDecl *MD : RD->getDefinition()->methods())
    if (MD->getOverloadedOperator() == OO_Call)
      return true;
  return false;
}

const CXXMethodDecl *functionObjectOperator(const CXXRecordDecl *RD) {
  RD = RD ? RD->getDefinition() : nullptr;
  if (!RD || RD->isLambda())
    return nullptr;
  const CXXMethodDecl *Found = nullptr;
  for (const CXXMethodDecl *MD : RD->methods()) {
    if (MD->getOverloadedOperator() != OO_Call)
      continue;
    if (Found)
      return nullptr; // overloaded: we do not pick
    Found = MD;
  }
  return Found && definitionOf(Found)
             ? llvm::cast<CXXMethodDecl>(definitionOf(Found))
             : nullptr;
}

Expr *referenceTo(const VarDecl *V) {
  ASTContext &Ctx = V->getASTContext();
  auto *Var = const_cast<VarDecl *>(V);
  return DeclRefExpr::Create(Ctx, NestedNameSpecifierLoc(), SourceLocation(),
                             Var, /*RefersToEnclosingVariableOrCapture=*/false,
                             V->getLocation(),
                             V->getType().getNonReferenceType(), VK_LValue);
}

const Expr *addressOf(const VarDecl *V) {
  ASTContext &Ctx = V->getASTContext();
  QualType T = V->getType().getNonReferenceType();
  return UnaryOperator::Create(Ctx, referenceTo(V), UO_AddrOf,
                               Ctx.getPointerType(T), VK_PRValue, OK_Ordinary,
                               V->getLocation(),
                               /*CanOverflow=*/false, FPOptionsOverride());
}

const Expr *boundObject(const Expr *Arg, bool &IsPointer) {
  IsPointer = false;
  const Expr *Obj = ignoreWrappers(Arg);
  if (!Obj)
    return nullptr;
  if (isReferenceWrapperCall(Obj))
    return Arg;
  if (Obj->getType()->isPointerType() ||
      (isPointerLike(Obj->getType()) && !transparentCallArgument(Obj))) {
    IsPointer = true;
    return Arg;
  }
  return nullptr; // a copy of the object
}

const CXXMethodDecl *callOperatorOf(const LambdaExpr *L) {
  const CXXMethodDecl *Op = L->getCallOperator();
  if (!L->isGenericLambda())
    return Op;
  if (const FunctionTemplateDecl *T = L->getDependentCallOperator())
    for (const FunctionDecl *Spec : T->specializations())
      if (const auto *MD = llvm::dyn_cast<CXXMethodDecl>(Spec);
          MD && MD->hasBody())
        return MD;
  return Op;
}

const Stmt *callableBody(const LambdaExpr *Lambda,
                         const FunctionDecl *Function) {
  if (Lambda)
    return Lambda->isGenericLambda() ? callOperatorOf(Lambda)->getBody()
                                     : Lambda->getBody();
  if (const FunctionDecl *Def = definitionOf(Function))
    return Def->getBody();
  return nullptr;
}

const Stmt *owningBody(const VarDecl *V) {
  if (!V)
    return nullptr;
  const auto *FD = llvm::dyn_cast<FunctionDecl>(V->getDeclContext());
  return FD ? FD->getBody() : nullptr;
}

bool inSystemHeader(const Decl *D, const SourceManager &SM) {
  return SM.isInSystemHeader(SM.getExpansionLoc(D->getLocation()));
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
  if (!transparentFunctions().matches(Call->getDirectCallee()))
    return nullptr;
  return Call->getArg(0);
}

bool isReferenceWrapperCall(const Expr *E) {
  const auto *Call = llvm::dyn_cast_or_null<CallExpr>(ignoreWrappers(E));
  if (!Call)
    return false;
  return referenceWrapperFunctions().matches(Call->getDirectCallee());
}

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

namespace {

class LeafCollector : public RecursiveASTVisitor<LeafCollector> {
public:
  explicit LeafCollector(Leaves &Out) : Out(Out) {}
  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool VisitDeclRefExpr(DeclRefExpr *E) {
    if (llvm::isa<VarDecl>(E->getDecl()))
      Out.Refs.push_back(E);
    return true;
  }
  bool VisitCXXThisExpr(CXXThisExpr *E) {
    Out.Refs.push_back(E);
    return true;
  }
  bool VisitCallExpr(CallExpr *E) {
    Out.Calls.push_back(E);
    return true;
  }

private:
  Leaves &Out;
};

} // namespace

Leaves collectLeaves(const Stmt *S) {
  Leaves Out;
  if (S)
    LeafCollector(Out).TraverseStmt(const_cast<Stmt *>(S));
  return Out;
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

void forEachCall(const Stmt *S, llvm::function_ref<bool(const CallExpr *)> Fn) {
  if (S)
    CallVisitor(Fn).TraverseStmt(const_cast<Stmt *>(S));
}

// The local variable at the root of an access, when a write into it can make
// it carry data from elsewhere: j["log"], msg.mutable_fields()->at(k).
const VarDecl *carrierLocal(const Expr *E) {
  for (unsigned Steps = 0; E && Steps < 8; ++Steps) {
    E = ignoreWrappers(E);
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E);
        UO && UO->getOpcode() == UO_Deref)
      E = UO->getSubExpr();
    else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(E);
             OC && OC->getNumArgs() > 0 &&
             (OC->getOperator() == OO_Subscript ||
              OC->getOperator() == OO_Star || OC->getOperator() == OO_Arrow))
      E = OC->getArg(0);
    else if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(E);
             MC && MC->getMethodDecl() && !MC->getMethodDecl()->isConst())
      E = MC->getImplicitObjectArgument();
    else if (const auto *ME = llvm::dyn_cast<MemberExpr>(E);
             ME && !ME->isArrow())
      E = ME->getBase();
    else
      break;
  }
  const auto *DRE = llvm::dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(E));
  const auto *V = DRE ? llvm::dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  if (!V || !V->hasLocalStorage() || V->getType()->isReferenceType() ||
      llvm::isa<ParmVarDecl>(V))
    return nullptr;
  return V;
}

namespace {
class DerivationCollector : public RecursiveASTVisitor<DerivationCollector> {
public:
  using Add = DerivationFn;
  explicit DerivationCollector(Add Fn) : Fn(Fn) {}
  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }

  bool VisitVarDecl(VarDecl *V) {
    if (V->hasLocalStorage() && V->getInit() &&
        !V->getType()->isReferenceType())
      Fn(V, V->getInit(), V->getInit());
    return true;
  }
  // for (auto &x : res.items): x carries what the range holds.
  bool VisitCXXForRangeStmt(CXXForRangeStmt *For) {
    if (VarDecl *V = For->getLoopVariable(); V && For->getRangeInit())
      Fn(V, For->getRangeInit(), For);
    return true;
  }
  bool VisitBinaryOperator(BinaryOperator *BO) {
    if (BO->isAssignmentOp())
      if (const VarDecl *V = carrierLocal(BO->getLHS()))
        Fn(V, BO->getRHS(), BO);
    return true;
  }
  bool VisitCallExpr(CallExpr *Call) {
    if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call)) {
      // v.push_back(x), msg.set_log(x), j.emplace(k, x)
      const CXXMethodDecl *MD = MC->getMethodDecl();
      if (MD && !MD->isConst())
        if (const VarDecl *V = carrierLocal(MC->getImplicitObjectArgument()))
          for (const Expr *Arg : MC->arguments())
            Fn(V, Arg, Call);
      return true;
    }
    if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call)) {
      // f.log = x, j["log"] = x, s += x, out << x
      if (OC->getNumArgs() == 2 &&
          (OC->isAssignmentOp() || OC->getOperator() == OO_LessLess))
        if (const VarDecl *V = carrierLocal(OC->getArg(0)))
          Fn(V, OC->getArg(1), Call);
      return true;
    }
    // to_json(j, x), std::swap(a, b): a first parameter taken by non-const
    // reference is an output.
    const FunctionDecl *FD = Call->getDirectCallee();
    if (FD && FD->getNumParams() > 0 && Call->getNumArgs() > 1) {
      QualType P0 = FD->getParamDecl(0)->getType();
      if (P0->isLValueReferenceType() &&
          !P0.getNonReferenceType().isConstQualified())
        if (const VarDecl *V = carrierLocal(Call->getArg(0)))
          for (unsigned I = 1; I < Call->getNumArgs(); ++I)
            Fn(V, Call->getArg(I), Call);
    }
    return true;
  }

private:
  Add Fn;
};

} // namespace

void forEachDerivation(const Stmt *Body, DerivationFn Fn) {
  if (Body)
    DerivationCollector(Fn).TraverseStmt(const_cast<Stmt *>(Body));
}

void forEachStmt(const Stmt *S, unsigned MaxNodes,
                 llvm::function_ref<bool(const Stmt *)> Fn) {
  llvm::SmallVector<const Stmt *, 16> Work;
  if (S)
    Work.push_back(S);
  for (unsigned Seen = 0; !Work.empty() && Seen < MaxNodes; ++Seen) {
    const Stmt *X = Work.pop_back_val();
    if (Fn(X))
      return;
    if (llvm::isa<LambdaExpr>(X))
      continue;
    size_t Mark = Work.size();
    for (const Stmt *Child : X->children())
      if (Child)
        Work.push_back(Child);
    std::reverse(Work.begin() + Mark, Work.end());
  }
}

std::optional<unsigned> positionIn(const CompoundStmt *Block,
                                   const Stmt *Child) {
  unsigned I = 0;
  for (const Stmt *S : Block->body()) {
    if (S == Child)
      return I;
    ++I;
  }
  return std::nullopt;
}

const FunctionDecl *userDefinedCallee(const CallExpr *Call,
                                      const SourceManager &SM) {
  const FunctionDecl *Def = definitionOf(Call->getDirectCallee());
  if (!Def || inSystemHeader(Def, SM))
    return nullptr;
  return Def;
}

const Decl *enclosingCallable(const Stmt *S, ASTContext &Ctx) {
  DynTypedNode N = DynTypedNode::create(*S);
  for (unsigned Steps = 0; Steps < 256; ++Steps) {
    DynTypedNodeList Parents = Ctx.getParents(N);
    if (Parents.empty())
      return nullptr;
    N = Parents[0];
    if (const auto *L = N.get<LambdaExpr>())
      return L->getCallOperator();
    if (const auto *RD = N.get<CXXRecordDecl>())
      return RD;
    if (const auto *FD = N.get<FunctionDecl>())
      return FD;
  }
  return nullptr;
}

// What names an object (a Qt thread pool, a future): its variable or
// member, or the accessor that returns it (QThreadPool::globalInstance()).
const Decl *namedObject(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *UO = llvm::dyn_cast_or_null<UnaryOperator>(E);
      UO && UO->getOpcode() == UO_AddrOf)
    E = ignoreWrappers(UO->getSubExpr());
  if (const auto *DRE = llvm::dyn_cast_or_null<DeclRefExpr>(E))
    return DRE->getDecl();
  if (const auto *ME = llvm::dyn_cast_or_null<MemberExpr>(E))
    return ME->getMemberDecl();
  if (const auto *Call = llvm::dyn_cast_or_null<CallExpr>(E))
    return Call->getDirectCallee();
  return nullptr;
}

llvm::ArrayRef<const Expr *> argumentsOf(const Expr *E) {
  if (const auto *Call = llvm::dyn_cast_or_null<CallExpr>(E))
    return {Call->getArgs(), Call->getNumArgs()};
  if (const auto *CE = llvm::dyn_cast_or_null<CXXConstructExpr>(E))
    return {CE->getArgs(), CE->getNumArgs()};
  if (const auto *ILE = llvm::dyn_cast_or_null<InitListExpr>(E))
    return {ILE->getInits(), ILE->getNumInits()};
  return {};
}

} // namespace clang::tidy::defer_race
