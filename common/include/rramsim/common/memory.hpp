#pragma once
// How much memory a run may use, so that a command can estimate its need up front and
// refuse with the figure instead of failing (or swapping) part way.
#include <cstdint>
#include <string>

namespace rramsim {

// The smaller of physical memory and the process limits (ulimit -v / RLIMIT_AS, RLIMIT_DATA),
// less what the process already maps under RLIMIT_AS.
int64_t memory_available_bytes();

// "1.5 GB", "300 MB" for messages.
std::string format_bytes(double bytes);

// InputError "<what> needs about N GB of memory, more than the M GB available (<source>)"
// when need_bytes exceeds memory_available_bytes().
void require_memory(double need_bytes, const std::string& what);

// Asks the C library to keep the memory the process frees for reuse rather than hand it
// back to the kernel. A bit-accurate evaluation allocates batch-sized buffers (tens of MB:
// im2col patches, quantized inputs, accumulators) on every layer call; glibc maps each one
// afresh and unmaps it on free, so every reuse pays a page fault per 4 KiB. Called once by
// the command-line tool and the benchmarks at start-up, before any thread exists.
void keep_freed_memory();

}  // namespace rramsim
