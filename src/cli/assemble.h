// Builds a LocalAdmin's parts on a libuv loop, as `flyte run` and `flyte serve` use them: the
// home's folders and SQLite store, the blob area and data stores, the loop's clock and hooks,
// and the local process runner (under the supervisor for a server, so tasks survive it). The
// caller then routes other runners in (cli/kube_setup.h) and runs the loop.
#pragma once

#include <uv.h>

#include <memory>

#include "admin/local_admin.h"
#include "flyte/status.h"

namespace flyte::cli {

Result<std::unique_ptr<LocalAdmin>> OpenLocalAdmin(uv_loop_t* loop, LocalAdmin::Options options);

}  // namespace flyte::cli
