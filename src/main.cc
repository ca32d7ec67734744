#include <cstring>

#include "cli/commands.h"
#include "runner/supervise.h"

int main(int argc, char** argv) {
  // The task supervisor runs before anything else, on every task start of a server.
  if (argc > 1 && std::strcmp(argv[1], flyte::kSuperviseCommand) == 0)
    return flyte::SuperviseMain(argc, argv);
  return flyte::cli::Main(argc, argv);
}
