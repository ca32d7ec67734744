// The cap on a task's log files (per attempt and stream): past `cap` bytes only the first and
// the last cap/2 are kept, joined by one line saying how much was cut ("… 912.3 MiB cut …").
// Tasks write their logs directly (no pipe, no copy by us), so the cap is applied to the file:
// while the task runs, the middle is punched out (a hole, so the disk does not fill; it reads
// as zeros until the end), and when the attempt ends the file is rewritten compactly. A file
// system without hole punching only gets the final rewrite.
#pragma once

#include <cstdint>
#include <string>

#include "flyte/status.h"

namespace flyte {

// "… 1.9 MiB cut …": the note that replaces `bytes` bytes.
std::string CutNote(uint64_t bytes);

// Frees the disk space of what the final rewrite will cut, when the file is over `cap`
// (cap > 0). Cheap when it is not: one stat.
void PunchLogMiddle(const std::string& path, uint64_t cap);

// Rewrites the file as head + note + tail when it is over `cap` (cap > 0).
Status CapLog(const std::string& path, uint64_t cap);

}  // namespace flyte
