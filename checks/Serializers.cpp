//===--- Serializers.cpp - Is this call a serializer? ---------------------===//

#include "Serializers.h"
#include "Compat.h"
#include "Expressions.h"
#include "Locks.h"
#include "SharedObjects.h"
#include "Vocabulary.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/ParentMap.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <functional>

#include "clang/AST/DeclCXX.h"

namespace clang::tidy::defer_race {

const std::vector<std::string> &SerializerRecogniser::builtinNames() {
  static const std::vector<std::string> Names = {
      // nlohmann::json
      "::nlohmann::basic_json::basic_json",
      "::nlohmann::basic_json::dump",
      "::nlohmann::operator<<",
      "::nlohmann::adl_serializer::to_json",
      "to_json",
      // RapidJSON
      "::rapidjson::Writer::String",
      "::rapidjson::Writer::Key",
      "::rapidjson::Writer::RawValue",
      "::rapidjson::Writer::Int",
      "::rapidjson::Writer::Uint",
      "::rapidjson::Writer::Int64",
      "::rapidjson::Writer::Uint64",
      "::rapidjson::Writer::Double",
      "::rapidjson::Writer::Bool",
      "::rapidjson::PrettyWriter::String",
      "::rapidjson::PrettyWriter::Key",
      "::rapidjson::PrettyWriter::RawValue",
      "::rapidjson::PrettyWriter::Int",
      "::rapidjson::PrettyWriter::Uint",
      "::rapidjson::PrettyWriter::Int64",
      "::rapidjson::PrettyWriter::Uint64",
      "::rapidjson::PrettyWriter::Double",
      "::rapidjson::PrettyWriter::Bool",
      "::rapidjson::GenericValue::Accept",
      "::rapidjson::GenericDocument::Accept",
      // protobuf
      "::google::protobuf::MessageLite::SerializeToString",
      "::google::protobuf::MessageLite::SerializeAsString",
      "::google::protobuf::MessageLite::SerializeToArray",
      "::google::protobuf::MessageLite::SerializeToCodedStream",
      "::google::protobuf::MessageLite::SerializeToOstream",
      "::google::protobuf::MessageLite::SerializePartialToString",
      "::google::protobuf::MessageLite::SerializePartialAsString",
      "::google::protobuf::MessageLite::SerializePartialToArray",
      "::google::protobuf::MessageLite::SerializePartialToCodedStream",
      "::google::protobuf::MessageLite::SerializePartialToOstream",
      "::google::protobuf::MessageLite::SerializeToZeroCopyStream",
      "::google::protobuf::MessageLite::SerializePartialToZeroCopyStream",
      "::google::protobuf::MessageLite::SerializeToFileDescriptor",
      "::google::protobuf::MessageLite::SerializePartialToFileDescriptor",
      "::google::protobuf::MessageLite::AppendToString",
      "::google::protobuf::MessageLite::AppendPartialToString",
      "::google::protobuf::MessageLite::ByteSizeLong",
      "::google::protobuf::Message::SerializeToOstream",
      "::google::protobuf::Message::SerializePartialToOstream",
      "::google::protobuf::Message::DebugString",
      "::google::protobuf::Message::ShortDebugString",
      "::google::protobuf::Message::Utf8DebugString",
      "::google::protobuf::util::MessageToJsonString",
      "::google::protobuf::TextFormat::PrintToString",
      // jsoncpp
      "::Json::writeString",
      "::Json::StreamWriter::write",
      "::Json::BuiltStyledStreamWriter::write",
      "::Json::FastWriter::write",
      "::Json::StyledWriter::write",
      "::Json::StyledStreamWriter::write",
      "::Json::Value::toStyledString",
      "::Json::operator<<",
      // cereal
      "::cereal::OutputArchive::operator()",
      "::cereal::OutputArchive::operator<<",
      "::cereal::OutputArchive::operator&",
      // Boost.Serialization
      "::boost::archive::detail::interface_oarchive::operator<<",
      "::boost::archive::detail::interface_oarchive::operator&",
      // boost::json
      "::boost::json::serialize",
      "::boost::json::value_from",
  };
  return Names;
}

SerializerRecogniser::SerializerRecogniser(std::vector<std::string> Extra) {
  std::vector<std::string> All = builtinNames();
  All.insert(All.end(), Extra.begin(), Extra.end());
  Names = NameList(std::move(All));
}

bool SerializerRecogniser::matchesOrOverrides(const FunctionDecl *F) const {
  if (Names.matches(F))
    return true;
  // Struct::ByteSizeLong overrides MessageLite::ByteSizeLong.
  if (const auto *MD = llvm::dyn_cast<CXXMethodDecl>(F))
    for (const CXXMethodDecl *Base : MD->overridden_methods())
      if (matchesOrOverrides(Base))
        return true;
  return false;
}

SourceLocation SerializerCall::loc() const {
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call))
    return MC->getExprLoc();
  if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call))
    return OC->getOperatorLoc();
  return Call->getBeginLoc();
}

std::optional<SerializerCall>
SerializerRecogniser::serializerAt(const Expr *E) const {
  return serializerAt(E, 0);
}

std::optional<SerializerCall>
SerializerRecogniser::serializerAt(const Expr *E, unsigned Depth) const {
  if (std::optional<SerializerCall> S = libraryCall(E))
    return S;
  const auto *Call = llvm::dyn_cast_or_null<CallExpr>(E);
  if (!Call || Depth >= bounds::SerializerWrappers)
    return std::nullopt;
  const FunctionDecl *Target = knownTarget(Call);
  if (!Target)
    return std::nullopt;
  const std::vector<SerializedInput> &Inputs = serializedBy(Target, Depth);
  if (Inputs.empty())
    return std::nullopt;
  SerializerCall S;
  S.Call = Call;
  S.Wrapper = Target;
  S.Name = qualifiedName(Target);
  // Arguments after the object of a member or operator call.
  unsigned First = 0;
  const Expr *Object = nullptr;
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call))
    Object = MC->getImplicitObjectArgument();
  else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call);
           OC && llvm::isa<CXXMethodDecl>(Target) && OC->getNumArgs() > 0) {
    Object = OC->getArg(0);
    First = 1;
  }
  for (const SerializedInput &In : Inputs) {
    const Expr *Arg = nullptr;
    if (In.This)
      Arg = Object;
    else if (First + In.Index < Call->getNumArgs())
      Arg = Call->getArg(First + In.Index);
    if (!Arg)
      continue;
    S.Inputs.push_back(Arg);
    S.InputPaths.push_back(In.Path);
  }
  if (S.Inputs.empty())
    return std::nullopt;
  return S;
}

const FunctionDecl *
SerializerRecogniser::knownTarget(const CallExpr *Call) const {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee)
    return nullptr;
  const SourceManager &SM = Callee->getASTContext().getSourceManager();
  const auto *MD = llvm::dyn_cast<CXXMethodDecl>(Callee);
  if (!MD || !MD->isVirtual() || !llvm::isa<CXXMemberCallExpr>(Call)) {
    const FunctionDecl *Def = definitionOf(Callee);
    if (!Def && Callee->getTemplateInstantiationPattern())
      Def = definitionOf(Callee);
    return Def && !inSystemHeader(Def, SM) ? Def : nullptr;
  }
  // A virtual call: the method itself when nothing can override it, else
  // the only overrider in the translation unit when the method is pure.
  if (MD->hasAttr<FinalAttr>() || MD->getParent()->hasAttr<FinalAttr>()) {
    const FunctionDecl *Def = definitionOf(MD);
    return Def && !inSystemHeader(Def, SM) ? Def : nullptr;
  }
  if (!OverridersBuilt) {
    OverridersBuilt = true;
    // Every method of the translation unit that overrides another.
    llvm::SmallVector<const DeclContext *, 16> Work{
        MD->getASTContext().getTranslationUnitDecl()};
    for (unsigned Seen = 0; !Work.empty() && Seen < bounds::WalkNodes; ++Seen) {
      const DeclContext *DC = Work.pop_back_val();
      for (const Decl *D : DC->decls()) {
        if (const auto *M = llvm::dyn_cast<CXXMethodDecl>(D))
          for (const CXXMethodDecl *Base : M->overridden_methods())
            Overriders[Base->getCanonicalDecl()].push_back(M);
        if (const auto *Inner = llvm::dyn_cast<DeclContext>(D);
            Inner &&
            (llvm::isa<NamespaceDecl>(D) || llvm::isa<CXXRecordDecl>(D) ||
             llvm::isa<LinkageSpecDecl>(D)))
          if (!inSystemHeader(D, SM))
            Work.push_back(Inner);
      }
    }
  }
  auto It = Overriders.find(MD->getCanonicalDecl());
  if (!compat::isPureVirtual(MD) || It == Overriders.end() ||
      It->second.size() != 1)
    return nullptr;
  const FunctionDecl *Def = definitionOf(It->second.front());
  return Def && !inSystemHeader(Def, SM) ? Def : nullptr;
}

const std::vector<SerializerRecogniser::SerializedInput> &
SerializerRecogniser::serializedBy(const FunctionDecl *F,
                                   unsigned Depth) const {
  std::unique_ptr<std::vector<SerializedInput>> &Entry = Wrappers[F];
  if (Entry)
    return *Entry;
  // Empty while we look, so that recursion ends. The looks below add
  // entries and may move the map's slots: keep the vector, not the slot.
  Entry = std::make_unique<std::vector<SerializedInput>>();
  std::vector<SerializedInput> *Slot = Entry.get();
  const Stmt *Body = F->getBody();
  if (!Body)
    return *Slot;
  // The serializer calls first: most functions have none, and need nothing
  // more.
  llvm::SmallVector<SerializerCall, 2> Calls;
  forEachStmt(Body, bounds::WalkNodes, [&](const Stmt *S) {
    const auto *E = llvm::dyn_cast<Expr>(S);
    if (E && (llvm::isa<CallExpr>(E) || llvm::isa<CXXConstructExpr>(E)))
      if (std::optional<SerializerCall> Inner = serializerAt(E, Depth + 1))
        Calls.push_back(std::move(*Inner));
    return false;
  });
  if (Calls.empty())
    return *Slot;
  // A serializer call made under a lock may be ordered against the writer
  // by that lock; the caller cannot compare mutexes it does not see, so the
  // function is not a serializer for it (stay silent when unsure).
  {
    ParentMap Parents(const_cast<Stmt *>(Body));
    LockIndex Locks(Body, Parents);
    const Frame LockFrame = Frame::root(F);
    ObjectResolver R;
    llvm::erase_if(Calls, [&](const SerializerCall &C) {
      return Locks.heldAt(C.Call, LockFrame, R).has_value();
    });
    if (Calls.empty())
      return *Slot;
  }
  std::vector<SerializedInput> Found;
  const Frame Root = Frame::root(F);
  ObjectResolver Resolver;
  // What flows into each local: `root["n"] = m.n`, `for (int l : m.v)`.
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<const Expr *, 2>> Sources;
  forEachDerivation(Body, [&](const VarDecl *V, const Expr *Source,
                              const Stmt *) { Sources[V].push_back(Source); });
  llvm::SmallPtrSet<const VarDecl *, 8> Followed;
  // The parameters (and *this) that E reads, directly or through locals.
  std::function<void(const Expr *, unsigned, llvm::ArrayRef<const FieldDecl *>)>
      ReadsOf = [&](const Expr *E, unsigned Steps,
                    llvm::ArrayRef<const FieldDecl *> Suffix) {
        Leaves L = collectLeaves(E);
        if (L.Refs.empty())
          return;
        ParentMap PM(const_cast<Expr *>(E));
        for (const Expr *Leaf : L.Refs) {
          const Expr *Access = accessTop(Leaf, PM);
          std::optional<ObjectRef> Obj = isPointerLike(Access->getType())
                                             ? Resolver.pointee(Access, Root)
                                             : Resolver.object(Access, Root);
          if (Obj &&
              (Obj->Kind == ObjectRef::Param || Obj->Kind == ObjectRef::This)) {
            SerializedInput In;
            In.This = Obj->Kind == ObjectRef::This;
            In.Index = Obj->ParamIndex;
            // The fields below the parameter's referent or pointee, and those
            // that an inner function of ours reads below the argument.
            In.Path.assign(Obj->Path.begin(), Obj->Path.end());
            if (!In.Path.empty() && !In.Path.front())
              In.Path.erase(In.Path.begin());
            if (ignoreWrappers(Access) == ignoreWrappers(E))
              In.Path.append(Suffix.begin(), Suffix.end());
            Found.push_back(std::move(In));
            continue;
          }
          const auto *DRE = llvm::dyn_cast<DeclRefExpr>(Leaf);
          const auto *V =
              DRE ? llvm::dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
          if (!V || Steps >= bounds::Derivations || !Followed.insert(V).second)
            continue;
          auto It = Sources.find(V);
          if (It != Sources.end())
            for (const Expr *Source : It->second)
              ReadsOf(Source, Steps + 1, {});
        }
      };
  for (const SerializerCall &Inner : Calls)
    for (unsigned I = 0; I < Inner.Inputs.size(); ++I)
      ReadsOf(Inner.Inputs[I], 0,
              I < Inner.InputPaths.size()
                  ? llvm::ArrayRef<const FieldDecl *>(Inner.InputPaths[I])
                  : llvm::ArrayRef<const FieldDecl *>());
  *Slot = std::move(Found);
  return *Slot;
}

std::optional<SerializerCall>
SerializerRecogniser::libraryCall(const Expr *E) const {
  SerializerCall S;
  S.Call = E;
  if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(E)) {
    const CXXConstructorDecl *Ctor = CE->getConstructor();
    // Copies and moves of a json value serialize nothing.
    if (!Ctor || Ctor->isCopyOrMoveConstructor() || CE->getNumArgs() == 0 ||
        !Names.matches(Ctor))
      return std::nullopt;
    S.Inputs.append(CE->arg_begin(), CE->arg_end());
    S.Name = qualifiedName(Ctor->getParent());
    return S;
  }
  const auto *Call = llvm::dyn_cast<CallExpr>(E);
  if (!Call)
    return std::nullopt;
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || !matchesOrOverrides(Callee))
    return std::nullopt;
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call))
    S.Inputs.push_back(MC->getImplicitObjectArgument());
  S.Inputs.append(Call->arg_begin(), Call->arg_end());
  S.Name = qualifiedName(Callee);
  return S;
}

} // namespace clang::tidy::defer_race
