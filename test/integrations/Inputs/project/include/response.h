#pragma once

#include <string>

struct Response {
  std::string data;
  std::string log;
};
