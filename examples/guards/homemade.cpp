// A home-made Defer guard, a boost::thread whose destructor detaches it
// (Boost.Thread before BOOST_THREAD_VERSION 3), RapidJSON's PrettyWriter.
//
// sanitizer: thread
// problem: yes
// fix: --fix
// libs: -lboost_thread

#include <boost/thread/thread.hpp>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>

template <typename F> class Defer {
public:
  explicit Defer(F f) : f_(std::move(f)) {}
  ~Defer() { f_(); }

private:
  F f_;
};

struct Metrics {
  std::string summary;
};

void collect(Metrics &metrics) {
  Defer flush([&metrics] {
    boost::thread aggregator([&metrics] { // warn: defer-race-detached-mutation
      // Aggregating takes a moment.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      metrics.summary = "p99=12ms requests=4031";
    });
  });
}

std::string exportMetrics(Metrics &metrics) {
  collect(metrics);
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.String(metrics.summary.c_str()); // warn: defer-race-serialize-shared
  return buffer.GetString();
}

int main() {
  static Metrics metrics;
  std::printf("%s\n", exportMetrics(metrics).c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
