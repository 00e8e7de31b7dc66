// absl::Cleanup, a named std::thread, RapidJSON.
//
// finish() logs the request from a thread started by its cleanup and never
// waits for it. respond() calls finish() and writes the session as JSON:
// RapidJSON reads session.log while the logging thread may still write it.
//
// sanitizer: thread
// problem: yes
// fix: --fix

#include <absl/cleanup/cleanup.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

struct Session {
  std::string user = "ada";
  std::string log;
};

void finish(Session &session) {
  absl::Cleanup audit = [&session] {
    std::thread logger([&session] { session.log = "finished for " + session.user; });
    logger.detach(); // warn: defer-race-detached-mutation
  };
}

std::string respond(Session &session) {
  finish(session);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("log");
  writer.String(session.log.c_str()); // warn: defer-race-serialize-shared
  writer.EndObject();
  return buffer.GetString();
}

int main() {
  static Session session;
  std::printf("%s\n", respond(session).c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
