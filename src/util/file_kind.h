// Reading files that someone else (a task) wrote, without trusting what they are: a named
// pipe would block a reader for good (and with it libuv's thread pool or the loop), a device
// could be endless, a symbolic link could lead out of the folder it sits in. These open
// without blocking, refuse anything but a regular file, and bound what they read.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "flyte/status.h"

namespace flyte {

// "a named pipe (FIFO)", "a socket", "a character device", ... for messages.
std::string FileKindName(mode_t mode);

// The content of the regular file at `path`, at most `limit` bytes. nullopt when it does not
// exist; FailedPrecondition naming the kind of file when it is not a regular one (a link to a
// regular file is followed); IO for a read error or a file larger than `limit`.
Result<std::optional<std::string>> ReadRegularFile(const std::string& path, size_t limit);

// Opens `path` for reading only if it is a regular file (FailedPrecondition otherwise), without
// ever blocking on the open. The caller closes the descriptor.
Result<int> OpenRegularFile(const std::string& path);

// Checks that a folder holds only folders, regular files and symbolic links that stay inside
// it: FailedPrecondition naming the first entry that is not (its path relative to `dir`).
// Looks at entries (lstat), never opens them.
Status CheckFolderContents(const std::string& dir);

}  // namespace flyte
