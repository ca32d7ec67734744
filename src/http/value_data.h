// The inputs and outputs of an execution or a node as typed values (GET /api/v1/data/...,
// `flyte get inputs|outputs`): each variable with its declared type and value, and every
// `file`/`dir` value in them (at any depth of lists and dicts) listed as a blob to download.
// Types come from the compiled source; where none is known (a dynamic fragment's nodes), a
// value is a blob when it looks like one (`is_blob`). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/admin.h"
#include "flyte/dag.h"

namespace flyte::http {

// How a value without a known type is recognised as a file or folder ("" when it is not one).
using BlobGuess = std::function<std::string(std::string_view text)>;

// {"inputs": {...}, "outputs": {...},                       the values, as GET /data/... always
// gave
//  "full_inputs": {"x": {"type": "file", "value": "..."}},   with their types (Flyte's full_inputs)
//  "full_outputs": {...},
//  "blobs": [{"variable": "outputs.report", "kind": "file", "uri": "...", "download":
//  "/api/v1/..."}]}
// `inputs` / `outputs`: null when not known (no type information), like the JSON texts empty.
nlohmann::json DataJson(const std::vector<Variable>* inputs, const std::string& inputs_json,
                        const std::vector<Variable>* outputs, const std::string& outputs_json,
                        const BlobGuess& guess);

// The interface a node's values follow, by its id in the execution ("train", "sub/inner",
// "sq[3]", "decide/1"); nullopt when the id leads nowhere known (dynamic fragments).
std::optional<Interface> NodeInterface(const CompiledFile& file, const CompiledWorkflow& workflow,
                                       std::string_view node_id);

// Runs a closure where the admin service may be called (the loop thread, through a bridge).
using OnLoop = std::function<Status(const std::function<Status()>& fn)>;

// DataJson of an execution (`node` empty) or of one of its nodes: its records and compiled
// source read through `admin` inside `on_loop`, the document built on the calling thread.
// NotFound names the node.
Result<nlohmann::json> ValuesOf(AdminService& admin, const OnLoop& on_loop, const ExecutionKey& key,
                                const std::string& node, const BlobGuess& guess);

// The API path that downloads the value at `uri`.
std::string DownloadPath(std::string_view uri);

}  // namespace flyte::http
