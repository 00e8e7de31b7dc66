// A start routine's void * argument cast back to a heap job that holds a
// pointer to the caller's object: the job's fields are followed to their
// initializers, through the cast.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <gsl/gsl>

#include <pthread.h>
#include <thread>

struct Stats {
  long evictions = 0;
};

struct EvictJob {
  Stats *stats;
  long count;
};

void *evictWorker(void *p) {
  auto *job = static_cast<EvictJob *>(p);
  job->stats->evictions += job->count;
  delete job;
  return nullptr;
}

long trimLater(Stats &stats, long over) {
  auto g = gsl::finally([&stats, over] {
    pthread_t t;
    auto *job = new EvictJob{&stats, over};
    if (pthread_create(&t, nullptr, evictWorker, job) == 0)
      pthread_detach(t);
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: thread detached in a scope-exit guard may still be writing 'stats.evictions' after 'trimLater' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      pthread_join(t, nullptr);{{$}}
  });
  return over;
}

long trimAndWait(Stats &stats, long over) {
  auto g = gsl::finally([&stats, over] {
    pthread_t t;
    auto *job = new EvictJob{&stats, over};
    if (pthread_create(&t, nullptr, evictWorker, job) == 0)
      pthread_join(t, nullptr);
  });
  return over;
}

// The job holds a copy: the thread writes its own.
struct CountJob {
  Stats copy;
  long count;
};

void *countWorker(void *p) {
  auto *job = (CountJob *)p;
  job->copy.evictions += job->count;
  delete job;
  return nullptr;
}

long trimACopy(Stats &stats, long over) {
  auto g = gsl::finally([&stats, over] {
    pthread_t t;
    pthread_create(&t, nullptr, countWorker, new CountJob{stats, over});
    pthread_detach(t);
  });
  return over;
}

// A C-style cast in a std::thread's function.
void evictOnThread(void *p) {
  EvictJob *job = (EvictJob *)p;
  job->stats->evictions += 1;
}

void trimOnThread(Stats &stats) {
  auto g = gsl::finally([&stats] {
    auto *job = new EvictJob{&stats, 1};
    std::thread(evictOnThread, job).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:37: warning: thread detached in a scope-exit guard may still be writing 'stats.evictions' after 'trimOnThread' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread(evictOnThread, job).join();{{$}}
  });
}

void trimOnJoinedThread(Stats &stats) {
  auto g = gsl::finally([&stats] {
    auto *job = new EvictJob{&stats, 1};
    std::thread(evictOnThread, job).join();
  });
}
