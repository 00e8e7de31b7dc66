// The snapshot fix copies the object before the call that leaves the writer.
// That keeps what the caller serializes only when the callee (and what it
// calls, and its guards) writes nothing of the object before it returns; and
// the copy must be a valid declaration where it goes. Each twin below gets no
// snapshot. The spawns are in a helper, so no join is offered either: a
// twin's lines come out of --fix-notes unchanged.
//
// RUN: %check_defer_race --fix-notes %s defer-race-serialize-shared %t -- -- -std=c++17

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <string>
#include <thread>

struct Response {
  std::string data;
  std::string status;
  std::string wreqlog;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Response, data, status, wreqlog)

void spawnWriter(Response &r) {
  std::thread([&r] { r.wreqlog = "handled"; }).detach();
}

// Writes nothing before it returns: the snapshot keeps everything.
void handle(Response &res) {
  auto cleanup = gsl::finally([&res] { spawnWriter(res); });
}
void snapshotOffered(Response &res) {
  // CHECK-FIXES: {{^}}  const auto resSnapshot = res;{{$}}
  handle(res);
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
  // CHECK-FIXES: {{^}}  nlohmann::json(resSnapshot).dump();{{$}}
}

// Writes the status before it returns: a snapshot before the call would
// serialize the old status.
void handleAndMark(Response &res) {
  res.status = "done";
  auto cleanup = gsl::finally([&res] { spawnWriter(res); });
}
void syncWriteInBody(Response &res) {
  handleAndMark(res);
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
  // CHECK-FIXES: {{^}}  handleAndMark(res);{{$}}
  // CHECK-FIXES-NEXT: {{^}}  nlohmann::json(res).dump();{{$}}
}

// The same write, made by the guard's own callable before it spawns.
void markInGuard(Response &res) {
  auto cleanup = gsl::finally([&res] {
    res.status = "done";
    spawnWriter(res);
  });
}
void syncWriteInGuard(Response &res) {
  markInGuard(res);
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
  // CHECK-FIXES: {{^}}  markInGuard(res);{{$}}
}

// The same write, made by a helper the callee passes the object to.
void setStatus(Response &r) { r.status = "done"; }
void markInHelper(Response &res) {
  setStatus(res);
  auto cleanup = gsl::finally([&res] { spawnWriter(res); });
}
void syncWriteInHelper(Response &res) {
  markInHelper(res);
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
  // CHECK-FIXES: {{^}}  markInHelper(res);{{$}}
}

// A member function that is not const may change its object.
struct Job {
  Response res;
  void finish() {
    res.status = "done";
    auto cleanup = gsl::finally([this] { spawnWriter(res); });
  }
};
void syncWriteInMember(Job &job) {
  job.finish();
  nlohmann::json(job.res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: serializing 'job.res' while a detached thread may still be writing 'job.res.wreqlog' [defer-race-serialize-shared]
  // CHECK-FIXES: {{^}}  job.finish();{{$}}
}

// In a switch's case: a declaration there would be jumped over by the next
// label ("cannot jump from switch statement to this case label").
void inCase(Response &res, int kind) {
  switch (kind) {
  case 1:
    handle(res);
    nlohmann::json(res).dump();
    // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
    // CHECK-FIXES: {{^}}  case 1:{{$}}
    // CHECK-FIXES-NEXT: {{^}}    handle(res);{{$}}
    break;
  case 2:
    res.data = "two";
    break;
  }
}

// A single-statement body: the copy cannot go before the call.
void singleStatement(Response &res, bool fast) {
  if (fast)
    handle(res);
  // CHECK-FIXES: {{^}}  if (fast){{$}}
  // CHECK-FIXES-NEXT: {{^}}    handle(res);{{$}}
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

// Right after a label.
void afterLabel(Response &res) {
again:
  handle(res);
  // CHECK-FIXES: {{^}}again:{{$}}
  // CHECK-FIXES-NEXT: {{^}}  handle(res);{{$}}
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
  if (res.data.empty()) {
    res.data = "x";
    goto again;
  }
}
