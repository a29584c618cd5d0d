#include "cli/files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace haven::cli {

std::string ErrnoText() { return std::strerror(errno); }

cedar::Result<std::string> ReadFile(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin),
                       std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return cedar::Error(path + ": cannot open: " + ErrnoText());
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return cedar::Error(path + ": read failed: " + ErrnoText());
  return buf.str();
}

int Fail(const std::string& message) {
  std::cerr << "haven: " << message << "\n";
  return 2;
}

}  // namespace haven::cli
