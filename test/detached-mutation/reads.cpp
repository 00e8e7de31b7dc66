// Reads are reads: non-const members with a const twin whose result is not
// written through, and addresses kept in local pointers, write nothing. A
// write through such a pointer does, unless it was re-pointed first.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <gsl/gsl>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

struct Directory {
  std::map<std::string, int> entries;
  std::vector<int> ids;
  int version = 0;
};

std::atomic<long> g_sum{0};

void lookups(Directory &d) {
  auto g = gsl::finally([&d] {
    std::thread([&d] {
      auto it = d.entries.find("a");
      long s = it != d.entries.end() ? it->second : 0;
      s += static_cast<long>(d.entries.count("b"));
      for (auto i = d.ids.begin(); i != d.ids.end(); ++i)
        s += *i;
      s += d.ids.at(0) + d.ids[1] + d.ids.front();
      g_sum += s;
    }).detach();
  });
}

void writesThroughIterator(Directory &d) {
  auto g = gsl::finally([&d] {
    std::thread([&d] {
      auto it = d.entries.find("a");
      it->second = 1;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'd.entries' after 'writesThroughIterator' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

void writesThroughAt(Directory &d) {
  auto g = gsl::finally([&d] {
    std::thread([&d] { d.ids.at(0) = 1; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:44: warning: thread detached in a scope-exit guard may still be writing 'd.ids' after 'writesThroughAt' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&d] { d.ids.at(0) = 1; }).join();{{$}}
  });
}

void mapSubscriptInserts(Directory &d) {
  auto g = gsl::finally([&d] {
    std::thread([&d] { g_sum += d.entries["missing"]; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:58: warning: thread detached in a scope-exit guard may still be writing 'd.entries' after 'mapSubscriptInserts' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&d] { g_sum += d.entries["missing"]; }).join();{{$}}
  });
}

void addressIntoLocal(Directory &d) {
  auto g = gsl::finally([&d] {
    std::thread([&d] {
      Directory *p = &d;
      std::vector<int> *ids = &p->ids;
      g_sum += static_cast<long>(ids->size()) + p->version;
    }).detach();
  });
}

void writeThroughLocalPointer(Directory &d) {
  auto g = gsl::finally([&d] {
    std::thread([&d] {
      Directory *p = &d;
      p->version = 1;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'd.version' after 'writeThroughLocalPointer' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

void repointedToLocal(Directory &d) {
  auto g = gsl::finally([&d] {
    std::thread([&d] {
      Directory *p = &d;
      Directory scratch = *p;
      p = &scratch;
      p->version = 1;
      g_sum += p->version;
    }).detach();
  });
}

void repointedOnlySometimes(Directory &d, bool copy) {
  auto g = gsl::finally([&d, copy] {
    std::thread([&d, copy] {
      Directory *p = &d;
      Directory scratch;
      if (copy)
        p = &scratch;
      p->version = 1;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'd.version' after 'repointedOnlySometimes' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}
