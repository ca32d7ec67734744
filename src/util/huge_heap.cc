#include "util/huge_heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace flyte {

// Kept for the life of the process (a global: an unused malloc is optimised away).
void* g_below_huge = nullptr;

void HeapOnHugePages() {
#if defined(__linux__) && defined(MADV_HUGEPAGE) && !defined(__SANITIZE_ADDRESS__)
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  // Blocks up to 8 MiB come from the heap, each growth brings at least 4 MiB more, and freeing
  // does not give it back: a huge page needs a 2 MiB aligned stretch inside the heap.
  ::mallopt(M_MMAP_THRESHOLD, 4 * kHuge);
  ::mallopt(M_TOP_PAD, 2 * kHuge);
  ::mallopt(M_TRIM_THRESHOLD, 8 * kHuge);
  void* grow = std::malloc(3 * kHuge);  // larger than the free top: the heap grows
  if (grow == nullptr) return;
  const uintptr_t at = reinterpret_cast<uintptr_t>(grow);
  const uintptr_t end = reinterpret_cast<uintptr_t>(::sbrk(0));
  std::free(grow);  // back into the free top, whose low end is `at`
  const uintptr_t from = (at + kHuge - 1) & ~(kHuge - 1);
  if (end < from + kHuge) return;
  // malloc serves the free top from its low end: a block kept from there up to the boundary
  // makes what comes next land above it (only the block's first page is ever touched).
  if (from - at > 4096) g_below_huge = std::malloc(from - at - 64);
  ::madvise(reinterpret_cast<void*>(from), end - from, MADV_HUGEPAGE);
#endif
}

}  // namespace flyte
