// Locks order a detached write with the caller's reads: a write made while
// the thread holds a lock, wherever on the path it took it, is silent; a
// write under a reader lock is not protected. Each safe function has a racy
// twin.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <boost/thread/shared_mutex.hpp>
#include <gsl/gsl>

#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

struct Account {
  std::mutex mu;
  std::mutex audit;
  std::shared_mutex rw;
  boost::shared_mutex brw;
  long cents = 0;
  std::string owner;
};

// The lock is taken in the thread's lambda; the write is in a helper.
void credit(Account &a, long n) { a.cents += n; }

void lockInCallerOfHelper(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      std::lock_guard<std::mutex> lock(a.mu);
      credit(a, 5);
    }).detach();
  });
}

void noLockAroundHelper(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] { credit(a, 5); }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:41: warning: thread detached in a scope-exit guard may still be writing 'a.cents' after 'noLockAroundHelper' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&a] { credit(a, 5); }).join();{{$}}
  });
}

// A lock object returned by a helper.
std::unique_lock<std::mutex> lockIt(Account &a) {
  return std::unique_lock<std::mutex>(a.mu);
}

void lockFromHelper(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      auto lock = lockIt(a);
      a.cents = 1;
    }).detach();
  });
}

void lockReleasedBeforeWrite(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      auto lock = lockIt(a);
      lock.unlock();
      a.cents = 1;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'a.cents' after 'lockReleasedBeforeWrite' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

// A lock in an if or switch initializer.
void lockInIfInit(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      if (std::lock_guard<std::mutex> lock(a.mu); a.cents == 0)
        a.cents = 1;
    }).detach();
  });
}

void lockInSwitchInit(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      switch (std::lock_guard<std::mutex> lock(a.mu); a.cents) {
      case 0:
        a.cents = 1;
        break;
      default:
        break;
      }
    }).detach();
  });
}

void writeBesideIfInit(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      if (std::lock_guard<std::mutex> lock(a.mu); a.cents == 0) {
      }
      a.cents = 1;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'a.cents' after 'writeBesideIfInit' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

// Several mutexes at once.
void stdLock(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      std::lock(a.mu, a.audit);
      std::lock_guard<std::mutex> l1(a.mu, std::adopt_lock);
      std::lock_guard<std::mutex> l2(a.audit, std::adopt_lock);
      a.cents = 1;
    }).detach();
  });
}

void stdLockThenUnlock(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      std::lock(a.mu, a.audit);
      a.cents = 1;
      a.mu.unlock();
      a.audit.unlock();
    }).detach();
  });
}

void scopedLockOverTwo(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      std::scoped_lock lock(a.mu, a.audit);
      a.cents = 1;
    }).detach();
  });
}

// try_lock() until it succeeds, then unlock().
void tryLockLoop(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      while (!a.mu.try_lock())
        std::this_thread::yield();
      a.cents = 1;
      a.mu.unlock();
    }).detach();
  });
}

void tryLockOrGiveUp(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      if (!a.mu.try_lock())
        return;
      a.cents = 1;
      a.mu.unlock();
    }).detach();
  });
}

void tryLockIgnored(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      (void)a.mu.try_lock();
      a.cents = 1;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'a.cents' after 'tryLockIgnored' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

// A home-made RAII lock, recognised by its lock() and unlock().
class Hold {
public:
  explicit Hold(std::mutex &m) : m_(m) { m_.lock(); }
  ~Hold() { m_.unlock(); }

private:
  std::mutex &m_;
};

// Not a lock: it never unlocks.
class Peek {
public:
  explicit Peek(std::mutex &m) : m_(m) {}

private:
  std::mutex &m_;
};

void homeMadeLock(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      Hold h(a.mu);
      a.cents = 1;
    }).detach();
  });
}

void notALock(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      Peek p(a.mu);
      a.cents = 1;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'a.cents' after 'notALock' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

// Reader locks do not order writes.
void writeUnderSharedLock(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      std::shared_lock<std::shared_mutex> lock(a.rw);
      a.cents = 1;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'a.cents' after 'writeUnderSharedLock' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

void writeUnderBoostSharedLock(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      boost::shared_lock<boost::shared_mutex> lock(a.brw);
      a.cents = 1;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'a.cents' after 'writeUnderBoostSharedLock' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

void writeUnderLockShared(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      a.rw.lock_shared();
      a.cents = 1;
      a.rw.unlock_shared();
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'a.cents' after 'writeUnderLockShared' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

void writeUnderUniqueLockOfSharedMutex(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      std::unique_lock<std::shared_mutex> lock(a.rw);
      a.cents = 1;
    }).detach();
  });
}

// A locked write, and a caller that reads without that lock.
void lockedWrite(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      std::lock_guard<std::mutex> lock(a.mu);
      a.owner = "bank";
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'a.owner' after 'lockedWrite' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

std::string readsWithoutTheLock() {
  static Account a;
  lockedWrite(a);
  return a.owner;
}

void lockedWriteReadUnderLock(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      std::lock_guard<std::mutex> lock(a.mu);
      a.owner = "bank";
    }).detach();
  });
}

std::string readsUnderTheLock() {
  static Account a;
  lockedWriteReadUnderLock(a);
  std::lock_guard<std::mutex> lock(a.mu);
  return a.owner;
}

void lockedWriteOtherMutex(Account &a) {
  auto g = gsl::finally([&a] {
    std::thread([&a] {
      std::lock_guard<std::mutex> lock(a.mu);
      a.owner = "bank";
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'a.owner' after 'lockedWriteOtherMutex' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

std::string ownerUnderAudit(Account &a) {
  std::lock_guard<std::mutex> lock(a.audit);
  return a.owner;
}

std::string readsUnderAnotherMutex() {
  static Account a;
  lockedWriteOtherMutex(a);
  return ownerUnderAudit(a);
}
