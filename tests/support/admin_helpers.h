// Registering a workflow file with an admin and starting an execution of it, for tests that
// drive LocalAdmin directly (no HTTP, no CLI).
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "admin/local_admin.h"

namespace flyte::testing {

// Registers `yaml` (as the file at `path`) and creates an execution of its single target,
// named `name` (generated when empty). Fails the test on any error.
inline ExecutionKey RegisterAndLaunch(LocalAdmin& admin, const std::string& path,
                                      const std::string& yaml, const std::string& name = "") {
  Result<RegisterResult> reg = admin.Register({path, yaml, "", "", ""});
  INFO(reg.status().ToString());
  REQUIRE(reg.ok());
  CreateExecutionRequest req;
  req.project = reg->project;
  req.domain = reg->domain;
  req.version = reg->version;
  req.name = name;
  Result<ExecutionKey> key = admin.CreateExecution(req);
  INFO(key.status().ToString());
  REQUIRE(key.ok());
  return *key;
}

}  // namespace flyte::testing
