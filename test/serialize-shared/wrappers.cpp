// Serializers behind functions of ours: a wrapper that hands its parameter
// to a library serializer (through locals, a few calls deep, in templates),
// a virtual call whose target is known (a final class, the only overrider),
// with the fields the wrapper reads.
//
// RUN: %check_defer_race %s defer-race-serialize-shared %t -- -- -std=c++17 -isystem /usr/include/jsoncpp

#include <json/json.h>
#include <nlohmann/json.hpp>

#include <gsl/gsl>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct Result {
  int count = 0;
  std::string note;
  std::vector<int> ids;
};
inline void to_json(nlohmann::json &j, const Result &r) {
  j = nlohmann::json{{"count", r.count}, {"ids", r.ids}};
}

void fill(Result &r) {
  auto g = gsl::finally([&r] { std::thread([&r] { r.count = 1; }).detach(); });
}
void annotate(Result &r) {
  auto g = gsl::finally([&r] { std::thread([&r] { r.note = "x"; }).detach(); });
}

std::string encode(const Result &r) { return nlohmann::json(r).dump(); }
std::string wrapper(Result &res) {
  fill(res);
  return encode(res);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: serializing 'res' while a detached thread may still be writing 'res.count' [defer-race-serialize-shared]
}

template <class T> std::string toJson(const T &v) { return nlohmann::json(v).dump(); }
template <class T> std::string respond(const T &v) { return "body=" + toJson(v); }
std::string twoWrappersDeep(Result &res) {
  fill(res);
  return respond(res);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: serializing 'res' while a detached thread may still be writing 'res.count' [defer-race-serialize-shared]
}

// The wrapper reads count only: a writer of note does not race with it.
std::string countOnly(const Result &r) {
  Json::Value root;
  root["count"] = r.count;
  return Json::writeString(Json::StreamWriterBuilder(), root);
}
std::string fieldsRead(Result &res) {
  annotate(res);
  return countOnly(res);
}
std::string fieldsReadRace(Result &res) {
  fill(res);
  return countOnly(res);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: serializing 'res.count' while a detached thread may still be writing it [defer-race-serialize-shared]
}

// Two functions deep, the fields stay known.
std::string countOnlyWrapped(const Result &r) { return "n=" + countOnly(r); }
std::string fieldsReadTwoDeep(Result &res) {
  annotate(res);
  return countOnlyWrapped(res);
}
std::string fieldsReadTwoDeepRace(Result &res) {
  fill(res);
  return countOnlyWrapped(res);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: serializing 'res.count' while a detached thread may still be writing it [defer-race-serialize-shared]
}

// The wrapper serializes under the mutex the writer holds: ordered.
struct Guarded {
  std::mutex mu;
  Result r;
};
void fillLocked(Guarded &g) {
  auto d = gsl::finally([&g] {
    std::thread([&g] {
      std::lock_guard<std::mutex> l(g.mu);
      g.r.count = 1;
    }).detach();
  });
}
std::string dumpLocked(Guarded &g) {
  std::lock_guard<std::mutex> l(g.mu);
  return nlohmann::json(g.r).dump();
}
std::string lockedWrapper(Guarded &g) {
  fillLocked(g);
  return dumpLocked(g);
}

// Through locals: for (int id : r.ids) root.append(id).
std::string idsOnly(const Result &r) {
  Json::Value root;
  for (int id : r.ids)
    root.append(id);
  return Json::writeString(Json::StreamWriterBuilder(), root);
}
void addId(Result &r) {
  auto g = gsl::finally([&r] { std::thread([&r] { r.ids.push_back(1); }).detach(); });
}
std::string rangeFor(Result &res) {
  addId(res);
  return idsOnly(res);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: serializing 'res.ids' while a detached thread may still be writing it [defer-race-serialize-shared]
}

class Encoder {
public:
  virtual ~Encoder() = default;
  virtual std::string encode(const Result &r) const = 0;
};
class JsonEncoder final : public Encoder {
public:
  std::string encode(const Result &r) const override { return nlohmann::json(r).dump(); }
};
std::string finalClass(const JsonEncoder &enc, Result &res) {
  fill(res);
  return enc.encode(res);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: serializing 'res' while a detached thread may still be writing 'res.count' [defer-race-serialize-shared]
}
std::string onlyOverrider(const Encoder &enc, Result &res) {
  fill(res);
  return enc.encode(res);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: serializing 'res' while a detached thread may still be writing 'res.count' [defer-race-serialize-shared]
}

class Sink {
public:
  virtual ~Sink() = default;
  virtual void write(const Result &r) = 0;
};
class CountingSink : public Sink {
public:
  void write(const Result &r) override { n += r.count; }
  int n = 0;
};
class JsonSink : public Sink {
public:
  void write(const Result &r) override { out = nlohmann::json(r).dump(); }
  std::string out;
};
// Two overriders: the target is not known.
void twoOverriders(Sink &sink, Result &res) {
  fill(res);
  sink.write(res);
}
