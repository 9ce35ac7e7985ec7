#include "rramsim/common/memory.hpp"

#include <sys/resource.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "rramsim/common/error.hpp"

namespace rramsim {
namespace {

int64_t limit_of(int resource) {
  rlimit r{};
  if (getrlimit(resource, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(std::min<rlim_t>(r.rlim_cur, rlim_t(std::numeric_limits<int64_t>::max())));
}

// Bytes of address space mapped now (/proc/self/statm, first field in pages).
int64_t mapped_bytes() {
  std::ifstream f("/proc/self/statm");
  int64_t pages = 0;
  f >> pages;
  return pages * sysconf(_SC_PAGESIZE);
}

}  // namespace

int64_t memory_available_bytes() {
  const int64_t phys = int64_t{sysconf(_SC_PHYS_PAGES)} * sysconf(_SC_PAGESIZE);
  int64_t avail = phys > 0 ? phys : std::numeric_limits<int64_t>::max();
  const int64_t as = limit_of(RLIMIT_AS);
  if (as != std::numeric_limits<int64_t>::max()) avail = std::min(avail, std::max<int64_t>(0, as - mapped_bytes()));
  return std::min(avail, limit_of(RLIMIT_DATA));
}

std::string format_bytes(double bytes) {
  if (bytes >= 1e9) return fmt::format("{:.1f} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.0f} MB", bytes / 1e6);
  return fmt::format("{:.0f} kB", bytes / 1e3);
}

void require_memory(double need_bytes, const std::string& what) {
  const double avail = static_cast<double>(memory_available_bytes());
  if (need_bytes > avail)
    throw InputError(what + " needs about " + format_bytes(need_bytes) + " of memory, more than the " +
                     format_bytes(avail) + " available (physical memory and ulimit -v)");
}

void keep_freed_memory() {
#if defined(__GLIBC__)
  // Blocks up to 32 MiB (glibc's ceiling for this setting) come from the heap, not from
  // mmap; the heap's top is trimmed only past 1 GiB. The memory stays the process's own,
  // so a long run's resident size is its peak, as it would be with the buffers kept.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace rramsim
