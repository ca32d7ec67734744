// The phase table of KUBERNETES.md §4, row by row, on Pod statuses shaped as a kubelet writes
// them, and the termination-message format of the in-Pod program.
#include <catch2/catch.hpp>

#include "kube/pod_phase.h"
#include "runner/pod_helper.h"

namespace flyte::kube {
namespace {

using Kind = PodVerdict::Kind;

constexpr int64_t kSecond = 1'000'000'000;

Pod Pending(const std::string& scheduled = "True") {
  Pod p;
  p.meta.name = "p";
  p.phase = "Pending";
  p.conditions.push_back(
      {"PodScheduled", scheduled, scheduled == "True" ? "" : "Unschedulable",
       scheduled == "True" ? "" : "0/3 nodes are available: 3 Insufficient cpu."});
  return p;
}

Pod Waiting(const std::string& reason, const std::string& message = "") {
  Pod p = Pending();
  ContainerState c;
  c.name = "task";
  c.kind = ContainerState::Kind::kWaiting;
  c.reason = reason;
  c.message = message;
  p.containers.push_back(c);
  return p;
}

Pod Ended(const std::string& phase, int exit_code, const std::string& reason,
          const std::string& message = "") {
  Pod p;
  p.meta.name = "p";
  p.phase = phase;
  ContainerState c;
  c.name = "task";
  c.kind = ContainerState::Kind::kTerminated;
  c.exit_code = exit_code;
  c.reason = reason;
  c.message = message;
  p.containers.push_back(c);
  return p;
}

TEST_CASE("pod phase: waiting rows", "[kube][pod_phase]") {
  ClassifyOptions o;
  PodVerdict v = Classify(Pending("False"), 0, 0, o);
  CHECK(v.kind == Kind::kQueued);
  CHECK_THAT(v.message, Catch::Contains("Insufficient cpu"));
  CHECK(Classify(Waiting("ContainerCreating"), 0, 0, o).kind == Kind::kInitializing);
  // Image pulls: initializing within the grace period, failed after it; an invalid name at once.
  PodVerdict pull =
      Classify(Waiting("ImagePullBackOff", "Back-off pulling image \"x\""), 10 * kSecond, 1, o);
  CHECK(pull.kind == Kind::kInitializing);
  CHECK(pull.waiting_reason == "ImagePullBackOff");
  pull = Classify(Waiting("ErrImagePull", "pull access denied for x"), 200 * kSecond, 1, o);
  CHECK(pull.kind == Kind::kPermanentError);
  CHECK_THAT(pull.message, Catch::Contains("pull access denied for x"));
  CHECK(Classify(Waiting("InvalidImageName"), 0, 0, o).kind == Kind::kPermanentError);
  // A missing Secret: a short grace (it may be created), then failed with the kubelet's message.
  CHECK(Classify(Waiting("CreateContainerConfigError", "secret \"s\" not found"), 5 * kSecond, 1, o)
            .kind == Kind::kInitializing);
  PodVerdict cfg =
      Classify(Waiting("CreateContainerConfigError", "secret \"s\" not found"), 90 * kSecond, 1, o);
  CHECK(cfg.kind == Kind::kPermanentError);
  CHECK_THAT(cfg.message, Catch::Contains("secret \"s\" not found"));
}

TEST_CASE("pod phase: ending rows", "[kube][pod_phase]") {
  ClassifyOptions o;
  o.memory_limit = "64Mi";
  PodVerdict ok = Classify(Ended("Succeeded", 0, "Completed", "flyte-pod/1 0\n"), 0, 0, o);
  CHECK(ok.kind == Kind::kSucceeded);
  CHECK(ok.termination_message == "flyte-pod/1 0\n");
  PodVerdict exit3 = Classify(Ended("Failed", 3, "Error"), 0, 0, o);
  CHECK(exit3.kind == Kind::kUserError);
  CHECK(exit3.exit_code == 3);
  PodVerdict oom = Classify(Ended("Failed", 137, "OOMKilled"), 0, 0, o);
  CHECK(oom.kind == Kind::kUserError);
  CHECK(oom.message == "out of memory (limit 64Mi)");
  // OOM in another container, with the task's exit 0, is still an OOM (flyte#4704).
  Pod side = Ended("Succeeded", 0, "Completed");
  side.containers.push_back(
      {"sidecar", ContainerState::Kind::kTerminated, "OOMKilled", "", 137, 0, "", 0});
  CHECK(Classify(side, 0, 0, o).code.text() == "OOMKilled");
  // Exit 137 without the OOMKilled reason, with a memory limit: said to be likely OOM.
  CHECK_THAT(Classify(Ended("Failed", 137, "Error"), 0, 0, o).message,
             Catch::Contains("likely out of memory"));
  // Evicted, node shutdown, preempted: system errors with the reason.
  Pod evicted = Ended("Failed", 137, "Error");
  evicted.reason = "Evicted";
  evicted.message = "The node was low on resource: memory.";
  PodVerdict ev = Classify(evicted, 0, 0, o);
  CHECK(ev.kind == Kind::kSystemError);
  CHECK_THAT(ev.message, Catch::Contains("Evicted") && Catch::Contains("low on resource"));
  CHECK(ev.code == ExecErrorCode::kEvicted);
  CHECK(ev.code.text() == "Evicted");
  // A reason flyte does not know (the kubelet's admission failures name the resource) is kept
  // as the code, as Kubernetes spelled it.
  Pod refused = Pending();
  refused.phase = "Failed";
  refused.reason = "OutOfnvidia.com/gpu";
  PodVerdict out = Classify(refused, 0, 0, o);
  CHECK(out.kind == Kind::kSystemError);
  CHECK(out.code == ExecErrorCode::kUnknown);
  CHECK(out.code.text() == "OutOfnvidia.com/gpu");
  refused.reason.clear();
  CHECK(Classify(refused, 0, 0, o).code.text() == "PodFailed");
  Pod lost = Pending();
  lost.phase = "Running";
  lost.meta.deleting = true;
  lost.conditions.push_back(
      {"DisruptionTarget", "True", "DeletionByTaintManager", "Taint manager: deleting"});
  CHECK(Classify(lost, 0, 0, o).kind == Kind::kSystemError);
  CHECK(Classify(Ended("Unknown", 0, ""), 0, 0, o).kind == Kind::kSystemError);
  // Deleted by someone else while running: a system error; after it ended, its end stands.
  Pod running = Pending();
  running.phase = "Running";
  CHECK(ClassifyDeleted(running, o).code.text() == "PodDeleted");
  CHECK(ClassifyDeleted(Ended("Succeeded", 0, "Completed"), o).kind == Kind::kSucceeded);
}

TEST_CASE("pod phase: a quota the request alone exceeds fails fast; a full one waits",
          "[kube][pod_phase]") {
  const std::string full =
      "pods \"p\" is forbidden: exceeded quota: compute-resources, requested: limits.cpu=2, used: "
      "limits.cpu=7, "
      "limited: limits.cpu=8";
  CHECK(IsQuotaRefusal(full));
  CHECK(QuotaNeverFits(full).empty());
  const std::string never =
      "pods \"p\" is forbidden: exceeded quota: compute-resources, requested: "
      "limits.cpu=16,limits.memory=1Gi, "
      "used: limits.cpu=0, limited: limits.cpu=8,limits.memory=64Gi";
  CHECK(QuotaNeverFits(never) ==
        "the task requests limits.cpu=16, but the quota compute-resources allows at most "
        "limits.cpu=8 in all");
}

}  // namespace
}  // namespace flyte::kube

namespace flyte {
namespace {

TEST_CASE("pod helper: outputs packed into a termination message and back", "[kube][pod_helper]") {
  std::vector<std::pair<std::string, std::string>> files = {{"sum", "42\n"},
                                                            {"bin", std::string("\0\xff\x01", 3)}};
  std::string m = PackOutputs(0, files, "");
  CHECK(m.size() < kTerminationMessageMax);
  PackedOutputs p = UnpackOutputs(m);
  REQUIRE(p.valid);
  CHECK(p.exit_code == 0);
  CHECK(p.files == files);
  // Too large: only the size, and _ERROR when it fits.
  std::string big = PackOutputs(1, {{"blob", std::string(5000, 'x')}, {"_ERROR", "boom"}}, "");
  CHECK(big.size() <= kTerminationMessageMax);
  PackedOutputs pb = UnpackOutputs(big);
  REQUIRE(pb.valid);
  CHECK(pb.too_large == 5004);
  REQUIRE(pb.files.size() == 1);
  CHECK(pb.files[0].second == "boom");
  CHECK(UnpackOutputs(PackOutputs(0, {}, "model")).folder == "model");
  // Sent as the outputs archive: said so, with its size.
  PackedOutputs ps = UnpackOutputs("flyte-pod/1 0 staged 123456\n");
  REQUIRE(ps.valid);
  CHECK(ps.staged);
  CHECK(ps.too_large == 123456);
  CHECK_FALSE(pb.staged);
  // Not ours, cut, or hostile: invalid, never a crash or a path outside the folder.
  for (std::string bad :
       {std::string(""), std::string("hello"), std::string("flyte-pod/1 0\nsum NDI"),
        std::string("flyte-pod/1 x\n"), std::string("flyte-pod/1 0\n../etc Zm9v\n"),
        std::string("flyte-pod/1 0 staged x\n"), m.substr(0, m.size() - 3)}) {
    INFO(bad);
    CHECK_FALSE(UnpackOutputs(bad).valid);
  }
}

}  // namespace
}  // namespace flyte
