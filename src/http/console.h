// The web console served at GET /console: one self-contained page (CSS and vanilla JavaScript
// inlined at build time from src/http/assets/console/, no external assets) that watches the
// sandbox through the public JSON API only. The page carries no data, so it is served without a
// token; the script asks for one when the API answers 401. Built into the binary; thread-safe.
#pragma once

#include <string>

namespace flyte::http {

const std::string& ConsoleHtml();
// A quoted entity tag of the page's bytes, computed at build time.
const std::string& ConsoleEtag();

}  // namespace flyte::http
