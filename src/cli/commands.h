// One function per subcommand. Each takes its parsed options and returns the process exit
// code (CLI.md: 0 ok, 1 execution failed, 2 bad usage or invalid file, 3 unreachable or
// internal). app.cc is the only file that knows about the argument parser.
#pragma once

#include <string>
#include <vector>

#include "cli/kube_setup.h"

namespace flyte::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInternal = 3;

struct ValidateOptions {
  std::vector<std::string> files;
  bool quiet = false;
};
int RunValidate(const ValidateOptions& opts);

struct GraphOptions {
  std::string file;
  std::string workflow;
  std::string format = "dot";  // dot | mermaid
};
int RunGraph(const GraphOptions& opts);

struct RunOptions {
  std::string file;    // with `remote`, also the name of a registered launch plan or workflow
  std::string target;  // workflow or task; optional when the file has one workflow
  std::vector<std::string> inputs;  // K=V
  std::string inputs_file;
  std::string project, domain, name;
  bool overwrite_cache = false;
  bool no_cache = false;
  int max_parallelism = -1;         // -1: not given
  int64_t max_log_mib = 64;         // per attempt and stream; 0: no cap
  std::vector<std::string> env;     // K=V
  std::vector<std::string> labels;  // K=V
  std::string home;
  std::string output = "table";  // table | json | yaml
  bool verbose = false;
  std::string junit;
  bool remote = false;
  bool wait = true;
  std::string endpoint;
  std::string version;               // remote by name: the registered version (default: the newest)
  bool launch = false;               // flyte launch: `file` is always a registered name
  std::vector<std::string> signals;  // NAME=VALUE
  std::vector<std::string> approve;  // node ids
  std::vector<std::string> reject;
  KubeFlags kube;
  std::string raw_data_prefix;  // s3://bucket/prefix for file and folder values
};
int RunRun(const RunOptions& opts);

// `flyte doctor --kubernetes`: the kubeconfig, the server, the credentials, the permissions a
// Pod runner needs, and which plugin operators are installed, in one report.
int RunDoctor(const KubeFlags& flags);

// Local history, read from the home folder.
struct GetOptions {
  std::string what;  // executions | execution | inputs | outputs | ...
  std::string name;
  std::string node;      // inputs | outputs: of this node rather than the execution
  std::string download;  // inputs | outputs: write file and dir values into this folder
  bool details = false;
  std::string project, domain, workflow, phase;
  int limit = 50;
  std::string home;
  std::string endpoint;
  std::string output = "table";
};
int RunGet(const GetOptions& opts);
// `flyte get inputs|outputs EXEC [NODE]` (cli/get_values.cc).
int RunGetValues(const GetOptions& opts);

struct LogsOptions {
  std::string execution;
  std::string node;
  int attempt = -1;
  std::string project, domain;
  std::string home;
  std::string endpoint;
  bool follow = false;
};
int RunLogs(const LogsOptions& opts);

struct CacheOptions {
  std::string action;  // list | clear
  std::string task;
  std::string home;
  std::string endpoint;
  std::string output = "table";
};
int RunCache(const CacheOptions& opts);

struct GcOptionsCli {
  double older_than_days = 0;
  bool apply = false;
  std::string home;
  std::string raw_data_prefix;
  std::string output = "table";
};
int RunGc(const GcOptionsCli& opts);

struct ServeOptions {
  std::string listen;  // HOST:PORT, default 127.0.0.1:8080
  std::string home;
  std::string config;
  bool insecure = false;
  std::string auth;        // token | none
  std::string log_format;  // text | json
  bool access_log = false;
  std::string description;      // token create
  KubeFlags kube;               // over the config file's kubernetes: section
  std::string raw_data_prefix;  // over the config file's
};
int RunServe(const ServeOptions& opts);
int RunTokenCreate(const ServeOptions& opts);

// Remote commands (a flyte server).
struct RegisterOptions {
  std::vector<std::string> files;
  std::string version, project, domain;
  std::string home, endpoint;
};
int RunRegister(const RegisterOptions& opts);

struct RemoteOptions {
  std::string command;  // terminate | relaunch | signal | approve | reject
  std::string execution;
  std::string signal;  // signal name, or the approve gate's node id
  std::string value;   // signal value, or terminate's cause
  std::string name;    // relaunch: the new execution's name
  std::string project, domain;
  std::string home, endpoint;
};
int RunTerminate(const RemoteOptions& opts);
int RunRelaunch(const RemoteOptions& opts);
int RunRecover(const RemoteOptions& opts);
int RunSignal(const RemoteOptions& opts);
// launchplan activate|deactivate: `command`, the plan in `signal`, the version in `value`.
int RunLaunchPlanState(const RemoteOptions& opts);

struct ConfigInitOptions {
  std::string endpoint;
  std::string home;
  bool force = false;
};
int RunConfigInit(const ConfigInitOptions& opts);

int RunVersion();
int RunSchema();

// Entry point for main(): parses argv and dispatches.
int Main(int argc, char** argv);

}  // namespace flyte::cli
