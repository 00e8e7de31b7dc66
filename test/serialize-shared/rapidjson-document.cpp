// RapidJSON's Document::Accept. RapidJSON 1.1.0's document.h does not
// compile with clang 22, so this runs where it does.
//
// REQUIRES: rapidjson-document
// RUN: %check_defer_race %s defer-race-serialize-shared %t -- -- -std=c++17

#include <gsl/gsl>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <thread>

struct Response {
  std::string wreqlog;
};

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).detach();
  });
}

void documentAccept(Response &res) {
  handle(res);
  rapidjson::Document doc;
  doc.SetObject();
  rapidjson::Value log(res.wreqlog.c_str(), doc.GetAllocator());
  doc.AddMember("log", log, doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void documentBefore(Response &res) {
  rapidjson::Document doc;
  doc.SetObject();
  rapidjson::Value log(res.wreqlog.c_str(), doc.GetAllocator());
  doc.AddMember("log", log, doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  handle(res);
}
