// The admin service over HTTP: what the remote CLI talks to. Implements the same AdminService
// interface as the in-process LocalAdmin, so commands do not care where the engine runs.
// An unreachable server is Unavailable naming the URL. One thread at a time.
#pragma once

#include <memory>
#include <string>

#include "flyte/admin.h"

namespace httplib {
class Client;
}

namespace flyte::http {

class RemoteAdmin : public AdminService {
 public:
  // `endpoint`: http://HOST:PORT (or HOST:PORT). InvalidArgument for anything else.
  static Result<std::unique_ptr<RemoteAdmin>> Connect(const std::string& endpoint,
                                                      const std::string& token = "");
  ~RemoteAdmin() override;

  Result<RegisterResult> Register(const RegisterRequest& request) override;
  Result<ExecutionKey> CreateExecution(const CreateExecutionRequest& request) override;
  Result<ExecutionRecord> GetExecution(const ExecutionKey& key) override;
  Result<std::vector<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter) override;
  Result<std::vector<NodeRecord>> ListNodes(const ExecutionKey& key) override;
  Result<std::vector<AttemptRecord>> ListAttempts(const ExecutionKey& key,
                                                  const std::string& node) override;
  Result<std::string> ReadLogs(const ExecutionKey& key, const std::string& node,
                               std::optional<uint32_t> attempt) override;
  Status Terminate(const ExecutionKey& key, const std::string& cause) override;
  Status Signal(const ExecutionKey& key, const std::string& name,
                const std::string& value) override;
  Result<ExecutionKey> Relaunch(const ExecutionKey& key, const std::string& name) override;
  Result<ExecutionKey> Recover(const ExecutionKey& key, const std::string& name) override;
  Status SetLaunchPlanState(const std::string& project, const std::string& domain,
                            const std::string& name, const std::string& version,
                            bool active) override;
  Result<std::vector<ProjectRecord>> ListProjects() override;
  Status PutProject(const ProjectRecord& project) override;
  Result<std::vector<EntityRecord>> ListEntities(const std::string& kind,
                                                 const std::string& project,
                                                 const std::string& domain, const std::string& name,
                                                 const std::string& version) override;
  Result<std::vector<CacheRecord>> ListCache(const std::string& task) override;
  Result<int64_t> ClearCache(const std::string& task) override;

  // Streams a task's output to `sink` until the attempt ends (logs -f).
  Status FollowLogs(const ExecutionKey& key, const std::string& node,
                    std::optional<uint32_t> attempt,
                    const std::function<bool(std::string_view)>& sink);
  // One server-sent phase change: the server's sequence number (the SSE id, in the order the
  // engine made the changes), and the node (empty for the execution itself) and its phase.
  struct PhaseEvent {
    uint64_t seq = 0;
    std::string node_id;
    std::string phase;
  };
  // Server-sent events of one execution (GET /api/v1/events?execution=...) after event
  // `after` (0: every one the server still holds): `on_event` runs for each until it returns
  // false, the stream ends, or Stop() is called from another thread.
  Status FollowEvents(const ExecutionKey& key, uint64_t after,
                      const std::function<bool(const PhaseEvent&)>& on_event);
  void Stop();

  // Values (http/client_data.cc). The typed inputs and outputs of an execution or (`node`
  // given) one of its nodes: GET /api/v1/data/..., as JSON text.
  Result<std::string> GetData(const ExecutionKey& key, const std::string& node);
  // Writes the value at `uri` to `dest`: a file (whole or not at all), or a folder made there
  // from the server's tar stream.
  Status Download(const std::string& uri, const std::string& dest, bool is_dir);
  // Sends a local file or folder (streamed, its digest computed first) to the server, which
  // stores it as a value: its URI there.
  Result<std::string> Upload(const std::string& local_path, bool is_dir);
  // Another connection to the same server with the same token (for a stream beside calls:
  // one connection serves one request at a time).
  Result<std::unique_ptr<RemoteAdmin>> Clone() const;
  const std::string& endpoint() const { return endpoint_; }

 private:
  // POST /executions/relaunch or /executions/recover.
  Result<ExecutionKey> Again(const std::string& verb, const ExecutionKey& key,
                             const std::string& name);
  // A streaming GET: each chunk of a 200 answer goes to `sink` until it returns false; an
  // error answer becomes a Status.
  Status Stream(const std::string& path, const std::function<bool(std::string_view)>& sink,
                const std::vector<std::pair<std::string, std::string>>& headers = {});
  RemoteAdmin(std::string endpoint, std::unique_ptr<httplib::Client> client);
  Result<std::string> Call(const char* method, const std::string& path,
                           const std::string& body = "");

  std::string endpoint_;
  std::string token_;
  std::unique_ptr<httplib::Client> client_;
};

// Percent-encodes a path segment or query value.
std::string UrlEncode(std::string_view s);

}  // namespace flyte::http
