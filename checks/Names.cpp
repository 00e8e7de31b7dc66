//===--- Names.cpp - Matching declarations against name lists -------------===//

#include "Names.h"
#include "Compat.h"

#include "clang/AST/DeclCXX.h"
#include "llvm/ADT/SmallVector.h"

namespace clang::tidy::defer_race {

std::string qualifiedName(const NamedDecl *D) {
  if (!D)
    return {};
  llvm::SmallVector<llvm::StringRef, 4> Parts;
  std::string Leaf;
  if (const auto *Ctor = llvm::dyn_cast<CXXConstructorDecl>(D))
    Leaf = Ctor->getParent()->getNameAsString();
  else if (const IdentifierInfo *II = D->getIdentifier())
    Leaf = II->getName().str();
  else
    Leaf = D->getDeclName().getAsString(); // operator<<, operator()
  Parts.push_back(Leaf);
  for (const DeclContext *DC = D->getDeclContext(); DC; DC = DC->getParent()) {
    if (const auto *NS = llvm::dyn_cast<NamespaceDecl>(DC)) {
      if (NS->isInline())
        continue;
      if (NS->isAnonymousNamespace())
        continue;
      Parts.push_back(NS->getName());
    } else if (const auto *RD = llvm::dyn_cast<RecordDecl>(DC)) {
      if (const IdentifierInfo *II = RD->getIdentifier())
        Parts.push_back(II->getName());
    } else if (llvm::isa<FunctionDecl>(DC)) {
      // Local classes: qualify by the class name only, as written.
      break;
    }
  }
  std::string Out;
  for (auto It = Parts.rbegin(); It != Parts.rend(); ++It) {
    if (!Out.empty())
      Out += "::";
    Out += It->str();
  }
  return Out;
}

std::vector<std::string> splitList(llvm::StringRef Value) {
  return compat::parseStringList(Value);
}

std::string joinList(const std::vector<std::string> &Names) {
  return compat::serializeStringList(Names);
}

NameList::NameList(std::vector<std::string> Names) : Names(std::move(Names)) {}

bool NameList::matchesName(llvm::StringRef Qualified) const {
  for (llvm::StringRef Pattern : Names) {
    if (compat::startsWith(Pattern, "::")) {
      if (Qualified == Pattern.drop_front(2))
        return true;
      continue;
    }
    if (Qualified == Pattern)
      return true;
    if (Qualified.size() > Pattern.size() + 2 &&
        compat::endsWith(Qualified, Pattern) &&
        Qualified.drop_back(Pattern.size()).take_back(2) == "::")
      return true;
  }
  return false;
}

bool NameList::matches(const NamedDecl *D) const {
  if (!D || Names.empty())
    return false;
  D = llvm::cast<NamedDecl>(D->getCanonicalDecl());
  auto It = Cache.find(D);
  if (It != Cache.end())
    return It->second;
  bool Result = matchesName(qualifiedName(D));
  Cache[D] = Result;
  return Result;
}

} // namespace clang::tidy::defer_race
