#include "util/build_info.h"

#include <sys/auxv.h>

namespace flyte {

// A dynamically linked program is started by its loader, whose address the kernel passes as
// AT_BASE; a static one (static-pie too) has none.
bool LinkedStatically() { return getauxval(AT_BASE) == 0; }

}  // namespace flyte
