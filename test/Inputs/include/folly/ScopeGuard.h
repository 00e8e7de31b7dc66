// Test header: folly's ScopeGuard, reduced to what scope-exit guards need.
// Not folly's code; written to expand the way folly's macros do.
#pragma once
#include <exception>
#include <type_traits>
#include <utility>

#define FOLLY_TEST_CONCAT_IMPL(a, b) a##b
#define FOLLY_TEST_CONCAT(a, b) FOLLY_TEST_CONCAT_IMPL(a, b)
#define FB_ANONYMOUS_VARIABLE(name) FOLLY_TEST_CONCAT(name, __COUNTER__)

namespace folly {
namespace detail {

class ScopeGuardImplBase {
public:
  void dismiss() noexcept { dismissed_ = true; }

protected:
  ScopeGuardImplBase() noexcept = default;
  bool dismissed_ = false;
};

template <typename FunctionType, bool InvokeNoexcept>
class ScopeGuardImpl : public ScopeGuardImplBase {
public:
  explicit ScopeGuardImpl(FunctionType &&fn) noexcept
      : function_(std::move(fn)) {}
  explicit ScopeGuardImpl(const FunctionType &fn) : function_(fn) {}
  ScopeGuardImpl(ScopeGuardImpl &&other) noexcept
      : function_(std::move(other.function_)) {
    dismissed_ = std::exchange(other.dismissed_, true);
  }
  ~ScopeGuardImpl() noexcept(InvokeNoexcept) {
    if (!dismissed_)
      execute();
  }

private:
  void execute() noexcept(InvokeNoexcept) { function_(); }
  FunctionType function_;
};

template <typename FunctionType, bool ExecuteOnException>
class ScopeGuardForNewException {
public:
  explicit ScopeGuardForNewException(FunctionType &&fn)
      : function_(std::move(fn)) {}
  ScopeGuardForNewException(ScopeGuardForNewException &&other)
      : function_(std::move(other.function_)),
        exceptions_(other.exceptions_) {}
  ~ScopeGuardForNewException() noexcept(ExecuteOnException) {
    if (ExecuteOnException == (std::uncaught_exceptions() > exceptions_))
      function_();
  }

private:
  FunctionType function_;
  int exceptions_ = std::uncaught_exceptions();
};

enum class ScopeGuardOnExit {};
enum class ScopeGuardOnFail {};
enum class ScopeGuardOnSuccess {};

template <typename FunctionType>
ScopeGuardImpl<typename std::decay<FunctionType>::type, true>
operator+(ScopeGuardOnExit, FunctionType &&fn) {
  return ScopeGuardImpl<typename std::decay<FunctionType>::type, true>(
      std::forward<FunctionType>(fn));
}

template <typename FunctionType>
ScopeGuardForNewException<typename std::decay<FunctionType>::type, true>
operator+(ScopeGuardOnFail, FunctionType &&fn) {
  return ScopeGuardForNewException<typename std::decay<FunctionType>::type,
                                   true>(std::forward<FunctionType>(fn));
}

template <typename FunctionType>
ScopeGuardForNewException<typename std::decay<FunctionType>::type, false>
operator+(ScopeGuardOnSuccess, FunctionType &&fn) {
  return ScopeGuardForNewException<typename std::decay<FunctionType>::type,
                                   false>(std::forward<FunctionType>(fn));
}

} // namespace detail

template <typename F>
detail::ScopeGuardImpl<typename std::decay<F>::type, true> makeGuard(F &&fn) {
  return detail::ScopeGuardImpl<typename std::decay<F>::type, true>(
      std::forward<F>(fn));
}

} // namespace folly

#define SCOPE_EXIT                                                             \
  auto FB_ANONYMOUS_VARIABLE(SCOPE_EXIT_STATE) =                               \
      ::folly::detail::ScopeGuardOnExit() + [&]() noexcept
#define SCOPE_FAIL                                                             \
  auto FB_ANONYMOUS_VARIABLE(SCOPE_FAIL_STATE) =                               \
      ::folly::detail::ScopeGuardOnFail() + [&]() noexcept
#define SCOPE_SUCCESS                                                          \
  auto FB_ANONYMOUS_VARIABLE(SCOPE_SUCCESS_STATE) =                            \
      ::folly::detail::ScopeGuardOnSuccess() + [&]()
