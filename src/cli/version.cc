#include <iostream>

#include "cli/commands.h"
#include "cli/tool_commands.h"

namespace flyte {
extern const char kWorkflowSchemaJson[];
}

namespace flyte::cli {

int RunVersion() {
  std::cout << VersionText() << "\n";
  return kExitOk;
}

int RunSchema() {
  std::cout << kWorkflowSchemaJson;
  return kExitOk;
}

}  // namespace flyte::cli
