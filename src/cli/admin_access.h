// Where a command's admin service lives: the server named by --endpoint, else FLYTE_ENDPOINT,
// else `admin.endpoint` in $FLYTE_HOME/config.yaml; with none of those, the home folder itself,
// opened in-process on a private loop for the duration of the command.
#pragma once

#include <uv.h>

#include <memory>
#include <string>

#include "admin/local_admin.h"
#include "http/client.h"

namespace flyte::cli {

// The endpoint to use ("" for local), and where it came from (for messages).
struct Endpoint {
  std::string url;
  std::string source;  // "--endpoint", "FLYTE_ENDPOINT", or the config file's path
  std::string error;   // a config file that cannot be read
  std::string token;   // admin.token of the config file (FLYTE_TOKEN wins)
};
Endpoint ResolveEndpoint(const std::string& flag, const std::string& home);

// `project:` and `domain:` at the top of $FLYTE_HOME/config.yaml (flytectl's keys): they replace
// flytesnacks and development wherever those are the default. Empty when not set.
struct ClientDefaults {
  std::string project, domain;
  std::string raw_data_prefix;  // for flyte run (docs/storage.md)
};
ClientDefaults ReadClientDefaults(const std::string& home);
// For commands given a workflow file (run, register): fills an empty `project` / `domain` from
// config.yaml unless the file names its own.
void ApplyClientDefaults(const std::string& home, const std::string& file_text,
                         std::string& project, std::string& domain);

class AdminAccess {
 public:
  // `remote_only`: commands that need a server fail when none is configured.
  AdminAccess(const std::string& home, const std::string& endpoint_flag, bool remote_only = false);
  ~AdminAccess();

  AdminService* admin() {
    return local_ ? static_cast<AdminService*>(local_.get()) : remote_.get();
  }
  http::RemoteAdmin* remote() { return remote_.get(); }
  LocalAdmin* local() { return local_.get(); }
  // The home folder or the server's URL, for messages.
  const std::string& where() const { return where_; }
  const std::string& error() const { return error_; }
  // The project and domain a command means when given none: config.yaml's, else Flyte's.
  const std::string& default_project() const { return project_; }
  const std::string& default_domain() const { return domain_; }
  int error_exit() const { return error_exit_; }
  // No server, and the home folder holds no database: nothing was ever run there.
  bool no_home() const { return no_home_; }

 private:
  uv_loop_t loop_;
  std::unique_ptr<LocalAdmin> local_;
  std::unique_ptr<http::RemoteAdmin> remote_;
  std::string where_, error_;
  std::string project_ = "flytesnacks", domain_ = "development";
  int error_exit_ = 3;
  bool no_home_ = false;
};

// Finds an execution by name: in the given project/domain, or in any when not given (on a
// server: config.yaml's, else flytesnacks/development). InvalidArgument when several match.
Result<ExecutionRecord> FindExecution(AdminAccess& access, const std::string& name,
                                      const std::string& project, const std::string& domain);

// Exit code for a failed admin call: 3 when the server cannot be reached or something broke,
// 2 for what the user asked wrongly (unknown names, bad values), 1 for a refused state change.
int ExitFor(const Status& st);

}  // namespace flyte::cli
