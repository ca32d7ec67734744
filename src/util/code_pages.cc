#include "util/code_pages.h"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace flyte {

void DropExecutablePages() {
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void*) -> int {
        const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          // Writable segments hold data (and pages written once are no longer the file's).
          if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W) != 0) continue;
          const uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
          const uintptr_t from = (begin + page - 1) & ~(page - 1);
          const uintptr_t to = (begin + ph.p_memsz) & ~(page - 1);
          if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
        }
        return 1;  // the first object is the executable: stop there
      },
      nullptr);
}

}  // namespace flyte
