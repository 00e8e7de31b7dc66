// When the warning has no fix, batch tools apply a note's fix instead
// (clang-tidy --fix-notes when one note has a fix, clang-apply-replacements
// always the first one). Capturing by copy changes what the caller sees of
// the thread's writes, so in the default mode it rides on a note only next to
// a join on the warning; without a join the note says why no fix is offered
// and --fix-notes leaves the file as it is.
//
// RUN: %check_defer_race --fix-notes %s defer-race-detached-mutation %t -- -- -std=c++17

#include <boost/thread/thread.hpp>
#include <gsl/gsl>

#include <string>
#include <thread>

struct Response {
  std::string log;
};

// boost::thread's destructor detaches, and the early return means there is
// no single place to join it.
void boostDestructor(Response &res, bool done) {
  auto g = gsl::finally([&res, done] {
    boost::thread t([&res] { res.log = "done"; });
    // CHECK-NOTES: :[[@LINE-1]]:19: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostDestructor' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-3]]:3: note: scope-exit guard registered here runs when 'boostDestructor' returns
    // CHECK-NOTES: :[[@LINE+6]]:3: note: 't' is never joined; its destructor detaches the thread here
    // CHECK-NOTES: :[[@LINE-4]]:30: note: the detached thread writes 'res.log' here
    // CHECK-NOTES: :[[@LINE-5]]:23: note: capturing 'res' by copy would let the thread write its own copy, but the caller would no longer see what it writes (PreferredFix: copy offers it)
    if (done)
      return;
    res.log += ".";
  });
}

#define DETACH(t) (t).detach()

// No join inside a macro; the copy, outside it, is not offered on its own.
void detachInMacro(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread t([&res] { res.log = "done"; });
    DETACH(t);
    // CHECK-NOTES: :[[@LINE-1]]:5: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'detachInMacro' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-8]]:23: note: expanded from macro 'DETACH'
    // CHECK-NOTES: :[[@LINE-5]]:3: note: scope-exit guard registered here runs when 'detachInMacro' returns
    // CHECK-NOTES: :[[@LINE-5]]:17: note: std::thread started here
    // CHECK-NOTES: :[[@LINE-6]]:28: note: the detached thread writes 'res.log' here
    // CHECK-NOTES: :[[@LINE-7]]:21: note: capturing 'res' by copy would let the thread write its own copy, but the caller would no longer see what it writes (PreferredFix: copy offers it)
  });
}
