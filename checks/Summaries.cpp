//===--- Summaries.cpp - Function summaries across translation units ------===//

#include "Summaries.h"
#include "Names.h"

#include "Compat.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/Index/USRGeneration.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MD5.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace clang::tidy::defer_race {

std::string usrOf(const Decl *D) {
  llvm::SmallString<128> Buf;
  if (!D || index::generateUSRForDecl(D, Buf))
    return {};
  return std::string(Buf);
}

std::optional<PortableWrite> portable(const ObjectRef &Object) {
  PortableWrite W;
  switch (Object.Kind) {
  case ObjectRef::Param:
    W.Root = "param";
    W.Index = Object.ParamIndex;
    break;
  case ObjectRef::This:
    W.Root = "this";
    break;
  case ObjectRef::Global:
    W.Root = "global";
    W.Global = qualifiedName(Object.Var);
    break;
  case ObjectRef::Local:
    return std::nullopt;
  }
  for (const FieldDecl *F : Object.Path)
    W.Path.push_back(F ? F->getNameAsString() : "*");
  return W;
}

namespace {

// What a pointer-like type points to: T* -> T, shared_ptr<T> -> T.
QualType pointeeOf(QualType T) {
  T = T.getNonReferenceType();
  if (T->isPointerType())
    return T->getPointeeType();
  if (const auto *Spec =
          llvm::dyn_cast_or_null<ClassTemplateSpecializationDecl>(
              T->getAsCXXRecordDecl()))
    if (Spec->getTemplateArgs().size() > 0 &&
        Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
      return Spec->getTemplateArgs()[0].getAsType();
  return {};
}

const FieldDecl *fieldNamed(const CXXRecordDecl *RD, llvm::StringRef Name) {
  if (RD)
    RD = RD->getDefinition();
  if (!RD)
    return nullptr;
  for (const FieldDecl *F : RD->fields())
    if (F->getName() == Name)
      return F;
  return nullptr;
}

// A global variable by qualified name, looked up from the translation unit.
const VarDecl *globalNamed(ASTContext &Ctx, llvm::StringRef Qualified) {
  llvm::SmallVector<llvm::StringRef, 4> Parts;
  Qualified.split(Parts, "::");
  const DeclContext *DC = Ctx.getTranslationUnitDecl();
  for (size_t I = 0; I < Parts.size(); ++I) {
    const NamedDecl *Found = nullptr;
    for (const NamedDecl *D : DC->lookup(&Ctx.Idents.get(Parts[I]))) {
      Found = D;
      break;
    }
    if (!Found)
      return nullptr;
    if (I + 1 == Parts.size())
      return llvm::dyn_cast<VarDecl>(Found);
    DC = llvm::dyn_cast<DeclContext>(Found);
    if (!DC)
      return nullptr;
  }
  return nullptr;
}

} // namespace

std::optional<ObjectRef> fromPortable(const PortableWrite &W,
                                      const FunctionDecl *Callee) {
  if (!Callee)
    return std::nullopt;
  ObjectRef R;
  QualType T;                          // the type of the current object...
  const CXXRecordDecl *This = nullptr; // ...or, for *this, its class
  if (W.Root == "param") {
    if (W.Index >= Callee->getNumParams())
      return std::nullopt;
    R.Kind = ObjectRef::Param;
    R.ParamIndex = W.Index;
    R.Var = Callee->getParamDecl(W.Index);
    T = R.Var->getType();
  } else if (W.Root == "this") {
    const auto *MD = llvm::dyn_cast<CXXMethodDecl>(Callee);
    if (!MD || !MD->isInstance())
      return std::nullopt;
    R.Kind = ObjectRef::This;
    This = MD->getParent();
  } else if (W.Root == "global") {
    const VarDecl *V = globalNamed(Callee->getASTContext(), W.Global);
    if (!V)
      return std::nullopt;
    R.Kind = ObjectRef::Global;
    R.Var = V;
    T = V->getType();
  } else {
    return std::nullopt;
  }
  for (const std::string &Step : W.Path) {
    if (Step == "*") {
      if (T.isNull())
        return std::nullopt;
      T = pointeeOf(T);
      if (T.isNull())
        return std::nullopt;
      R.Path.push_back(nullptr);
      continue;
    }
    const FieldDecl *F = fieldNamed(
        T.isNull() ? This : T.getNonReferenceType()->getAsCXXRecordDecl(),
        Step);
    if (!F)
      return std::nullopt;
    R.Path.push_back(F);
    T = F->getType();
    This = nullptr;
  }
  return R;
}

std::string SummaryStore::fileHash(llvm::StringRef Path) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path);
  if (!Buffer)
    return {};
  llvm::MD5 Hash;
  Hash.update((*Buffer)->getBuffer());
  llvm::MD5::MD5Result Result;
  Hash.final(Result);
  return std::string(Result.digest());
}

namespace {

llvm::json::Value toJson(const PortableWrite &W) {
  llvm::json::Array Path;
  for (const std::string &S : W.Path)
    Path.push_back(S);
  return llvm::json::Object{
      {"root", W.Root},     {"index", static_cast<int64_t>(W.Index)},
      {"global", W.Global}, {"path", std::move(Path)},
      {"locked", W.Locked}, {"written", W.Written},
      {"spawn", W.Spawn},   {"write", W.Write},
  };
}

llvm::json::Value toJson(const CallEdge &E) {
  llvm::json::Array Args;
  for (const ArgBinding &A : E.Args) {
    llvm::json::Object O{{"param", static_cast<int64_t>(A.Param)}};
    if (A.Object)
      O["object"] = toJson(*A.Object);
    if (A.Pointee)
      O["pointee"] = toJson(*A.Pointee);
    Args.push_back(std::move(O));
  }
  return llvm::json::Object{{"callee", E.Callee},
                            {"name", E.Name},
                            {"at", E.At},
                            {"args", std::move(Args)}};
}

std::optional<PortableWrite> writeFromJson(const llvm::json::Value &V);

std::optional<CallEdge> callFromJson(const llvm::json::Value &V) {
  const llvm::json::Object *O = V.getAsObject();
  if (!O)
    return std::nullopt;
  CallEdge E;
  if (auto S = O->getString("callee"))
    E.Callee = S->str();
  if (auto S = O->getString("name"))
    E.Name = S->str();
  if (auto S = O->getString("at"))
    E.At = S->str();
  if (const llvm::json::Array *Args = O->getArray("args"))
    for (const llvm::json::Value &A : *Args) {
      const llvm::json::Object *AO = A.getAsObject();
      if (!AO)
        continue;
      ArgBinding B;
      if (auto P = AO->getInteger("param"))
        B.Param = static_cast<int>(*P);
      if (const llvm::json::Value *Obj = AO->get("object"))
        B.Object = writeFromJson(*Obj);
      if (const llvm::json::Value *Ptr = AO->get("pointee"))
        B.Pointee = writeFromJson(*Ptr);
      E.Args.push_back(std::move(B));
    }
  if (E.Callee.empty())
    return std::nullopt;
  return E;
}

std::optional<PortableWrite> writeFromJson(const llvm::json::Value &V) {
  const llvm::json::Object *O = V.getAsObject();
  if (!O)
    return std::nullopt;
  PortableWrite W;
  auto Str = [&](llvm::StringRef Key, std::string &Out) {
    if (auto S = O->getString(Key))
      Out = S->str();
  };
  Str("root", W.Root);
  Str("global", W.Global);
  Str("written", W.Written);
  Str("spawn", W.Spawn);
  Str("write", W.Write);
  if (auto I = O->getInteger("index"))
    W.Index = static_cast<unsigned>(*I);
  if (auto L = O->getBoolean("locked"))
    W.Locked = *L;
  if (const llvm::json::Array *Path = O->getArray("path"))
    for (const llvm::json::Value &Step : *Path)
      if (auto S = Step.getAsString())
        W.Path.push_back(S->str());
  if (W.Root.empty())
    return std::nullopt;
  return W;
}

} // namespace

namespace {
// Removes the temporary file of a failed write; says so in Error when even
// that fails, so that the user knows what to clean up.
void removeTemporary(llvm::StringRef Temp, std::string &Error) {
  if (std::error_code EC = llvm::sys::fs::remove(Temp))
    Error += " (and cannot remove " + Temp.str() + ": " + EC.message() + ")";
}
} // namespace

bool SummaryStore::write(llvm::StringRef Dir, llvm::StringRef MainFile,
                         const std::vector<FunctionRecord> &Functions,
                         std::string &Error) {
  if (std::error_code EC = llvm::sys::fs::create_directories(Dir)) {
    Error = "cannot create " + Dir.str() + ": " + EC.message();
    return false;
  }
  llvm::json::Array Records;
  for (const FunctionRecord &F : Functions) {
    llvm::json::Array Leaves, Spawns, Calls;
    for (const PortableWrite &W : F.Leaves)
      Leaves.push_back(toJson(W));
    for (const PortableWrite &W : F.Spawns)
      Spawns.push_back(toJson(W));
    for (const CallEdge &E : F.Calls)
      Calls.push_back(toJson(E));
    llvm::json::Object Record{{"usr", F.USR},
                              {"name", F.Name},
                              {"file", F.File},
                              {"md5", F.Hash},
                              {"leaves", std::move(Leaves)},
                              {"spawns", std::move(Spawns)},
                              {"calls", std::move(Calls)}};
    if (F.RunsDetached) {
      const int64_t Param = F.RunsDetached.value_or(0);
      Record["runs_detached"] = llvm::json::Object{
          {"param", Param}, {"returns_handle", F.ReturnsHandle}};
    }
    Records.push_back(std::move(Record));
  }
  llvm::json::Value Document =
      llvm::json::Object{{"format", "defer-race-summaries"},
                         {"version", FormatVersion},
                         {"translation_unit", MainFile.str()},
                         {"functions", std::move(Records)}};

  // One file per translation unit, named after its path; written beside its
  // final name and renamed, so a reader sees the old file or the new one.
  llvm::MD5 Name;
  Name.update(MainFile);
  llvm::MD5::MD5Result Digest;
  Name.final(Digest);
  llvm::SmallString<256> Final(Dir);
  llvm::sys::path::append(Final, std::string(Digest.digest()) + ".json");
  llvm::SmallString<256> Temp;
  int FD = -1;
  llvm::SmallString<256> Model(Dir);
  llvm::sys::path::append(Model, ".tmp-%%%%%%%%.json");
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(Model, FD, Temp)) {
    Error = "cannot create a file in " + Dir.str() + ": " + EC.message();
    return false;
  }
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    llvm::json::OStream(OS, /*IndentSize=*/2).value(Document);
    OS << "\n";
    OS.flush();
    if (OS.has_error()) {
      Error = "cannot write " + Temp.str().str();
      OS.clear_error();
      removeTemporary(Temp, Error);
      return false;
    }
  }
  if (std::error_code EC = llvm::sys::fs::rename(Temp, Final)) {
    Error = "cannot rename " + Temp.str().str() + ": " + EC.message();
    removeTemporary(Temp, Error);
    return false;
  }
  return true;
}

std::shared_ptr<const SummaryStore> SummaryStore::load(llvm::StringRef Dir) {
  auto Store = std::make_shared<SummaryStore>();
  std::error_code EC;
  llvm::StringMap<std::string> Hashes; // file -> current MD5
  for (llvm::sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
       It.increment(EC)) {
    llvm::StringRef Path = It->path();
    llvm::StringRef Base = llvm::sys::path::filename(Path);
    if (!compat::endsWith(Base, ".json") || compat::startsWith(Base, ".tmp-"))
      continue;
    auto Buffer = llvm::MemoryBuffer::getFile(Path);
    if (!Buffer)
      continue;
    auto Parsed = llvm::json::parse((*Buffer)->getBuffer());
    if (!Parsed) {
      llvm::consumeError(Parsed.takeError());
      continue;
    }
    const llvm::json::Object *Doc = Parsed->getAsObject();
    if (!Doc)
      continue;
    auto Format = Doc->getString("format");
    auto Version = Doc->getInteger("version");
    if (!Format || *Format != "defer-race-summaries" || !Version ||
        *Version != FormatVersion)
      continue;
    const llvm::json::Array *Functions = Doc->getArray("functions");
    if (!Functions)
      continue;
    for (const llvm::json::Value &V : *Functions) {
      const llvm::json::Object *O = V.getAsObject();
      if (!O)
        continue;
      FunctionRecord F;
      if (auto S = O->getString("usr"))
        F.USR = S->str();
      if (auto S = O->getString("name"))
        F.Name = S->str();
      if (auto S = O->getString("file"))
        F.File = S->str();
      if (auto S = O->getString("md5"))
        F.Hash = S->str();
      if (F.USR.empty())
        continue;
      // A summary of a file that changed since is stale.
      auto Known = Hashes.find(F.File);
      if (Known == Hashes.end())
        Known = Hashes.insert({F.File, fileHash(F.File)}).first;
      if (Known->second.empty() || Known->second != F.Hash)
        continue;
      if (const llvm::json::Array *A = O->getArray("leaves"))
        for (const llvm::json::Value &W : *A)
          if (auto P = writeFromJson(W))
            F.Leaves.push_back(std::move(*P));
      if (const llvm::json::Array *A = O->getArray("spawns"))
        for (const llvm::json::Value &W : *A)
          if (auto P = writeFromJson(W))
            F.Spawns.push_back(std::move(*P));
      if (const llvm::json::Array *A = O->getArray("calls"))
        for (const llvm::json::Value &C : *A)
          if (auto E = callFromJson(C))
            F.Calls.push_back(std::move(*E));
      if (const llvm::json::Object *R = O->getObject("runs_detached"))
        if (auto Param = R->getInteger("param"); Param && *Param >= 0) {
          F.RunsDetached = static_cast<unsigned>(*Param);
          if (auto Handle = R->getBoolean("returns_handle"))
            F.ReturnsHandle = *Handle;
        }
      auto Slot = Store->Functions.try_emplace(F.USR, F);
      if (!Slot.second) {
        if (!Slot.first->second.RunsDetached) {
          Slot.first->second.RunsDetached = F.RunsDetached;
          Slot.first->second.ReturnsHandle = F.ReturnsHandle;
        }
        // Defined in several translation units (an inline function in a
        // header): keep everything any of them saw.
        for (PortableWrite &W : F.Leaves)
          Slot.first->second.Leaves.push_back(std::move(W));
        for (PortableWrite &W : F.Spawns)
          Slot.first->second.Spawns.push_back(std::move(W));
        for (CallEdge &E : F.Calls)
          Slot.first->second.Calls.push_back(std::move(E));
      }
    }
  }
  return Store;
}

const FunctionRecord *SummaryStore::find(llvm::StringRef USR) const {
  auto It = Functions.find(USR);
  return It == Functions.end() ? nullptr : &It->second;
}

const std::vector<PortableWrite> &
SummaryStore::leavesOf(llvm::StringRef USR) const {
  return composed(USR, /*Spawns=*/false, 0);
}

const std::vector<PortableWrite> &
SummaryStore::spawnsOf(llvm::StringRef USR) const {
  return composed(USR, /*Spawns=*/true, 0);
}

const std::vector<PortableWrite> &
SummaryStore::composed(llvm::StringRef USR, bool Spawns, unsigned Depth) const {
  static const std::vector<PortableWrite> None;
  llvm::StringMap<std::vector<PortableWrite>> &Memo =
      Spawns ? SpawnsOf : Leaves;
  auto Done = Memo.find(USR);
  if (Done != Memo.end())
    return Done->second;
  const FunctionRecord *F = find(USR);
  std::string Key = (Spawns ? "s:" : "l:") + USR.str();
  if (!F || Depth > 4 || InProgress.count(Key))
    return None; // unknown, too deep, or recursive: not cached
  InProgress[Key] = true;
  std::vector<PortableWrite> Out = Spawns ? F->Spawns : F->Leaves;
  // Through calls to other exported functions: map each of the callee's
  // writes on its parameters onto what this function passed.
  for (const CallEdge &E : F->Calls) {
    for (const PortableWrite &W : composed(E.Callee, Spawns, Depth + 1)) {
      PortableWrite Mapped = W;
      if (W.Root == "global") {
        Out.push_back(std::move(Mapped));
        continue;
      }
      int Param = W.Root == "this" ? -1 : static_cast<int>(W.Index);
      const ArgBinding *Arg = nullptr;
      for (const ArgBinding &A : E.Args)
        if (A.Param == Param)
          Arg = &A;
      if (!Arg)
        continue;
      // A path starting with a dereference goes through what the argument
      // points to; otherwise through the argument's object.
      bool ThroughPointee =
          !W.Path.empty() && W.Path.front() == "*" && W.Root == "param";
      const std::optional<PortableWrite> &Base =
          ThroughPointee ? Arg->Pointee : Arg->Object;
      if (!Base)
        continue;
      Mapped.Root = Base->Root;
      Mapped.Index = Base->Index;
      Mapped.Global = Base->Global;
      Mapped.Path = Base->Path;
      Mapped.Path.insert(Mapped.Path.end(),
                         W.Path.begin() + (ThroughPointee ? 1 : 0),
                         W.Path.end());
      Out.push_back(std::move(Mapped));
    }
  }
  InProgress.erase(Key);
  return Memo[USR] = std::move(Out);
}

} // namespace clang::tidy::defer_race
