#pragma once
// Reader for the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
// a big-endian magic (0x0000, type 0x08 = unsigned byte, number of dimensions), the
// dimensions as big-endian uint32, then the data. Plain and gzip files are both read
// (zlib's gzread passes uncompressed files through unchanged).
#include <cstdint>
#include <filesystem>
#include <vector>

namespace rramsim::nn {

struct IdxArray {
  std::vector<int64_t> dims;   // e.g. {10000, 28, 28}
  std::vector<uint8_t> data;   // row-major, product(dims) bytes
};

// Throws InputError naming the file if it is missing, not IDX, not unsigned bytes,
// truncated or followed by trailing data.
IdxArray read_idx(const std::filesystem::path& path);

}  // namespace rramsim::nn
