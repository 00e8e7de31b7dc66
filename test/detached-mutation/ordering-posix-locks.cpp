// POSIX and C11 locks order a detached writer as std::mutex does:
// pthread_mutex_lock(&m) holds m until pthread_mutex_unlock(&m).
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <gsl/gsl>

#include <pthread.h>
#include <thread>

struct Device {
  int flushes = 0;
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
};

void *lockedFlush(void *p) {
  auto *dev = static_cast<Device *>(p);
  pthread_mutex_lock(&dev->lock);
  dev->flushes++;
  pthread_mutex_unlock(&dev->lock);
  return nullptr;
}

void flushLater(Device *dev) {
  auto g = gsl::finally([dev] {
    pthread_t t;
    if (pthread_create(&t, nullptr, lockedFlush, dev) == 0)
      pthread_detach(t);
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: thread detached in a scope-exit guard may still be writing 'dev->flushes' after 'flushLater' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      pthread_join(t, nullptr);{{$}}
  });
}

int readFlushes(Device *dev) {
  pthread_mutex_lock(&dev->lock);
  int n = dev->flushes;
  pthread_mutex_unlock(&dev->lock);
  return n;
}

// Read through a function that locks: ordered.
int flushAndCount() {
  auto *dev = new Device;
  flushLater(dev);
  return readFlushes(dev);
}

// Read with the same lock taken here: ordered.
int flushAndPeek() {
  auto *dev = new Device;
  flushLater(dev);
  pthread_mutex_lock(&dev->lock);
  int n = dev->flushes;
  pthread_mutex_unlock(&dev->lock);
  return n;
}

// Read after the unlock: this is what makes the locked write above a race.
int flushAndPeekLate() {
  auto *dev = new Device;
  flushLater(dev);
  pthread_mutex_lock(&dev->lock);
  pthread_mutex_unlock(&dev->lock);
  return dev->flushes;
}

// A write lock of a pthread rwlock, with no unlocked reader.
void writeLocked(Device *dev) {
  pthread_rwlock_wrlock(&dev->rw);
  dev->flushes++;
  pthread_rwlock_unlock(&dev->rw);
}

void flushWithRwlock(Device *dev) {
  auto g = gsl::finally([dev] { std::thread(writeLocked, dev).detach(); });
}

// The write made after the unlock is not protected.
void writeAfterUnlock(Device *dev) {
  pthread_rwlock_wrlock(&dev->rw);
  pthread_rwlock_unlock(&dev->rw);
  dev->flushes++;
}

void flushUnprotected(Device *dev) {
  auto g = gsl::finally([dev] { std::thread(writeAfterUnlock, dev).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:68: warning: thread detached in a scope-exit guard may still be writing 'dev->flushes' after 'flushUnprotected' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  auto g = gsl::finally([dev] { std::thread(writeAfterUnlock, dev).join(); });{{$}}
}
