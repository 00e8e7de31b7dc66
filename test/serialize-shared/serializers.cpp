// Every serializer family, with the real Debian headers: nlohmann::json,
// RapidJSON's writers, protobuf (google/protobuf/struct.pb.h is a real
// generated message), jsoncpp, cereal, Boost.Serialization; and Boost.JSON,
// which Debian's Boost 1.74 lacks, through a test header. The option
// SerializerFunctions adds a user's own.
//
// RUN: %check_defer_race %s defer-race-serialize-shared %t -- -- -std=c++17 -isystem %test_include -isystem /usr/include/jsoncpp
// RUN: %check_defer_race -check-suffixes=,OPTION %s defer-race-serialize-shared %t \
// RUN:   -- -config="{CheckOptions: [{key: defer-race-serialize-shared.SerializerFunctions, value: 'encodeResponse;Codec::write'}]}" \
// RUN:   -- -std=c++17 -isystem %test_include -isystem /usr/include/jsoncpp

#include <boost/archive/text_oarchive.hpp>
#include <boost/json.hpp>
#include <cereal/archives/binary.hpp>
#include <cereal/types/string.hpp>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gsl/gsl>
#include <json/json.h>
#include <nlohmann/json.hpp>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <iostream>
#include <sstream>
#include <string>
#include <thread>

struct Response {
  std::string data;
  std::string wreqlog;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Response, data, wreqlog)

template <class Archive> void serialize(Archive &ar, Response &r) {
  ar(r.data, r.wreqlog); // cereal
}
namespace boost::serialization {
void serialize(boost::archive::text_oarchive &ar, Response &r,
               const unsigned int) {
  ar &r.data &r.wreqlog;
}
} // namespace boost::serialization

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).detach();
  });
}

void handleMessage(google::protobuf::Struct &msg) {
  auto cleanup = gsl::finally([&msg] {
    std::thread([&msg] {
      (*msg.mutable_fields())["log"].set_string_value("handled");
    }).detach();
  });
}

void nlohmannConstruct(Response &res) {
  handle(res);
  nlohmann::json j = res;
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

void nlohmannToJson(Response &res) {
  handle(res);
  nlohmann::json j;
  to_json(j, res);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

void nlohmannStream(Response &res) {
  handle(res);
  nlohmann::json j = nlohmann::json::object();
  j["log"] = res.wreqlog;
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
  std::cout << j;
}

void rapidjsonWriter(Response &res) {
  handle(res);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("log");
  writer.String(res.wreqlog.c_str());
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
  writer.EndObject();
}

void rapidjsonPrettyWriter(Response &res) {
  handle(res);
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.String(res.wreqlog.c_str(), res.wreqlog.size());
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void protobufSerialize(google::protobuf::Struct &msg) {
  handleMessage(msg);
  std::string out;
  msg.SerializeToString(&out);
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: serializing 'msg' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void protobufToFileDescriptor(google::protobuf::Struct &msg, int fd) {
  handleMessage(msg);
  msg.SerializeToFileDescriptor(fd);
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: serializing 'msg' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void protobufPartialToFileDescriptor(google::protobuf::Struct &msg, int fd) {
  handleMessage(msg);
  msg.SerializePartialToFileDescriptor(fd);
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: serializing 'msg' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void protobufAsString(google::protobuf::Struct &msg) {
  handleMessage(msg);
  std::cout << msg.SerializeAsString();
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: serializing 'msg' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void protobufByteSize(google::protobuf::Struct &msg) {
  handleMessage(msg);
  std::cout << msg.ByteSizeLong();
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: serializing 'msg' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void protobufJson(google::protobuf::Struct &msg) {
  handleMessage(msg);
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(msg, &out);
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: serializing 'msg' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void protobufBuiltFromObject(Response &res) {
  handle(res);
  google::protobuf::Struct msg;
  (*msg.mutable_fields())["log"].set_string_value(res.wreqlog);
  std::string out;
  msg.SerializeToString(&out);
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void jsoncppWriteString(Response &res) {
  handle(res);
  Json::Value root;
  root["log"] = res.wreqlog;
  Json::StreamWriterBuilder builder;
  std::cout << Json::writeString(builder, root);
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void jsoncppStyled(Response &res) {
  handle(res);
  Json::Value root;
  root["log"] = res.wreqlog;
  std::cout << root.toStyledString();
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void jsoncppFastWriter(Response &res) {
  handle(res);
  Json::Value root(res.wreqlog);
  Json::FastWriter writer;
  std::cout << writer.write(root);
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void cerealArchive(Response &res) {
  handle(res);
  std::ostringstream os;
  cereal::BinaryOutputArchive archive(os);
  archive(res);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

void boostSerialization(Response &res) {
  handle(res);
  std::ostringstream os;
  boost::archive::text_oarchive archive(os);
  archive << res;
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

void boostJson(Response &res) {
  handle(res);
  std::cout << boost::json::serialize(boost::json::value(res.wreqlog));
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void boostJsonValueFrom(Response &res) {
  handle(res);
  boost::json::value v = boost::json::value_from(res);
  // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

// The user's own serializers, named in the SerializerFunctions option.
std::string encodeResponse(const Response &res);
struct Codec {
  void write(const std::string &s);
};

void userSerializers(Response &res, Codec &codec) {
  handle(res);
  encodeResponse(res);
  // CHECK-MESSAGES-OPTION: :[[@LINE-1]]:3: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
  codec.write(res.wreqlog);
  // CHECK-MESSAGES-OPTION: :[[@LINE-1]]:9: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}
