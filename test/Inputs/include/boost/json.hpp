// Test header: the declarations of Boost.JSON (Boost 1.75+) that serializers
// use. Debian bookworm's default Boost is 1.74, without Boost.JSON. Written
// for the tests, not taken from Boost.
#pragma once
#include <string>

namespace boost {
namespace json {
class value {
public:
  value() = default;
  value(const std::string &) {}
};
template <class T> value value_from(T &&t);
std::string serialize(const value &v);
} // namespace json
} // namespace boost
