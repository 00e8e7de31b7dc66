/* __attribute__((cleanup)) is C's scope-exit guard: the function runs on
   &variable when the scope ends. One that starts a detached pthread writing
   the caller's object is a finding in C too; one that joins is not.

   RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c11
*/

#include <pthread.h>
#include <stddef.h>

struct job {
  int done;
};

static void *finish_job(void *arg) {
  ((struct job *)arg)->done = 1;
  return NULL;
}

static void finish_later(struct job **slot) {
  pthread_t t;
  if (pthread_create(&t, NULL, finish_job, *slot) == 0)
    pthread_detach(t);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread detached in a scope-exit guard may still be writing 'shared->done' after 'run_job' returns [defer-race-detached-mutation]
}

static void finish_now(struct job **slot) {
  pthread_t t;
  if (pthread_create(&t, NULL, finish_job, *slot) == 0)
    pthread_join(t, NULL);
}

int run_job(struct job *shared) {
  struct job *j __attribute__((cleanup(finish_later))) = shared;
  return j->done;
}

int run_job_and_wait(struct job *shared) {
  struct job *j __attribute__((cleanup(finish_now))) = shared;
  return j->done;
}
