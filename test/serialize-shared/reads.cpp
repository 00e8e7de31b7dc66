// What counts as reading the written object: the object, its fields, what
// its getters return, pointees, and locals built from those reads. Fields
// the writer does not touch are not a finding.
//
// RUN: %check_defer_race %s defer-race-serialize-shared %t -- -- -std=c++17

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

class Response {
public:
  const std::string &GetData() const { return data_; }
  const std::string &GetWReqlog() const { return wreqlog_; }
  void SetWReqlog(std::string s) { wreqlog_ = std::move(s); }
  std::string data_;

private:
  std::string wreqlog_;
};

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.SetWReqlog("handled"); }).detach();
  });
}

void handlePtr(Response *res) {
  auto cleanup = gsl::finally([res] {
    std::thread([res] { res->SetWReqlog("handled"); }).detach();
  });
}

void handleShared(std::shared_ptr<Response> res) {
  auto cleanup = gsl::finally([res] {
    std::thread([res] { res->SetWReqlog("handled"); }).detach();
  });
}

struct FakeRes {
  std::string data;
  std::string wreqlog;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FakeRes, data, wreqlog)

void getter(Response &res) {
  handle(res);
  nlohmann::json j = res.GetWReqlog();
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: serializing 'res.wreqlog_' while a detached thread may still be writing it [defer-race-serialize-shared]
}

// The writer never touches data_.
void otherField(Response &res) {
  handle(res);
  nlohmann::json j = res.GetData();
  nlohmann::json k = res.data_;
}

void aggregate(Response &res) {
  handle(res);
  FakeRes fake{res.GetData(), res.GetWReqlog()};
  std::cout << nlohmann::json(fake).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:37: warning: serializing 'res.wreqlog_' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void assignedField(Response &res) {
  handle(res);
  FakeRes fake;
  fake.wreqlog = res.GetWReqlog();
  nlohmann::json(fake).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: serializing 'res.wreqlog_' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void container(Response &res) {
  handle(res);
  std::vector<std::string> lines;
  lines.push_back(res.GetWReqlog());
  nlohmann::json(lines).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: serializing 'res.wreqlog_' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void jsonObject(Response &res) {
  handle(res);
  nlohmann::json j;
  j["log"] = res.GetWReqlog();
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: serializing 'res.wreqlog_' while a detached thread may still be writing it [defer-race-serialize-shared]
  std::cout << j;
}

void streamed(Response &res) {
  handle(res);
  nlohmann::json j;
  j["log"] = res.GetData();
  std::cout << j;
}

void pointee(Response *res) {
  handlePtr(res);
  nlohmann::json(res->GetWReqlog()).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:37: warning: serializing 'res->wreqlog_' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void sharedPointee(std::shared_ptr<Response> res) {
  handleShared(res);
  nlohmann::json(res->GetWReqlog()).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:37: warning: serializing 'res->wreqlog_' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void byReference(Response &res) {
  handle(res);
  const Response &alias = res;
  nlohmann::json(alias.GetWReqlog()).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:38: warning: serializing 'res.wreqlog_' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void byPointer(Response &res) {
  handlePtr(&res);
  nlohmann::json(res.GetWReqlog()).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: serializing 'res.wreqlog_' while a detached thread may still be writing it [defer-race-serialize-shared]
}
