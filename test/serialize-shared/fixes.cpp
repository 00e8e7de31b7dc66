// Both fixes ride on notes, because the right one depends on intent: join
// the writer, or serialize a snapshot taken before the call. When only one
// is offered, clang-tidy --fix-notes applies it; when both are, it applies
// neither, and --export-fixes (or an editor) shows both.
//
// RUN: %check_defer_race --fix-notes %s defer-race-serialize-shared %t -- --export-fixes=%t.yaml -- -std=c++17
// RUN: FileCheck --input-file=%t.yaml --check-prefix=EXPORT %s

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <string>
#include <thread>

struct Response {
  std::string data;
  std::string wreqlog;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Response, data, wreqlog)

// The spawn is in a helper other code may call: no join fix. The snapshot
// is the only fix, and --fix-notes applies it.
void spawnWriter(Response &r) {
  std::thread([&r] { r.wreqlog = "handled"; }).detach();
}
void handleViaHelper(Response &res) {
  auto cleanup = gsl::finally([&res] { spawnWriter(res); });
}

void serializeAfter(Response &res) {
// CHECK-FIXES: {{^}}  const auto resSnapshot = res;{{$}}
  handleViaHelper(res);
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
  // CHECK-FIXES: {{^}}  nlohmann::json(resSnapshot).dump();{{$}}
}

void copyAfter(Response &res) {
// CHECK-FIXES: {{^}}  const auto resSnapshot = res;{{$}}
  handleViaHelper(res);
  Response copy = res;
  // CHECK-FIXES: {{^}}  Response copy = resSnapshot;{{$}}
  nlohmann::json(copy).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

// A name for the snapshot that is already taken: no snapshot fix.
void nameTaken(Response &res) {
  Response resSnapshot;
  handleViaHelper(res);
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

// Read in a guard declared before the call: the snapshot could not be seen
// from the guard's lambda. No snapshot fix.
void readInGuard(Response &res) {
  auto report = gsl::finally([&res] { nlohmann::json(res).dump(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:59: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
  handleViaHelper(res);
}

// Both fixes offered: join at the spawn, snapshot at the read.
void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).detach();
  });
}

void bothFixes(Response &res) {
  handle(res);
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

// EXPORT-DAG: ReplacementText: join
// EXPORT-DAG: ReplacementText: resSnapshot

