#include "fuzz/fuzz_check.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace flyte::fuzz {

void Fail(const char* file, int line, const std::string& what) {
  std::string message =
      std::string(file) + ":" + std::to_string(line) + ": invariant broken: " + what;
#ifdef FLYTE_LIBFUZZER
  std::fprintf(stderr, "%s\n", message.c_str());
  std::abort();
#else
  throw std::logic_error(message);
#endif
}

}  // namespace flyte::fuzz
