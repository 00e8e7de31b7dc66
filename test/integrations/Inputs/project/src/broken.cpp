// Does not compile: the run reports clang's errors and goes on with the other
// files.

#include "response.h"

void broken(Response &res) {
  res.missing_field = 1;
}
