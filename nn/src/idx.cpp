#include "rramsim/nn/idx.hpp"

#include <zlib.h>

#include <memory>
#include <string>

#include "rramsim/common/error.hpp"

namespace rramsim::nn {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

// Reads exactly n bytes; false on a short read.
bool read_exact(gzFile f, void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    unsigned chunk = static_cast<unsigned>(std::min<size_t>(n, 1u << 30));
    int got = gzread(f, p, chunk);
    if (got <= 0) return false;
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

uint32_t big_endian(const unsigned char* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& path) {
  const std::string where = "IDX file " + path.string();
  if (!std::filesystem::is_regular_file(path)) throw InputError(where + ": no such file");
  std::unique_ptr<gzFile_s, GzCloser> f(gzopen(path.c_str(), "rb"));
  if (!f) throw InputError(where + ": cannot open");
  unsigned char magic[4];
  if (!read_exact(f.get(), magic, 4)) throw InputError(where + ": too short for an IDX header");
  if (magic[0] != 0 || magic[1] != 0 || magic[3] == 0 || magic[3] > 4)
    throw InputError(where + ": not an IDX file (bad magic number)");
  if (magic[2] != 0x08)
    throw InputError(where + ": element type " + std::to_string(magic[2]) +
                     " is not supported (only unsigned bytes, 0x08)");
  IdxArray a;
  size_t total = 1;
  for (int i = 0; i < magic[3]; ++i) {
    unsigned char d[4];
    if (!read_exact(f.get(), d, 4)) throw InputError(where + ": truncated header");
    uint32_t n = big_endian(d);
    if (n == 0 || n > (1u << 24)) throw InputError(where + ": implausible dimension " + std::to_string(n));
    a.dims.push_back(n);
    total *= n;
  }
  if (total > (size_t{1} << 32)) throw InputError(where + ": data too large");
  a.data.resize(total);
  if (!read_exact(f.get(), a.data.data(), total))
    throw InputError(where + ": truncated data (expected " + std::to_string(total) + " bytes)");
  unsigned char extra;
  if (gzread(f.get(), &extra, 1) > 0) throw InputError(where + ": trailing data after the array");
  return a;
}

}  // namespace rramsim::nn
