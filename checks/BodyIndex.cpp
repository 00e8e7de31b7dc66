//===--- BodyIndex.cpp - One walk over a function body, many questions ---===//

#include "BodyIndex.h"

#include "Expressions.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {

//===----------------------------------------------------------------------===//
// The walk
//===----------------------------------------------------------------------===//

class BodyIndex::Builder : public RecursiveASTVisitor<Builder> {
public:
  explicit Builder(BodyIndex &Index) : Index(Index) {}

  bool TraverseLambdaExpr(LambdaExpr *L) {
    Index.Lambdas[L] = LambdaStack.empty() ? nullptr : LambdaStack.back();
    LambdaStack.push_back(L);
    bool Result = RecursiveASTVisitor::TraverseLambdaExpr(L);
    LambdaStack.pop_back();
    return Result;
  }
  bool TraverseCXXRecordDecl(CXXRecordDecl *RD) {
    ++RecordDepth;
    bool Result = RecursiveASTVisitor::TraverseCXXRecordDecl(RD);
    --RecordDepth;
    return Result;
  }

  bool VisitDeclStmt(DeclStmt *DS) {
    for (const Decl *D : DS->decls())
      if (const auto *V = llvm::dyn_cast<VarDecl>(D))
        Index.Decls.try_emplace(V, DS);
    return true;
  }

  bool VisitDeclRefExpr(DeclRefExpr *E) {
    Index.Uses[E->getDecl()].push_back(
        {E, LambdaStack.empty() ? nullptr : LambdaStack.back()});
    return true;
  }

  bool VisitCallExpr(CallExpr *Call) {
    const bool Direct = LambdaStack.empty() && RecordDepth == 0;
    llvm::SmallPtrSet<const Decl *, 4> Keys;
    auto Mention = [&](const Expr *E) {
      for (unsigned Steps = 0; E && Steps < 3; ++Steps) {
        E = ignoreWrappers(E);
        if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E)) {
          Keys.insert(DRE->getDecl());
          return;
        }
        if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E);
            UO && UO->getOpcode() == UO_AddrOf)
          E = UO->getSubExpr();
        else
          E = transparentCallArgument(E); // std::move(x), std::ref(x)
      }
    };
    if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call)) {
      Mention(MC->getImplicitObjectArgument());
      if (Direct)
        indexMemberCall(MC);
    }
    for (const Expr *Arg : Call->arguments())
      Mention(Arg);
    for (const Decl *D : Keys)
      Index.Calls[D].push_back({Call, Direct});
    return true;
  }

private:
  // d.get_future().wait() is a call on d: look through calls on the way.
  void indexMemberCall(const CXXMemberCallExpr *MC) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    if (!MD || !MD->getIdentifier())
      return;
    const Expr *Obj = MC->getImplicitObjectArgument();
    for (unsigned I = 0; I < 4 && Obj; ++I) {
      if (const Expr *Root = accessRoot(Obj)) {
        if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(Root))
          Index.MemberCalls[{DRE->getDecl(), MD->getName()}].push_back(MC);
        return;
      }
      const auto *Inner =
          llvm::dyn_cast<CXXMemberCallExpr>(ignoreWrappers(Obj));
      Obj = Inner ? Inner->getImplicitObjectArgument() : nullptr;
    }
  }

  BodyIndex &Index;
  llvm::SmallVector<const LambdaExpr *, 4> LambdaStack;
  unsigned RecordDepth = 0;
};

BodyIndex::BodyIndex(const Stmt *Body) : Body(Body) {
  if (Body)
    Builder(*this).TraverseStmt(const_cast<Stmt *>(Body));
}

//===----------------------------------------------------------------------===//
// Questions
//===----------------------------------------------------------------------===//

ParentMap &BodyIndex::parents() const {
  if (!Parents)
    Parents = std::make_unique<ParentMap>(const_cast<Stmt *>(Body));
  return *Parents;
}

const DeclStmt *BodyIndex::declStmtOf(const VarDecl *V) const {
  auto It = Decls.find(V);
  return It == Decls.end() ? nullptr : It->second;
}

SourceLocation BodyIndex::endOfScope(const VarDecl *V) const {
  const DeclStmt *DS = declStmtOf(V);
  const Stmt *P = DS ? parents().getParent(DS) : nullptr;
  if (!P)
    return {};
  if (const auto *CS = llvm::dyn_cast<CompoundStmt>(P))
    return CS->getRBracLoc();
  return P->getEndLoc(); // for, if, while, switch with a declaration
}

llvm::ArrayRef<BodyIndex::CallRef>
BodyIndex::callsMentioning(const Decl *D) const {
  auto It = Calls.find(D);
  if (It == Calls.end())
    return {};
  return It->second;
}

llvm::ArrayRef<const CXXMemberCallExpr *>
BodyIndex::memberCallsOn(const Decl *D, llvm::StringRef Method) const {
  auto It = MemberCalls.find({D, Method});
  if (It == MemberCalls.end())
    return {};
  return It->second;
}

llvm::ArrayRef<BodyIndex::Use> BodyIndex::usesOf(const Decl *D) const {
  auto It = Uses.find(D);
  if (It == Uses.end())
    return {};
  return It->second;
}

bool BodyIndex::contains(const LambdaExpr *L) const {
  return Lambdas.count(L) != 0;
}

const LambdaExpr *BodyIndex::enclosingLambda(const LambdaExpr *L) const {
  auto It = Lambdas.find(L);
  return It == Lambdas.end() ? nullptr : It->second;
}

bool BodyIndex::namesAnything(llvm::StringRef Name) const {
  if (!Names) {
    struct Collect : RecursiveASTVisitor<Collect> {
      llvm::StringSet<> &Out;
      explicit Collect(llvm::StringSet<> &Out) : Out(Out) {}
      bool VisitNamedDecl(NamedDecl *D) {
        if (D->getIdentifier())
          Out.insert(D->getName());
        return true;
      }
      bool VisitDeclRefExpr(DeclRefExpr *E) {
        if (E->getDecl()->getIdentifier())
          Out.insert(E->getDecl()->getName());
        return true;
      }
    };
    Names.emplace();
    Collect(*Names).TraverseStmt(const_cast<Stmt *>(Body));
  }
  return Names->count(Name) != 0;
}

std::optional<LockState> BodyIndex::lockBefore(const CompoundStmt *CS,
                                               const Stmt *Child) const {
  std::unique_ptr<BlockLocks> &Slot = Locks[CS];
  if (!Slot) {
    // One pass over the block: what is held before each of its statements.
    Slot = std::make_unique<BlockLocks>();
    llvm::SmallVector<LockState, 2> Held;
    for (const Stmt *S : CS->body()) {
      Slot->Position.try_emplace(S, Slot->Top.size());
      Slot->Top.push_back(Held.empty() ? LockState() : Held.back());
      if (S)
        scanForLocks(S, Held);
    }
  }
  auto It = Slot->Position.find(Child);
  if (It == Slot->Position.end())
    return std::nullopt;
  const LockState &Top = Slot->Top[It->second];
  if (!Top.Key)
    return std::nullopt;
  return Top;
}

//===----------------------------------------------------------------------===//
// The cache
//===----------------------------------------------------------------------===//

namespace {
thread_local BodyIndexCache *Active = nullptr;
} // namespace

const BodyIndex &BodyIndexCache::get(const Stmt *Body) {
  std::unique_ptr<BodyIndex> &Slot = Indexes[Body];
  if (!Slot)
    Slot = std::make_unique<BodyIndex>(Body);
  return *Slot;
}

BodyIndexCache::Scope::Scope(BodyIndexCache &C) : Previous(Active) {
  Active = &C;
}

BodyIndexCache::Scope::~Scope() { Active = Previous; }

const BodyIndex &bodyIndex(const Stmt *Body) {
  if (Active)
    return Active->get(Body);
  // No check is running (the checks always open a Scope): build one that
  // lives as long as the thread, so that no answer is ever stale or dangling.
  thread_local std::vector<std::unique_ptr<BodyIndex>> Unscoped;
  Unscoped.push_back(std::make_unique<BodyIndex>(Body));
  return *Unscoped.back();
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
