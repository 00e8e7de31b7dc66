// Test header: Boost.Scope's defer_guard and BOOST_SCOPE_DEFER (Boost 1.85+,
// not in Debian bookworm). Written for the tests, not taken from Boost.
#pragma once
#include <utility>

namespace boost {
namespace scope {

template <typename Func> class defer_guard {
public:
  template <typename F>
  defer_guard(F &&func) : m_func(std::forward<F>(func)) {}
  defer_guard(const defer_guard &) = delete;
  defer_guard &operator=(const defer_guard &) = delete;
  ~defer_guard() { m_func(); }

private:
  Func m_func;
};

template <typename Func> defer_guard(Func) -> defer_guard<Func>;

} // namespace scope
} // namespace boost

#define BOOST_SCOPE_TEST_JOIN_IMPL(a, b) a##b
#define BOOST_SCOPE_TEST_JOIN(a, b) BOOST_SCOPE_TEST_JOIN_IMPL(a, b)
#define BOOST_SCOPE_DEFER                                                      \
  boost::scope::defer_guard BOOST_SCOPE_TEST_JOIN(_boost_scope_defer_guard_,   \
                                                  __LINE__) =
