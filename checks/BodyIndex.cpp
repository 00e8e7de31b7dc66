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

const DeclStmt *BodyIndex::declStmtOf(const VarDecl *V) const {
  auto It = Decls.find(V);
  return It == Decls.end() ? nullptr : It->second;
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

} // namespace clang::tidy::defer_race
