// main() of flyte-supervise, the task supervisor as a small static program (runner/supervise.h).
// The flyte binary carries it (runner/supervisor_file.h) because starting the flyte binary
// itself costs ~20 ms per task here, loading shared libraries the supervisor never uses.
#include "runner/supervise.h"

int main(int argc, char** argv) { return flyte::SuperviseMain(argc, argv); }
