// The other fix: instead of joining, the detached thread gets its own copy
// of the object it writes (PreferredFix: copy puts that fix on the warning).
// The caller's object is then written by nobody else.
//
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: "name":"ada"
// config: {CheckOptions: [{key: defer-race-detached-mutation.PreferredFix, value: copy}]}

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

struct Profile {
  std::string name = "ada";
  std::string lastSeen;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Profile, name, lastSeen)

void touch(Profile &profile) {
  auto cleanup = gsl::finally([&profile] {
    std::thread([&profile] {
      profile.lastSeen = "2026-11-28T14:00:00Z";
      std::cout << "seen " << profile.name << "\n";
    }).detach(); // warn: defer-race-detached-mutation
  });
}

std::string show(Profile &profile) {
  touch(profile);
  return nlohmann::json(profile).dump(); // warn: defer-race-serialize-shared
}

int main() {
  static Profile profile;
  std::cout << show(profile) << "\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
