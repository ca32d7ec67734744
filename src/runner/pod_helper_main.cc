// main() of flyte-pod, the in-Pod program (runner/pod_helper.h), built as a small static
// program that the flyte binary carries and ships to clusters in a ConfigMap.
#include "runner/pod_helper.h"

int main(int argc, char** argv) { return flyte::PodHelperMain(argc, argv); }
