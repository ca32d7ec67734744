// The heap on transparent huge pages, for a short-lived process that builds a few MB of it.
// On the paravirtualised VMs flyte is measured on, each first touch of a 4 KiB page costs
// ~12 µs (a page fault); `flyte run` of examples/hello.yaml touched ~120 heap pages, 1.5 ms of
// its start-up. Where the kernel offers huge pages on request (transparent_hugepage
// "madvise" or "always"), one fault maps 2 MiB instead. docs/benchmarks.md, run 11.
#pragma once

namespace flyte {

// Grows the heap by at least 4 MiB now and asks for huge pages on it (and on what the heap
// grows into later). Costs RSS (a 2 MiB page is resident whole), so it is for `flyte run`'s
// engine, not a server. Best effort: nothing happens where the kernel refuses.
void HeapOnHugePages();

}  // namespace flyte
