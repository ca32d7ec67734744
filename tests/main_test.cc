// The test binary's entry point. As in `flyte serve` (which runs with SIGPIPE ignored), a test
// talking HTTP to a server that answers early and closes (a 413 before a large body is read)
// must get EPIPE from its write, not die of the signal: cpp-httplib 0.11 does not send with
// MSG_NOSIGNAL.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <csignal>

int main(int argc, char* argv[]) {
  std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
