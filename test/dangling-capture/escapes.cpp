// Every way a detached thread can keep a reference to a local: an
// init-capture by reference, an array passed to the thread function, a
// pointer variable, references and pointers to elements of local containers,
// views of locals captured or passed by value. Each has a twin that copies,
// owns or waits.
//
// RUN: %check_defer_race %s defer-race-dangling-capture %t -- -- -std=c++17 -isystem %test_include

#include <gsl/gsl>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

void use(int);
void use(std::string_view);
void sum(const int *data, int n);

void initCaptureReference(int attempts) {
  int budget = attempts * 2;
  std::thread([&remaining = budget] { use(remaining); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: detached thread uses reference 'remaining' to 'budget'; 'budget' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}
void initCaptureCopy(int attempts) {
  int budget = attempts * 2;
  std::thread([remaining = budget] { use(remaining); }).detach();
}
void initCapturePointer() {
  int n = 0;
  std::thread([p = &n] { use(*p); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: detached thread uses pointer 'p' to 'n'; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}

void arrayArgument() {
  int samples[4] = {1, 2, 3, 4};
  std::thread(sum, samples, 4).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: detached thread receives a pointer to 'samples'; 'samples' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}
void staticArrayArgument() {
  static int samples[4] = {1, 2, 3, 4};
  std::thread(sum, samples, 4).detach();
}
void pointerArgument() {
  int n = 0;
  int *p = &n;
  std::thread(sum, p, 1).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: detached thread uses pointer 'p' to 'n'; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}

struct Parcel {
  int weight = 0;
};
void elementReference() {
  std::vector<Parcel> parcels(3);
  Parcel &first = parcels.front();
  std::thread([&first] { use(first.weight); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: detached thread uses reference 'first' to 'parcels'; 'parcels' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}
void elementCopy() {
  std::vector<Parcel> parcels(3);
  Parcel first = parcels.front();
  std::thread([first] { use(first.weight); }).detach();
}
void mapElementPointer(const std::string &key) {
  std::map<std::string, Parcel> book;
  book[key] = Parcel{3};
  const Parcel *p = &book.at(key);
  std::thread([p] { use(p->weight); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: detached thread uses pointer 'p' to 'book'; 'book' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}
void optionalValue() {
  std::optional<Parcel> maybe = Parcel{1};
  Parcel &inside = *maybe;
  std::thread([&inside] { use(inside.weight); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: detached thread uses reference 'inside' to 'maybe'; 'maybe' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}
// The element of a heap container the thread shares is not a local's.
void heapElement() {
  auto parcels = std::make_shared<std::vector<Parcel>>(3);
  std::thread([parcels] { use(parcels->front().weight); }).detach();
}

void viewCaptured(int tenant) {
  std::string path = "/srv/" + std::to_string(tenant);
  std::string_view view = path;
  std::thread([view] { use(view); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: detached thread uses view 'view' of 'path'; 'path' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}
void viewOfLiteral() {
  std::string_view view = "/srv/static";
  std::thread([view] { use(view); }).detach();
}
void stringCopied(int tenant) {
  std::string path = "/srv/" + std::to_string(tenant);
  std::thread([path] { use(path); }).detach();
}
void spanCaptured() {
  std::array<int, 4> readings{1, 2, 3, 4};
  gsl::span<const int> window(readings);
  std::thread([window] { use(window[0]); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: detached thread uses view 'window' of 'readings'; 'readings' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}
void viewArgument(int tenant) {
  std::string path = "/srv/" + std::to_string(tenant);
  std::string_view view = path;
  std::thread([](std::string_view v) { use(v); }, view).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:51: warning: detached thread uses view 'view' of 'path'; 'path' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}
void viewJoined(int tenant) {
  std::string path = "/srv/" + std::to_string(tenant);
  std::string_view view = path;
  std::thread([view] { use(view); }).join();
}
