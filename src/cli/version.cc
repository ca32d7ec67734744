#include <iostream>

#include "cli/commands.h"

namespace flyte {
extern const char kWorkflowSchemaJson[];
}

namespace flyte::cli {

int RunVersion() {
  std::cout << "flyte " << FLYTE_VERSION << "\n";
  return kExitOk;
}

int RunSchema() {
  std::cout << kWorkflowSchemaJson;
  return kExitOk;
}

}  // namespace flyte::cli
