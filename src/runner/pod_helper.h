// The in-Pod program, `flyte-pod`: what a task's container runs on Kubernetes, in front of the
// task's own command, so that any image presents the same process contract as a local run
// (WORKFLOW.md §3.1) with no other service. Small inputs arrive packed in the variable
// FLYTE_POD_INPUTS, which the program writes out as the files of $FLYTE_INPUT_DIR; larger ones
// as the files of a ConfigMap mounted there. The program runs the command (forwarding SIGTERM to
// it), then packs what the command wrote to $FLYTE_OUTPUT_DIR (scalar output files, outputs.json,
// _ERROR) into the container's termination message, which reaches flyte in the Pod's final status.
// flyte unpacks it into the attempt's local output folder and reads it with the local rules,
// so a Pod task's outputs are parsed exactly as a process task's.
//
// A small static program (no libraries): it is shipped to the cluster in a ConfigMap, whose
// size is limited to 1 MiB. Both halves of the message format live here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flyte {

// The kubelet keeps at most this much of a termination message.
inline constexpr size_t kTerminationMessageMax = 4096;

// The termination message: "flyte-pod/1 EXIT\n" then one "NAME BASE64\n" line per output file;
// or, when the files do not fit, "flyte-pod/1 EXIT too-large BYTES\n" (and, when it fits, the
// `_ERROR` file alone); "flyte-pod/1 EXIT folder NAME\n" when an output is a folder;
// "flyte-pod/1 0 staged BYTES\n" when the outputs went up as the `pack` transfer's archive.
struct PackedOutputs {
  bool valid = false;  // a message of this program (not a user's own, nor cut)
  int exit_code = -1;
  size_t too_large = 0;  // total bytes of the files, when they did not fit
  bool staged = false;   // the outputs are in the `pack` archive (its size in too_large)
  std::string folder;    // an output that is a folder
  std::vector<std::pair<std::string, std::string>> files;  // name → bytes
};
std::string PackOutputs(int exit_code,
                        const std::vector<std::pair<std::string, std::string>>& files,
                        const std::string& folder);
// The same format without the size limit: how small inputs travel in the Pod's environment.
std::string PackFiles(int exit_code, const std::vector<std::pair<std::string, std::string>>& files);
// The variable carrying them; the program writes them to $FLYTE_INPUT_DIR and unsets it.
inline constexpr const char* kInputsEnv = "FLYTE_POD_INPUTS";
// Inputs up to this size (packed) travel in the Pod; larger ones in a ConfigMap, whose values
// Kubernetes caps at 1 MiB in all; larger ones still, with a raw_data_prefix, in part through
// the bucket (`in` transfers).
inline constexpr size_t kMaxInlineInputs = 32 * 1024;
inline constexpr size_t kMaxConfigMapBytes = 1024 * 1024;
PackedOutputs UnpackOutputs(std::string_view message);
// With a raw_data_prefix: the input file holding the transfer list (runner/pod_transfer.h),
// and the variable naming the folder where file and folder inputs are downloaded.
inline constexpr const char* kTransfersFile = "_transfers";
inline constexpr const char* kDataDirEnv = "FLYTE_POD_DATA_DIR";

// main() of flyte-pod: `flyte-pod -- ARGV...`.
int PodHelperMain(int argc, char** argv);

}  // namespace flyte
