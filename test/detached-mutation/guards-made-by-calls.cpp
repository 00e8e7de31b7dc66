// Scope-exit guards made by a function of ours: the guard built there runs
// its callable (or its deleter) where the caller's variable dies.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <gsl/gsl>

#include <functional>
#include <memory>
#include <thread>
#include <utility>

template <class F> class ScopeExit {
public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(ScopeExit &&o) noexcept
      : f_(std::move(o.f_)), active_(std::exchange(o.active_, false)) {}
  ~ScopeExit() {
    if (active_)
      f_();
  }
  void dismiss() { active_ = false; }

private:
  F f_;
  bool active_ = true;
};

template <class F> ScopeExit<F> makeScopeExit(F f) {
  return ScopeExit<F>(std::move(f));
}

struct Ledger {
  long balance = 0;
  int audits = 0;
};

auto makeAuditGuard(Ledger &l) {
  return makeScopeExit([&l] {
    std::thread([&l] { l.audits += 1; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: thread detached in a scope-exit guard may still be writing 'l.audits' after 'applyDeposit' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&l] { l.audits += 1; }).join();{{$}}
  });
}

void applyDeposit(Ledger &l, long amount) {
  auto audit = makeAuditGuard(l);
  l.balance += amount;
}

auto makeQuietGuard(Ledger &l) {
  return makeScopeExit([&l] {
    std::thread([&l] { l.audits += 1; }).join();
  });
}

void applyQuietly(Ledger &l, long amount) {
  auto audit = makeQuietGuard(l);
  l.balance += amount;
}

auto makeDismissedGuard(Ledger &l) {
  return makeScopeExit([&l] {
    std::thread([&l] { l.audits += 1; }).detach();
  });
}

void applyAndDismiss(Ledger &l, long amount) {
  auto audit = makeDismissedGuard(l);
  l.balance += amount;
  audit.dismiss();
}

struct SendBuffer {
  int flushes = 0;
};

auto makeFlushGuard(SendBuffer &b) {
  return gsl::finally([&b] {
    std::thread([&b] { b.flushes += 1; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:43: warning: thread detached in a scope-exit guard may still be writing 'b.flushes' after 'writeFrame' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&b] { b.flushes += 1; }).join();{{$}}
  });
}

void writeFrame(SendBuffer &b) { auto flush = makeFlushGuard(b); }

// A smart pointer whose deleter starts the work, returned by a function.
struct Journal {
  int flushed = 0;
};

struct FlushOnRelease {
  void operator()(Journal *j) const {
    std::thread([j] { j->flushed = 1; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: thread detached in a scope-exit guard may still be writing 'j.flushed' after 'appendRecords' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([j] { j->flushed = 1; }).join();{{$}}
  }
};

using JournalHandle = std::unique_ptr<Journal, FlushOnRelease>;

JournalHandle openJournal(Journal &j) { return JournalHandle(&j); }

void appendRecords(Journal &j) { JournalHandle h = openJournal(j); }

struct CopyOnRelease {
  void operator()(Journal *j) const {
    std::thread([flushed = j->flushed]() mutable { ++flushed; }).detach();
  }
};

std::unique_ptr<Journal, CopyOnRelease> openCopy(Journal &j) {
  return std::unique_ptr<Journal, CopyOnRelease>(&j);
}

void appendCopy(Journal &j) { auto h = openCopy(j); }

void appendReleased(Journal &j) {
  JournalHandle h = openJournal(j);
  h.release();
}

// A guard holding a std::function, made by a member function.
class CommitGuard {
public:
  explicit CommitGuard(std::function<void()> onExit)
      : onExit_(std::move(onExit)) {}
  ~CommitGuard() {
    if (onExit_)
      onExit_();
  }

private:
  std::function<void()> onExit_;
};

struct SearchIndex {
  int commits = 0;
};

class IndexWriter {
public:
  explicit IndexWriter(SearchIndex &idx) : idx_(idx) {}
  CommitGuard beginBatch() {
    SearchIndex *idx = &idx_;
    return CommitGuard([idx] {
      std::thread([idx] { idx->commits += 1; }).detach();
      // CHECK-MESSAGES: :[[@LINE-1]]:49: warning: thread detached in a scope-exit guard may still be writing 'index.commits' after 'addDocuments' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      std::thread([idx] { idx->commits += 1; }).join();{{$}}
    });
  }

private:
  SearchIndex &idx_;
};

void addDocuments(SearchIndex &index) {
  IndexWriter writer(index);
  CommitGuard batch = writer.beginBatch();
}

// A unique_ptr whose deleter is a function pointer or a std::function that
// the factory fills in.
struct Registry {
  int released = 0;
};

void releaseAsync(Registry *r) {
  std::thread([r] { r->released += 1; }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: thread detached in a scope-exit guard may still be writing 'reg.released' after 'borrow' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  std::thread([r] { r->released += 1; }).join();{{$}}
}

void releaseAndWait(Registry *r) {
  std::thread([r] { r->released += 1; }).join();
}

using RegistryRef = std::unique_ptr<Registry, void (*)(Registry *)>;

RegistryRef acquire(Registry &reg) { return RegistryRef(&reg, &releaseAsync); }
RegistryRef acquireQuiet(Registry &reg) {
  return RegistryRef(&reg, &releaseAndWait);
}

int borrow(Registry &reg) {
  RegistryRef h = acquire(reg);
  return h->released;
}

int borrowQuietly(Registry &reg) {
  RegistryRef h = acquireQuiet(reg);
  return h->released;
}

int borrowAndRelease(Registry &reg) {
  RegistryRef h = acquire(reg);
  h.release();
  return 0;
}

using RegistryLease =
    std::unique_ptr<Registry, std::function<void(Registry *)>>;

RegistryLease lease(Registry &reg) {
  return RegistryLease(&reg, [](Registry *r) {
    std::thread([r] { r->released = 2; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:43: warning: thread detached in a scope-exit guard may still be writing 'reg.released' after 'useLease' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([r] { r->released = 2; }).join();{{$}}
  });
}

void useLease(Registry &reg) { RegistryLease l = lease(reg); }

RegistryLease leaseQuietly(Registry &reg) {
  return RegistryLease(&reg, [](Registry *r) {
    std::thread([copy = r->released]() mutable { ++copy; }).detach();
  });
}

void useQuietLease(Registry &reg) { RegistryLease l = leaseQuietly(reg); }
