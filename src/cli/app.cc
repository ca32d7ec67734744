// The command-line parser: the one file that includes CLI11. It turns argv into option
// structs and calls the subcommand functions of commands.h.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/choices.h"
#include "cli/commands.h"
#include "cli/tool_commands.h"
#include "runner/watchdog.h"
#include "util/huge_heap.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::cli {
namespace {

// A flag or argument that takes one of `names`: anything else is refused with the valid values
// and the likely intended one (cli/choices.h). `ignore_case` also rewrites the value to its
// canonical spelling.
CLI::Validator OneOf(std::string what, std::vector<std::string> names, bool ignore_case = false) {
  std::string desc =
      "{" + Join(names, ",") + "}";  // as CLI::IsMember shows it (and completion reads it)
  return CLI::Validator(
      [what = std::move(what), names = std::move(names),
       ignore_case](std::string& value) -> std::string {
        Result<std::string> chosen = Choose(what, value, names, ignore_case);
        if (!chosen.ok()) return chosen.status().message();
        value = *chosen;
        return "";
      },
      desc);
}

// `flyte runn`: CLI11 would only say that a subcommand is required. The first word that names
// no command of its parent gets the commands and a did-you-mean instead.
bool UnknownCommand(CLI::App& app, int argc, char** argv) {
  CLI::App* at = &app;
  std::string path = "flyte";
  for (int i = 1; i < argc && argv[i][0] != '-'; ++i) {
    std::vector<CLI::App*> subs = at->get_subcommands([](CLI::App*) { return true; });
    const bool has_positionals =
        !at->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
    if (subs.empty() || has_positionals) return false;
    std::vector<std::string> names;
    CLI::App* next = nullptr;
    for (CLI::App* s : subs) {
      names.push_back(s->get_name());
      if (s->get_name() == argv[i]) next = s;
    }
    if (next == nullptr) {
      std::string word = argv[i];
      std::fprintf(stderr, "%s: unknown command %s%s\ncommands: %s\n", path.c_str(),
                   Quote(word).c_str(), Suggest(word, names).c_str(), Join(names, ", ").c_str());
      return true;
    }
    at = next;
    path += " " + next->get_name();
  }
  return false;
}

// Ends `flyte run` once its work is done, without tearing down what start-up built: the command
// tree, the heap and the static objects (freeing them cost ~110 page faults per run when the
// run was two forked processes: docs/benchmarks.md, run 7). Everything that must reach the disk is
// closed by then (the store, the logs); only the standard streams are left to flush. Under the
// sanitizers the normal return runs, so that leaks are still reported.
int ExitNow(int code) {
#if defined(__SANITIZE_ADDRESS__)
  return code;
#else
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  ::_exit(code);
#endif
}

// `flyte run`'s definition, for the whole tree and for the fast path of Main, which builds
// only this command.
CLI::App* AddRun(CLI::App& app, RunOptions& run) {
  CLI::App* r =
      app.add_subcommand("run", "Compile a workflow file and run a workflow or task to the end");
  r->add_option("file", run.file,
                "Workflow file; with --remote, or the name of a registered launch plan or workflow")
      ->required();
  r->add_option("target", run.target,
                "Workflow or task to run (optional when the file has one workflow)");
  r->add_option("-i,--input", run.inputs,
                "An input as NAME=VALUE, read by its declared type (repeatable)")
      ->take_all();
  r->add_option("--inputs", run.inputs_file, "A YAML or JSON file mapping input names to values");
  r->add_option("-p,--project", run.project,
                "Project (default: the file's, else config.yaml's, else flytesnacks)");
  r->add_option("-d,--domain", run.domain,
                "Domain (default: the file's, else config.yaml's, else development)");
  r->add_option("--version", run.version,
                "With --remote NAME: the registered version to run (default: the newest)");
  r->add_option("--name", run.name, "Execution name (default: generated)");
  r->add_flag("--overwrite-cache", run.overwrite_cache,
              "Run cached tasks again and replace their cache entries");
  r->add_flag("--no-cache", run.no_cache, "Neither read nor write the task cache");
  r->add_option(
       "--max-parallelism", run.max_parallelism,
       "Tasks running at once (default: the workflow's, else the number of cores); 0: no limit")
      ->check(CLI::NonNegativeNumber);
  r->add_option(
       "--max-log-mib", run.max_log_mib,
       "Keep at most this many MiB of each task attempt's stdout and of its stderr: the first and "
       "last halves, with a line saying how much was cut; 0: no limit")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  r->add_option("--env", run.env, "An environment variable for every task, NAME=VALUE (repeatable)")
      ->take_all();
  r->add_option("--label", run.labels, "A label recorded on the execution, KEY=VALUE (repeatable)")
      ->take_all();
  r->add_option(
      "--home", run.home,
      "Home folder with the database, blobs and runs (default: $FLYTE_HOME, else ~/.flyte)");
  r->add_option("-o,--output", run.output, "Result format")
      ->check(OneOf("output format", {"table", "json", "yaml"}));
  r->add_flag("-v,--verbose", run.verbose, "Stream task output, each line prefixed with its node");
  r->add_option("--junit", run.junit,
                "Write a JUnit XML report (one testcase per node) to this file");
  r->add_option("--signal", run.signals, "A value for a signal gate, NAME=VALUE (repeatable)")
      ->take_all();
  r->add_option("--approve", run.approve, "Approve the approve gate of this node (repeatable)")
      ->take_all();
  r->add_option("--reject", run.reject, "Reject the approve gate of this node (repeatable)")
      ->take_all();
  r->add_flag(
      "--kubernetes", run.kube.enabled,
      "Run tasks that have an image as Kubernetes Pods (kubeconfig found as kubectl finds it)");
  r->add_option("--kubeconfig", run.kube.kubeconfig, "With Kubernetes: this kubeconfig file only");
  r->add_option("--context", run.kube.context,
                "With Kubernetes: the kubeconfig context (default: current-context)");
  r->add_option(
      "--raw-data-prefix", run.raw_data_prefix,
      "Object storage for blob values, s3://BUCKET/PREFIX (AWS settings as the AWS CLI reads "
      "them; default: raw_data_prefix in HOME/config.yaml, else the home's blob store)");
  r->add_option("--namespace", run.kube.ns,
                "With Kubernetes: the namespace of the Pods (default: the context's)");
  r->add_option("--kube-image", run.kube.image,
                "With Kubernetes: the image of tasks that name none (they then run as Pods too)");
  r->add_option_function<std::string>(
      "--image-pull-grace",
      [&run](const std::string& v) {
        std::optional<int64_t> d = ParseDuration(v);
        if (!d || *d < 0)
          throw CLI::ValidationError("--image-pull-grace",
                                     "a duration such as 3m or 30s, got " + v);
        run.kube.image_pull_grace_nanos = *d;
      },
      "With Kubernetes: how long a failing image pull may last before the attempt fails (default "
      "3m)");
  r->add_option("--max-pods", run.kube.max_pods, "With Kubernetes: Pods running at once")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  r->add_flag("--remote", run.remote, "Submit to a flyte server instead of running here");
  r->add_flag("--wait,!--no-wait", run.wait, "With --remote: follow the execution until it ends");
  r->add_option("--endpoint", run.endpoint,
                "With --remote: the server (default: FLYTE_ENDPOINT, else config.yaml)");
  r->footer(
      "Exit status: 0 succeeded; 1 failed, timed out or aborted; 2 bad usage or invalid file\n"
      "(nothing ran); 3 internal error; 130 interrupted (Ctrl-C aborts running tasks).\n"
      "Examples:\n"
      "  flyte run examples/hello.yaml --input who=Ada\n"
      "  flyte run examples/hello.yaml greet --input who=Ada    # one task on its own\n"
      "  flyte run pipeline.yaml train -i lr=0.1 -i 'layers=[64, 32]' -o json\n"
      "  flyte run --remote double_it -i value=4 -p team-a    # a registered launch plan or "
      "workflow");
  return r;
}

constexpr const char* kAbout =
    "flyte: Flyte's workflow model in one executable.\n"
    "Typed tasks, workflows and launch plans from a YAML file, run locally in "
    "milliseconds.";

void SetUpTop(CLI::App& app) {
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
}

// CLI11's parse. On a parse error (or --help) the message is printed and the exit code returned.
std::optional<int> Parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  return std::nullopt;
}

// `flyte run FILE ...`, the command whose start-up counts (docs/benchmarks.md, run 8): its own
// definition only, not the whole tree of ~30 commands, with the same functions, so its parsing,
// errors and --help are those of the whole tree. --help-all shows every command: not here.
std::optional<int> FastRun(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "run") != 0) return std::nullopt;
  for (int i = 2; i < argc; ++i)
    if (std::strncmp(argv[i], "--help-all", 10) == 0) return std::nullopt;
  // A local run starts its watchdog first, before the command line is parsed and before any
  // thread (runner/watchdog.h). A remote run needs none.
  bool remote = false;
  for (int i = 2; i < argc; ++i) remote = remote || std::strcmp(argv[i], "--remote") == 0;
  if (!remote) {
    StartWatchdog();
    HeapOnHugePages();  // the engine's: its ~500 KB of heap in one page fault, not 120
  }
  CLI::App app{kAbout, "flyte"};
  SetUpTop(app);
  RunOptions run;
  AddRun(app, run);
  if (std::optional<int> code = Parse(app, argc, argv)) {
    WatchdogAllClear();  // nothing ran
    return *code;
  }
  return ExitNow(RunRun(run));
}

}  // namespace

int Main(int argc, char** argv) {
  if (std::optional<int> code = FastRun(argc, argv)) return *code;
  CLI::App app{kAbout, "flyte"};
  SetUpTop(app);

  ValidateOptions validate;
  CLI::App* v = app.add_subcommand(
      "validate",
      "Compile workflow files without running them; report every error as FILE:LINE:COL");
  v->add_option("files", validate.files, "Workflow files (YAML)")->required();
  v->add_flag("-q,--quiet", validate.quiet, "Print nothing for valid files");
  v->footer(
      "Exit status: 0 when every file is valid, 2 otherwise.\n"
      "Example: flyte validate examples/hello.yaml");

  GraphOptions graph;
  CLI::App* g = app.add_subcommand("graph", "Print a workflow's DAG as Graphviz dot or Mermaid");
  g->add_option("file", graph.file, "Workflow file")->required();
  g->add_option("workflow", graph.workflow, "Workflow name (optional when the file has one)");
  g->add_option("--format", graph.format, "Output format")
      ->check(OneOf("format", {"dot", "mermaid"}))
      ->capture_default_str();
  g->footer(
      "Example: flyte graph examples/ml_pipeline.yaml --format mermaid\n"
      "         flyte graph examples/etl.yaml | dot -Tsvg > etl.svg");

  RunOptions run;
  CLI::App* r = AddRun(app, run);

  // flytectl's `create execution` habit, as a verb: `flyte run --remote NAME` under another name.
  RunOptions launch;
  launch.remote = true;
  launch.launch = true;
  CLI::App* la = app.add_subcommand(
      "launch", "Run a registered launch plan (else workflow) on a server, by name");
  la->add_option("name", launch.file, "Launch plan or workflow name")->required();
  la->add_option("-i,--input", launch.inputs,
                 "An input as NAME=VALUE, read by its declared type (repeatable)")
      ->take_all();
  la->add_option("--inputs", launch.inputs_file,
                 "A YAML or JSON file mapping input names to values");
  la->add_option("-p,--project", launch.project,
                 "Project (default: config.yaml's, else flytesnacks)");
  la->add_option("-d,--domain", launch.domain, "Domain (default: config.yaml's, else development)");
  la->add_option("--version", launch.version, "The registered version (default: the newest)");
  la->add_option("--name", launch.name, "Execution name (default: generated)");
  la->add_option("--label", launch.labels,
                 "A label recorded on the execution, KEY=VALUE (repeatable)")
      ->take_all();
  la->add_flag("--wait,!--no-wait", launch.wait, "Follow the execution until it ends");
  la->add_option("-o,--output", launch.output, "Result format")
      ->check(OneOf("output format", {"table", "json", "yaml"}));
  la->add_option("--home", launch.home, "Home folder, for config.yaml");
  la->add_option("--endpoint", launch.endpoint,
                 "The server (default: FLYTE_ENDPOINT, else config.yaml)");
  la->footer("Example: flyte launch double_it -i value=4 -p flytesnacks -d development --no-wait");

  GetOptions get;
  CLI::App* gt = app.add_subcommand("get", "Show executions run from this home (local history)");
  gt->add_option(
        "what", get.what,
        "executions | execution | inputs | outputs | projects | tasks | workflows | launchplans")
      ->required()
      ->check(OneOf("kind", {"executions", "execution", "inputs", "outputs", "projects", "tasks",
                             "workflows", "launchplans"}));
  gt->add_option("name", get.name,
                 "Execution name; for tasks, workflows and launchplans: one name's versions");
  gt->add_option("node", get.node,
                 "inputs | outputs: of this node of the execution (default: the execution's)");
  gt->add_option("--download", get.download,
                 "inputs | outputs: write file and dir values into this folder, byte for byte");
  gt->add_flag("--details", get.details,
               "Show the node tree: phases, attempts, cache status, durations");
  gt->add_option("-p,--project", get.project,
                 "Only this project (default on a server: config.yaml's, else flytesnacks)");
  gt->add_option("-d,--domain", get.domain,
                 "Only this domain (default on a server: config.yaml's, else development)");
  gt->add_option("--workflow", get.workflow, "Only executions of this workflow");
  gt->add_option("--phase", get.phase, "Only executions in this phase, e.g. FAILED (any case)")
      ->transform(OneOf("phase", ExecutionPhaseNames(), /*ignore_case=*/true));
  gt->add_option("--limit", get.limit, "At most this many executions")->capture_default_str();
  gt->add_option("--home", get.home, "Home folder (default: $FLYTE_HOME, else ~/.flyte)");
  gt->add_option("--endpoint", get.endpoint,
                 "A flyte server (default: FLYTE_ENDPOINT, else config.yaml, else the home)");
  gt->add_option("-o,--output", get.output, "Format")
      ->check(OneOf("output format", {"table", "json", "yaml"}));
  gt->footer(
      "Examples:\n  flyte get executions\n  flyte get execution NAME --details\n  flyte get "
      "workflows\n"
      "  flyte get outputs NAME --download ./out\n  flyte get inputs NAME train -o json\n"
      "  flyte get launchplans nightly --endpoint http://127.0.0.1:8080");

  LogsOptions logs;
  CLI::App* lg = app.add_subcommand("logs", "Print a task's output (stdout, then stderr)");
  lg->add_option("execution", logs.execution, "Execution name")->required();
  lg->add_option("node", logs.node, "Node id (default: every node that ran)");
  lg->add_option("--attempt", logs.attempt, "Attempt number, 0-based (default: the last)");
  lg->add_option("-p,--project", logs.project,
                 "Project (default: config.yaml's, else any locally, flytesnacks on a server)");
  lg->add_option("-d,--domain", logs.domain,
                 "Domain (default: config.yaml's, else any locally, development on a server)");
  lg->add_option("--home", logs.home, "Home folder (default: $FLYTE_HOME, else ~/.flyte)");
  lg->add_option("--endpoint", logs.endpoint,
                 "A flyte server (default: FLYTE_ENDPOINT, else config.yaml, else the home)");
  lg->add_flag("-f,--follow", logs.follow,
               "Keep printing the node's output until its attempt ends (server only)");

  CacheOptions cache;
  CLI::App* ch = app.add_subcommand("cache", "List or clear the task output cache");
  ch->add_option("action", cache.action, "list | clear")
      ->required()
      ->check(OneOf("action", {"list", "clear"}));
  ch->add_option("--task", cache.task, "Only entries of this task");
  ch->add_option("--home", cache.home, "Home folder (default: $FLYTE_HOME, else ~/.flyte)");
  ch->add_option("-o,--output", cache.output, "Format")
      ->check(OneOf("output format", {"table", "json", "yaml"}));

  GcOptionsCli gc;
  CLI::App* gcc = app.add_subcommand(
      "gc", "Remove stored file and dir values of old executions (dry run by default)");
  gcc->add_option("--older-than", gc.older_than_days,
                  "Values of executions created more than DAYS days ago")
      ->required()
      ->check(CLI::Range(0.0, 36500.0));
  gcc->add_flag("--apply", gc.apply, "Remove them (without it, only print what would go)");
  gcc->add_option("--home", gc.home, "Home folder (default: $FLYTE_HOME, else ~/.flyte)");
  gcc->add_option("--raw-data-prefix", gc.raw_data_prefix,
                  "Also values under this s3://bucket/prefix (the home's raw_data_prefix)");
  gcc->add_option("-o,--output", gc.output, "Format")
      ->check(OneOf("output format", {"table", "json"}));
  gcc->footer(
      "A value stays while a cache entry, a newer execution or one still running names it, or when "
      "it was "
      "written since.\nExamples:\n  flyte gc --older-than 30\n  flyte gc --older-than 30 --apply");

  RegisterOptions reg;
  CLI::App* rg = app.add_subcommand(
      "register", "Register a workflow file's tasks, workflows and launch plans on a server");
  rg->add_option("files", reg.files, "Workflow files")->required();
  rg->add_option("--version", reg.version,
                 "Version to register under (default: a digest of the file)");
  rg->add_option("-p,--project", reg.project, "Project (default: the file's, else config.yaml's)");
  rg->add_option("-d,--domain", reg.domain, "Domain (default: the file's, else config.yaml's)");
  rg->add_option("--home", reg.home, "Home folder, for config.yaml");
  rg->add_option("--endpoint", reg.endpoint,
                 "The server (default: FLYTE_ENDPOINT, else config.yaml)");

  RemoteOptions remote;
  auto remote_common = [&remote](CLI::App* c) {
    c->add_option("-p,--project", remote.project,
                  "Project (default: config.yaml's, else flytesnacks)");
    c->add_option("-d,--domain", remote.domain,
                  "Domain (default: config.yaml's, else development)");
    c->add_option("--home", remote.home, "Home folder, for config.yaml");
    c->add_option("--endpoint", remote.endpoint,
                  "The server (default: FLYTE_ENDPOINT, else config.yaml)");
  };
  CLI::App* tm = app.add_subcommand("terminate", "Abort a running execution on a server");
  tm->add_option("execution", remote.execution, "Execution name")->required();
  tm->add_option("--cause", remote.value, "Why (recorded as the execution's error)");
  remote_common(tm);
  CLI::App* rl =
      app.add_subcommand("relaunch", "Start a new execution with the same target and inputs");
  rl->add_option("execution", remote.execution, "Execution name")->required();
  rl->add_option("--name", remote.name, "Name of the new execution (default: generated)");
  remote_common(rl);
  CLI::App* rc = app.add_subcommand(
      "recover",
      "Start a new execution of an ended one; nodes that succeeded are RECOVERED, not run again");
  rc->add_option("execution", remote.execution, "Execution name")->required();
  rc->add_option("--name", remote.name, "Name of the new execution (default: generated)");
  remote_common(rc);
  CLI::App* sg = app.add_subcommand("signal", "Give a waiting signal gate its value");
  sg->add_option("execution", remote.execution, "Execution name")->required();
  sg->add_option("name", remote.signal, "Signal name")->required();
  sg->add_option("value", remote.value, "Value, read by the signal's declared type")->required();
  remote_common(sg);
  CLI::App* ap = app.add_subcommand("approve", "Approve a waiting approve gate");
  ap->add_option("execution", remote.execution, "Execution name")->required();
  ap->add_option("node", remote.signal, "The gate's node id")->required();
  remote_common(ap);
  CLI::App* rj = app.add_subcommand("reject", "Reject a waiting approve gate (its node fails)");
  rj->add_option("execution", remote.execution, "Execution name")->required();
  rj->add_option("node", remote.signal, "The gate's node id")->required();
  remote_common(rj);

  CLI::App* lp = app.add_subcommand(
      "launchplan", "Activate or deactivate a launch plan (its schedule runs while active)");
  std::string lp_action;
  lp->add_option("action", lp_action, "activate | deactivate")
      ->required()
      ->check(OneOf("action", {"activate", "deactivate"}));
  lp->add_option("name", remote.signal, "Launch plan name")->required();
  lp->add_option("--version", remote.value, "Version (default: the newest)");
  remote_common(lp);

  ConfigInitOptions config_init;
  CLI::App* cf = app.add_subcommand("config", "Client configuration");
  CLI::App* cfi =
      cf->add_subcommand("init", "Write $FLYTE_HOME/config.yaml with the server's endpoint");
  cfi->add_option("--endpoint", config_init.endpoint, "Server URL (default http://127.0.0.1:8080)");
  cfi->add_option("--home", config_init.home, "Home folder (default: $FLYTE_HOME, else ~/.flyte)");
  cfi->add_flag("--force", config_init.force, "Replace an existing config.yaml");
  cf->require_subcommand(1);

  ServeOptions serve;
  CLI::App* sv = app.add_subcommand(
      "serve", "Run the admin API, executor and store as a server (the dev sandbox)");
  sv->add_option("--listen", serve.listen,
                 "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks a free one)");
  sv->add_option("--home", serve.home, "Home folder (default: $FLYTE_HOME, else ~/.flyte)");
  sv->add_option("--config", serve.config, "Server configuration file (see config/server.yaml)");
  sv->add_flag("--insecure", serve.insecure,
               "Allow listening beyond localhost without authentication");
  sv->add_option("--auth", serve.auth,
                 "token: require a bearer token (flyte serve token create) on every request")
      ->check(OneOf("auth mode", {"token", "none"}));
  sv->add_option("--log-format", serve.log_format,
                 "text (default) or json: one JSON object per log line on stderr")
      ->check(OneOf("log format", {"text", "json"}));
  sv->add_flag("--access-log", serve.access_log,
               "Log every API request (method, path, status, milliseconds)");
  sv->add_flag(
      "--kubernetes", serve.kube.enabled,
      "Run tasks that have an image as Kubernetes Pods (or a kubernetes: section in --config)");
  sv->add_option("--kubeconfig", serve.kube.kubeconfig,
                 "With Kubernetes: this kubeconfig file only");
  sv->add_option("--context", serve.kube.context, "With Kubernetes: the kubeconfig context");
  sv->add_option("--namespace", serve.kube.ns, "With Kubernetes: the namespace of the Pods");
  sv->add_option("--kube-image", serve.kube.image,
                 "With Kubernetes: the image of tasks that name none");
  sv->add_option(
      "--raw-data-prefix", serve.raw_data_prefix,
      "Object storage for blob values, s3://BUCKET/PREFIX (or raw_data_prefix in --config)");
  CLI::App* svt = sv->add_subcommand("token", "API tokens for --auth token");
  CLI::App* svtc = svt->add_subcommand(
      "create", "Create a token; it is printed once and only its hash is stored");
  svtc->add_option("--description", serve.description, "What the token is for");
  svtc->add_option("--home", serve.home, "Home folder (default: $FLYTE_HOME, else ~/.flyte)");
  svt->require_subcommand(1);
  sv->footer(
      "Example: flyte serve --listen 127.0.0.1:8080, then flyte register FILE --endpoint "
      "http://127.0.0.1:8080");

  KubeFlags doctor;
  CLI::App* dr =
      app.add_subcommand("doctor",
                         "Check what flyte can use here: Kubernetes (kubeconfig, credentials, "
                         "permissions, plugin operators)");
  dr->add_flag("--kubernetes", doctor.enabled, "Check the Kubernetes cluster (the default check)");
  dr->add_option("--kubeconfig", doctor.kubeconfig, "This kubeconfig file only");
  dr->add_option("--context", doctor.context, "The kubeconfig context (default: current-context)");
  dr->add_option("--namespace", doctor.ns, "The namespace flyte's Pods would run in");
  dr->footer("Exit status: 0 when flyte can run Pods there; 1 when something it needs is missing.");
  app.add_subcommand("version", "Print the version, commit, build date and optional parts")
      ->callback([] {});
  app.add_subcommand("schema",
                     "Print the JSON Schema of workflow files (for editors with a YAML language "
                     "server)")
      ->footer(
          "Example: flyte schema > .flyte.schema.json, then add to the top of a file:\n"
          "  # yaml-language-server: $schema=.flyte.schema.json");
  ToolCommands tools(app);  // last: --version, help, completion and __man read every command above

  if (UnknownCommand(app, argc, argv)) return kExitUsage;
  if (std::optional<int> code = Parse(app, argc, argv)) return *code;
  if (std::optional<int> code = tools.Run()) return *code;
  if (v->parsed()) return RunValidate(validate);
  if (r->parsed()) return ExitNow(RunRun(run));
  if (la->parsed()) return ExitNow(RunRun(launch));
  if (gt->parsed()) {
    if (get.what == "execution" && get.name.empty()) {
      std::cerr << "flyte get execution: name the execution (see flyte get executions)\n";
      return kExitUsage;
    }
    return RunGet(get);
  }
  if (lg->parsed()) return RunLogs(logs);
  if (ch->parsed()) return RunCache(cache);
  if (gcc->parsed()) return RunGc(gc);
  if (g->parsed()) return RunGraph(graph);
  if (svtc->parsed()) return RunTokenCreate(serve);
  if (sv->parsed()) return RunServe(serve);
  if (rg->parsed()) return RunRegister(reg);
  if (tm->parsed()) return RunTerminate(remote);
  if (rl->parsed()) return RunRelaunch(remote);
  if (rc->parsed()) return RunRecover(remote);
  for (auto [cmd, name] :
       {std::pair{sg, "signal"}, std::pair{ap, "approve"}, std::pair{rj, "reject"}}) {
    if (cmd->parsed()) {
      remote.command = name;
      return RunSignal(remote);
    }
  }
  if (cfi->parsed()) return RunConfigInit(config_init);
  if (lp->parsed()) {
    remote.command = lp_action;
    return RunLaunchPlanState(remote);
  }
  if (dr->parsed()) return RunDoctor(doctor);
  if (app.got_subcommand("version")) return RunVersion();
  if (app.got_subcommand("schema")) return RunSchema();
  return kExitUsage;
}

}  // namespace flyte::cli
