// The web console served at GET /console: one self-contained HTML page (inline CSS and vanilla
// JavaScript, no external assets) that watches the sandbox through the public JSON API only. The
// page carries no data, so it is served without a token; the script asks for one when the API
// answers 401. Built into the binary; thread-safe.
#pragma once

#include <string>

namespace flyte::http {

const std::string& ConsoleHtml();

}  // namespace flyte::http
