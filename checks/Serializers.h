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
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::defer_race {

/// A call that serializes, and the expressions whose objects it reads.
struct SerializerCall {
  const Expr *Call = nullptr;
  llvm::SmallVector<const Expr *, 4> Inputs;
  /// For a function of ours that serializes its parameters: the fields of
  /// each input it reads (parallel to Inputs; an empty path is the whole
  /// object). Empty for library serializers.
  llvm::SmallVector<llvm::SmallVector<const FieldDecl *, 2>, 4> InputPaths;
  /// That function, when the call is to one of ours.
  const FunctionDecl *Wrapper = nullptr;
  std::string Name; ///< e.g. "nlohmann::basic_json::dump"
  /// Where to point: the method name for member calls, else the start.
  SourceLocation loc() const;
};

class SerializerRecogniser {
public:
  explicit SerializerRecogniser(std::vector<std::string> Extra = {});

  static const std::vector<std::string> &builtinNames();

  /// If E calls a serializer, the call and what it reads: a library
  /// serializer, or a function of ours (in this translation unit, a few
  /// calls deep) that hands its parameters or *this to one. A virtual call
  /// counts when its target is known: a final class or method, or the only
  /// overrider in the translation unit.
  std::optional<SerializerCall> serializerAt(const Expr *E) const;

private:
  /// What a function of ours serializes: parameter Index (or *this), at
  /// Path below it.
  struct SerializedInput {
    bool This = false;
    unsigned Index = 0;
    llvm::SmallVector<const FieldDecl *, 2> Path;
  };
  std::optional<SerializerCall> libraryCall(const Expr *E) const;
  std::optional<SerializerCall> serializerAt(const Expr *E,
                                             unsigned Depth) const;
  const std::vector<SerializedInput> &serializedBy(const FunctionDecl *F,
                                                   unsigned Depth) const;
  const FunctionDecl *knownTarget(const CallExpr *Call) const;
  bool matchesOrOverrides(const FunctionDecl *F) const;

  NameList Names;
  mutable llvm::DenseMap<const FunctionDecl *,
                         std::unique_ptr<std::vector<SerializedInput>>>
      Wrappers;
  /// Overriders of each virtual method of the translation unit, built on
  /// first use.
  mutable llvm::DenseMap<const CXXMethodDecl *,
                         llvm::SmallVector<const CXXMethodDecl *, 1>>
      Overriders;
  mutable bool OverridersBuilt = false;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_SERIALIZERS_H
