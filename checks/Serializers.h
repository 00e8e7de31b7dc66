//===--- Serializers.h - Is this call a serializer, and what does it read? ===//
//
// Recognises calls that turn objects into bytes: nlohmann::json (construction
// from an object, to_json, dump, operator<<), RapidJSON writers and Accept,
// protobuf Serialize*/ByteSizeLong/MessageToJsonString, jsoncpp writers,
// cereal and Boost.Serialization archives, boost::json serialize/value_from,
// and names added with the SerializerFunctions option.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_SERIALIZERS_H
#define DEFER_RACE_CHECKS_SERIALIZERS_H

#include "Names.h"

#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::defer_race {

/// A call that serializes, and the expressions whose objects it reads.
struct SerializerCall {
  const Expr *Call = nullptr;
  llvm::SmallVector<const Expr *, 4> Inputs;
  std::string Name; ///< e.g. "nlohmann::basic_json::dump"
  /// Where to point: the method name for member calls, else the start.
  SourceLocation loc() const;
};

class SerializerRecogniser {
public:
  explicit SerializerRecogniser(std::vector<std::string> Extra = {});

  static const std::vector<std::string> &builtinNames();

  /// If E calls a serializer, the call and what it reads.
  std::optional<SerializerCall> serializerAt(const Expr *E) const;

private:
  bool matchesOrOverrides(const FunctionDecl *F) const;

  NameList Names;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_SERIALIZERS_H
