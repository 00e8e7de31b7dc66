/* A C file, where pthreads are common: dangling-capture and serialize-shared
   are for C++11 and later and do not run; detached-mutation runs (C has
   __attribute__((cleanup)) guards, see cleanup.c) and finds nothing here,
   where no guard spawns. None may crash.

   RUN: %check_defer_race %s defer-race-detached-mutation,defer-race-dangling-capture,defer-race-serialize-shared %t -- -- -std=c11
*/

#include <pthread.h>

struct response {
  int status;
};

static void *write_status(void *arg) {
  ((struct response *)arg)->status = 1;
  return 0;
}

void handle(struct response *res) {
  int local = 0;
  pthread_t t;
  pthread_create(&t, 0, write_status, &local);
  pthread_detach(t);
  pthread_create(&t, 0, write_status, res);
  pthread_detach(t);
}
