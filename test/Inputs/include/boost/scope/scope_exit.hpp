// Test header: Boost.Scope's scope_exit (Boost 1.85+, not in Debian bookworm).
// Written for the tests, not taken from Boost.
#pragma once
#include <utility>

namespace boost {
namespace scope {

struct always_true {
  bool operator()() const noexcept { return true; }
};

template <typename Func, typename Cond = always_true> class scope_exit {
public:
  template <typename F>
  explicit scope_exit(F &&func, bool active = true)
      : m_func(std::forward<F>(func)), m_active(active) {}
  scope_exit(scope_exit &&that) noexcept
      : m_func(std::move(that.m_func)), m_active(that.m_active) {
    that.m_active = false;
  }
  scope_exit(const scope_exit &) = delete;
  ~scope_exit() {
    if (m_active && m_cond())
      m_func();
  }
  bool active() const noexcept { return m_active; }
  void set_active(bool active) noexcept { m_active = active; }
  void release() noexcept { m_active = false; }

private:
  Func m_func;
  Cond m_cond;
  bool m_active;
};

template <typename Func> scope_exit(Func) -> scope_exit<Func>;
template <typename Func> scope_exit(Func, bool) -> scope_exit<Func>;

template <typename F> scope_exit<F> make_scope_exit(F &&func) {
  return scope_exit<F>(std::forward<F>(func));
}

} // namespace scope
} // namespace boost
