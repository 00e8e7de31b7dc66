// llvm::make_scope_exit, a pthread created with the detached attribute,
// nlohmann::json.
//
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: "etag":"etag-from-the-refresher"
// flags: -isystem @LLVM_INCLUDE@ -Wno-deprecated-declarations

#include <llvm/ADT/ScopeExit.h>
#include <nlohmann/json.hpp>
#include <pthread.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

struct Cache {
  std::string etag;
};

void *refresh(void *arg) {
  static_cast<Cache *>(arg)->etag = "etag-from-the-refresher";
  return nullptr;
}

void serve(Cache &cache) {
  auto onExit = llvm::make_scope_exit([&cache] {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t refresher;
    pthread_create(&refresher, &attr, refresh, &cache); // warn: defer-race-detached-mutation
    pthread_attr_destroy(&attr);
  });
}

std::string headers(Cache &cache) {
  serve(cache);
  nlohmann::json j;
  j["etag"] = cache.etag; // warn: defer-race-serialize-shared
  return j.dump();
}

int main() {
  static Cache cache;
  std::cout << headers(cache) << "\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
