// BOOST_SCOPE_EXIT (the default mode: a local struct with a static body),
// boost::thread with detach(), jsoncpp.
//
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: "status" : "shipped, customer notified"
// flags: -isystem /usr/include/jsoncpp
// libs: -lboost_thread -ljsoncpp

#include <boost/scope_exit.hpp>
#include <boost/thread/thread.hpp>
#include <json/json.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

struct Order {
  int id = 7;
  std::string status;
};

void ship(Order &order) {
  BOOST_SCOPE_EXIT(&order) {
    boost::thread notifier([&order] {
      // Notifying the customer takes a moment.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      order.status = "shipped, customer notified";
    });
    notifier.detach(); // warn: defer-race-detached-mutation
  } BOOST_SCOPE_EXIT_END
}

std::string report(Order &order) {
  ship(order);
  std::string status = order.status;
  Json::Value root;
  root["id"] = order.id;
  root["status"] = status;
  Json::StreamWriterBuilder builder;
  return Json::writeString(builder, root); // warn: defer-race-serialize-shared
}

int main() {
  static Order order;
  std::cout << report(order) << "\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
