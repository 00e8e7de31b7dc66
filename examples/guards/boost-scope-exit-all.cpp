// BOOST_SCOPE_EXIT_ALL (lambda mode), pthread_create + pthread_detach,
// protobuf (google::protobuf::Value, a real generated message from
// google/protobuf/struct.pb.h; its map-based Struct crashes under clang 22's
// ThreadSanitizer before any race, so the example avoids maps).
//
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: (?m)^35$
// libs: -lprotobuf

#include <boost/scope_exit.hpp>
#include <google/protobuf/struct.pb.h>
#include <pthread.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

struct Job {
  std::string result;
};

void *compute(void *arg) {
  auto *job = static_cast<Job *>(arg);
  job->result = "computed by the background thread";
  return nullptr;
}

void run(Job &job) {
  BOOST_SCOPE_EXIT_ALL(&) {
    pthread_t worker;
    pthread_create(&worker, nullptr, compute, &job);
    pthread_detach(worker); // warn: defer-race-detached-mutation
  };
}

std::string publish(Job &job) {
  run(job);
  std::string result = job.result;
  google::protobuf::Value message;
  message.set_string_value(result);
  return message.SerializeAsString(); // warn: defer-race-serialize-shared
}

int main() {
  static Job job;
  std::cout << publish(job).size() << "\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
