// NOLINT(defer-race-detached-mutation) on a spawn means the user vouches for
// that thread: the serialize-shared findings that exist only because of it go
// too. Every spelling clang-tidy reads silences the writer: NOLINT with the
// check (or a glob, or no list) on the line, NOLINTNEXTLINE on the line
// before, NOLINTBEGIN/NOLINTEND around it, and NOLINT on the call to a
// helper that spawns. A NOLINT for another check, or for serialize-shared
// only at the spawn, silences nothing here; NOLINT at the serializer is
// clang-tidy's own business.
//
// RUN: %check_defer_race %s defer-race-serialize-shared,defer-race-detached-mutation %t -- -- -std=c++17

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <string>
#include <thread>

struct Response {
  std::string data;
  std::string wreqlog;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Response, data, wreqlog)

void vouched(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "a"; }).detach(); // NOLINT(defer-race-detached-mutation)
  });
}

void vouchedGlob(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "b"; }).detach(); // NOLINT(bugprone-*, defer-race-detached-*)
  });
}

void vouchedAll(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "c"; }).detach(); // NOLINT
  });
}

void vouchedNextLine(Response &res) {
  auto cleanup = gsl::finally([&res] {
    // NOLINTNEXTLINE(defer-race-detached-mutation)
    std::thread([&res] { res.wreqlog = "d"; }).detach();
  });
}

// NOLINTBEGIN(defer-race-detached-mutation)
void vouchedRegion(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "e"; }).detach();
  });
}
// NOLINTEND(defer-race-detached-mutation)

void spawnWriter(Response &res) {
  std::thread([&res] { res.wreqlog = "f"; }).detach();
}

void vouchedHelperCall(Response &res) {
  auto cleanup = gsl::finally([&res] {
    spawnWriter(res); // NOLINT(defer-race-detached-mutation)
  });
}

void otherCheck(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "g"; }).detach(); // NOLINT(bugprone-use-after-move)
    // CHECK-MESSAGES: :[[@LINE-1]]:48: warning: thread detached in a scope-exit guard may still be writing 'res.wreqlog' after 'otherCheck' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.wreqlog = "g"; }).join(); // NOLINT(bugprone-use-after-move){{$}}
  });
}

std::string serializeAll(Response &res) {
  vouched(res);
  vouchedGlob(res);
  vouchedAll(res);
  vouchedNextLine(res);
  vouchedRegion(res);
  vouchedHelperCall(res);
  return nlohmann::json(res).dump();
}

std::string serializeOther(Response &res) {
  otherCheck(res);
  return nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}
