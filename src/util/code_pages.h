// A long-running process's resident set holds every page of code and constant data it ever
// ran or read, start-up included: for `flyte serve`, ~3.4 MB of its code pages after start,
// most of them used only to start (migrations, configuration, Kubernetes discovery, resuming).
#pragma once

namespace flyte {

// Unmaps this executable's read-only pages (code and constant data; not its libraries') from
// the resident set with madvise(MADV_DONTNEED). They stay in the page cache: what runs next
// faults back in without reading the disk (a minor fault each). Best effort; no effect where
// the executable's segments cannot be found.
void DropExecutablePages();

}  // namespace flyte
