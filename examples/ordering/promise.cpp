// Safe: the thread fulfils a promise after its writes, the function returns
// the promise's future, and the caller waits on it before serializing.
//
// sanitizer: thread
// problem: no
// fix: none

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <future>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

struct Report {
  int pages = 0;
  std::vector<int> sizes;
};

std::future<void> render(Report &r) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  auto kick = gsl::finally([&r, done] {
    std::thread([&r, done] {
      r.sizes.push_back(10);
      r.pages = 1;
      done->set_value();
    }).detach();
  });
  return finished;
}

int main() {
  static Report r;
  std::future<void> finished = render(r);
  finished.wait();
  std::cout << nlohmann::json(r.pages).dump() << " "
            << nlohmann::json(r.sizes).dump() << "\n";
}
