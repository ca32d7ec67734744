// What the scheduler of `flyte serve` (cron/schedule_service.h) needs of the admin: compiled
// registrations, launching, whether a plan's executions still run, and the rows that keep
// schedules across restarts. LocalAdmin implements it; the scheduler sees nothing else of it.
// Loop thread only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "flyte/admin.h"
#include "flyte/compiler.h"
#include "flyte/status.h"
#include "flyte/store.h"

namespace flyte {

class ScheduleHost {
 public:
  virtual ~ScheduleHost() = default;
  virtual Result<std::shared_ptr<const CompiledFile>> Compiled(const std::string& digest) = 0;
  virtual Result<ExecutionKey> CreateExecution(const CreateExecutionRequest& request) = 0;
  virtual Result<std::vector<EntityRecord>> ListEntities(const std::string& kind,
                                                         const std::string& project,
                                                         const std::string& domain,
                                                         const std::string& name,
                                                         const std::string& version) = 0;
  // Live executions started from launch plan `name` that have not ended.
  virtual bool HasRunning(const std::string& project, const std::string& domain,
                          const std::string& launch_plan) const = 0;
  virtual Result<std::vector<ScheduleRecord>> ListSchedules() = 0;
  virtual Status PutSchedule(const ScheduleRecord& schedule) = 0;
  virtual Status DeleteSchedule(const std::string& project, const std::string& domain,
                                const std::string& name) = 0;
  // Fires up to and including `fire_nanos` are handled (the row keeps the maximum).
  virtual Status RecordFire(const std::string& project, const std::string& domain,
                            const std::string& name, int64_t fire_nanos) = 0;
};

}  // namespace flyte
