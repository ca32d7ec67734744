// `flyte run`'s engine keeps its heap on transparent huge pages where the kernel offers them
// on request (util/huge_heap.h): one page fault for its start-up's heap instead of ~120.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "cli/cli_fixture.h"

namespace flyte {
namespace {

using testing::Child;
using testing::CliFixture;
using testing::FlyteArgv;
using testing::FlyteEnv;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// kB of AnonHugePages in the [heap] mappings of `pid`.
long HugeHeapKb(pid_t pid) {
  std::istringstream smaps(Slurp("/proc/" + std::to_string(pid) + "/smaps"));
  long kb = 0;
  bool heap = false;
  for (std::string line; std::getline(smaps, line);) {
    if (line.find(" rw-p ") != std::string::npos || line.find(" r--p ") != std::string::npos ||
        line.find(" r-xp ") != std::string::npos || line.find(" ---p ") != std::string::npos) {
      heap = line.size() >= 6 && line.compare(line.size() - 6, 6, "[heap]") == 0;
    } else if (heap && line.rfind("AnonHugePages:", 0) == 0) {
      kb += std::stol(line.substr(14));
    }
  }
  return kb;
}

// The kernel's count of huge-page faults it served with small pages (no free 2 MiB page).
long ThpFallbacks() {
  std::istringstream vmstat(Slurp("/proc/vmstat"));
  for (std::string key, value; vmstat >> key >> value;) {
    if (key == "thp_fault_fallback") return std::stol(value);
  }
  return 0;
}

TEST_CASE("flyte run's engine keeps its heap on huge pages where the kernel offers them",
          "[process][speed]") {
#if defined(__SANITIZE_ADDRESS__)
  WARN("an ASan build keeps its own allocator: the huge-page heap is off there");
  return;
#endif
  const std::string thp = Slurp("/sys/kernel/mm/transparent_hugepage/enabled");
  if (thp.find("[never]") != std::string::npos || thp.empty()) {
    WARN("transparent huge pages are off on this machine: nothing to check");
    return;
  }
  CliFixture f;
  const std::string marker = f.tmp / "started";
  const std::string file = f.Write("nap.yaml", R"yaml(
tasks:
  nap:
    script: touch ")yaml" + marker + R"yaml(" && sleep 30
workflows:
  wf:
    nodes:
      a: {task: nap}
)yaml");
  const long fallbacks = ThpFallbacks();
  Child run(FlyteArgv(f.home(), {"run", file}), FlyteEnv(f.home()));
  for (int i = 0; i < 2000 && !std::ifstream(marker).good(); ++i) ::usleep(10'000);
  REQUIRE(std::ifstream(marker).good());
  const long kb = HugeHeapKb(run.pid());
  run.Signal(SIGINT);
  // Asked for and refused (memory too fragmented for a free 2 MiB page) is the kernel's call;
  // never asked for leaves the fallback count alone, so that still fails here.
  if (kb == 0 && ThpFallbacks() > fallbacks) {
    WARN("the kernel had no free huge page for the engine's heap: nothing to check");
    return;
  }
  CHECK(kb >= 2048);
}

}  // namespace
}  // namespace flyte
