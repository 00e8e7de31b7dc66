/* A C file: the checks are for C++11 and later and must not run, or crash,
   on C, where pthreads are common.

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
