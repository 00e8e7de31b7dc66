// serialize-shared: a caller serializes what pool work left by its callee's
// guard may still write; waiting for the pool (Sync(), Stop()) orders it.
//
// RUN: %check_defer_race %s defer-race-serialize-shared %t -- -- -std=c++17 -I%S/Inputs

#include "pool.h"

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <iostream>
#include <string>

struct Res {
  std::string data;
  int status = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Res, data, status)

void handle(Res &res) {
  auto g = gsl::finally(
      [&res] { GetPool().Post([&res] { res.status = 200; }); });
}

void serve(Res &res) {
  handle(res);
  std::cout << nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: serializing 'res' while a detached thread may still be writing 'res.status' [defer-race-serialize-shared]
}

// The same pool, through its accessor, waited for before the read.
void serveSynced(Res &res) {
  handle(res);
  GetPool().Sync();
  std::cout << nlohmann::json(res).dump();
}

// The pool is a parameter of the callee: the caller's argument is the pool.
void handleOn(Pool &p, Res &res) {
  auto g = gsl::finally([&] { p.Post([&res] { res.status = 200; }); });
}

void serveOn(Pool &pool, Res &res) {
  handleOn(pool, res);
  pool.Sync();
  std::cout << nlohmann::json(res).dump();
}

void serveStopped(Pool &pool, Res &res) {
  handleOn(pool, res);
  pool.Stop();
  std::cout << nlohmann::json(res).dump();
}

// A wait on another pool does not order this work.
void serveOther(Pool &pool, Pool &other, Res &res) {
  handleOn(pool, res);
  other.Sync();
  std::cout << nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: serializing 'res' while a detached thread may still be writing 'res.status' [defer-race-serialize-shared]
}

// The wait comes after the read.
void serveLate(Pool &pool, Res &res) {
  handleOn(pool, res);
  std::string out = nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:41: warning: serializing 'res' while a detached thread may still be writing 'res.status' [defer-race-serialize-shared]
  pool.Sync();
  std::cout << out;
}

// The work gets a copy.
void handleCopy(Res &res) {
  auto g = gsl::finally([&res] {
    GetPool().Post([copy = res]() mutable { copy.status = 200; });
  });
}
void serveCopy(Res &res) {
  handleCopy(res);
  std::cout << nlohmann::json(res).dump();
}
