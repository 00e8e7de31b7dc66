//===--- Serializers.cpp - Is this call a serializer? ---------------------===//

#include "Serializers.h"

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
