#include "plane_kernel.hpp"

#include <algorithm>

// The column sums are popcounts: use the instruction (every x86-64 since 2008 has it)
// rather than libgcc's table routine, whatever the build's -march.
#if defined(__x86_64__)
#pragma GCC target("popcnt")
#endif

namespace rramsim::schemes::detail {

namespace {

inline int pop(uint64_t x) { return __builtin_popcountll(x); }

// The column loop, specialised on the words per chunk (1: <= 64 rows, 2: <= 128), on
// whether codes are drawn from the tables and on whether histograms are kept, so that the
// body carries no test of its own configuration.
template <int NW, bool Tables, bool Hist>
uint64_t drive_columns(const KernelCells* cells, const KernelDecode* decode, int n, const KernelPlane& p,
                       int slices, int chunks, int j, const KernelAdc& adc, int64_t* raw) {
  const uint64_t f0 = p.fed[0], f1 = p.fed[1];
  const uint64_t seed = p.seed;
  // hash64(seed, key) of column mp * slices + j, key = ((column * chunks + chunk) << 16) | slice,
  // with key x kKeyMultiplier stepped by adding.
  const uint64_t key = ((uint64_t(j) * chunks + p.chunk) << 16) | uint64_t(p.slice);
  uint64_t key_mul = key * Rng::kKeyMultiplier;
  const uint64_t key_mul_step = ((uint64_t(slices) * chunks) << 16) * Rng::kKeyMultiplier;
  const int64_t fs = adc.full_scale, keep = adc.keep_mask;
  const int64_t weight = p.inverted ? -(int64_t(1) << p.slice) : int64_t(1) << p.slice;
  const CodeSampler::Rows rows = adc.sampler;
  uint64_t* const hist = adc.histogram;
  uint64_t clipped = 0;
  for (int mp = 0; mp < n; ++mp, key_mul += key_mul_step) {
    const KernelCells& c = cells[mp];
    int psum = pop(f0 & c.low[0]) + 2 * pop(f0 & c.high[0]);
    if constexpr (NW == 2) psum += pop(f1 & c.low[1]) + 2 * pop(f1 & c.high[1]);
    int64_t code;
    if constexpr (Tables)
      code = rows.draw(psum, Rng::finish(seed ^ key_mul));
    else
      code = std::min<int64_t>(psum, fs) & keep;
    clipped += psum > fs;  // a column without cells has psum 0: never counted
    if constexpr (Hist) hist[psum] += decode[mp].nonzero;
    raw[mp] += code * weight;
  }
  return clipped;
}

// Every column of the row chunk in one loop, when every weight slice has the same ADC and no
// histogram (the common case: a uniform ADC): on LeNet-5's conv1 a slice has only 6 columns,
// so a loop per slice would spend as much on its set-up as on its columns.
template <int NW, bool Tables>
uint64_t drive_chunk(const KernelWeights& w, const KernelPlane& p, const KernelAdc& adc, int64_t* raw) {
  const size_t first = w.slot(p.chunk, 0);
  const int n = w.slices * w.per_slice;
  const KernelCells* cells = &w.cells[first];
  const uint64_t* key_mul = &w.key_mul[first];
  raw += first;
  const uint64_t f0 = p.fed[0], f1 = p.fed[1], seed = p.seed;
  const uint64_t slice_mul = uint64_t(p.slice) * Rng::kKeyMultiplier;  // the key's low bits
  const int64_t fs = adc.full_scale, keep = adc.keep_mask;
  const int64_t weight = p.inverted ? -(int64_t(1) << p.slice) : int64_t(1) << p.slice;
  const CodeSampler::Rows rows = adc.sampler;
  uint64_t clipped = 0;
  for (int t = 0; t < n; ++t) {
    const KernelCells& c = cells[t];
    int psum = pop(f0 & c.low[0]) + 2 * pop(f0 & c.high[0]);
    if constexpr (NW == 2) psum += pop(f1 & c.low[1]) + 2 * pop(f1 & c.high[1]);
    int64_t code;
    if constexpr (Tables)
      code = rows.draw(psum, Rng::finish(seed ^ (key_mul[t] + slice_mul)));
    else
      code = std::min<int64_t>(psum, fs) & keep;
    clipped += psum > fs;
    raw[t] += code * weight;
  }
  return clipped;
}

// Every weight slice of the plane in one call: on LeNet-5's conv1 a slice has 6 columns, so
// a call per slice would cost as much as its columns.
template <int NW>
uint64_t drive_slices(const KernelWeights& w, const KernelPlane& p, const KernelAdc* adcs, int64_t* raw) {
  uint64_t clipped = 0;
  for (int j = 0; j < w.slices; ++j) {
    const size_t at = w.slot(p.chunk, j);
    const KernelCells* cells = &w.cells[at];
    const KernelDecode* decode = &w.decode[at];
    const KernelAdc& a = adcs[j];
    const int n = w.per_slice, S = w.slices, C = w.chunks;
    if (a.sampler.begin)
      clipped += a.histogram ? drive_columns<NW, true, true>(cells, decode, n, p, S, C, j, a, raw + at)
                             : drive_columns<NW, true, false>(cells, decode, n, p, S, C, j, a, raw + at);
    else
      clipped += a.histogram ? drive_columns<NW, false, true>(cells, decode, n, p, S, C, j, a, raw + at)
                             : drive_columns<NW, false, false>(cells, decode, n, p, S, C, j, a, raw + at);
  }
  return clipped;
}

}  // namespace

uint64_t drive_plane(const KernelWeights& w, const KernelPlane& p, const KernelAdc* adcs, int64_t* raw) {
  bool same = adcs[0].histogram == nullptr;
  for (int j = 1; j < w.slices && same; ++j)
    same = adcs[j].sampler.begin == adcs[0].sampler.begin && adcs[j].sampler.slots == adcs[0].sampler.slots &&
           adcs[j].full_scale == adcs[0].full_scale && adcs[j].keep_mask == adcs[0].keep_mask &&
           adcs[j].histogram == nullptr;
  if (same) {
    const bool tables = adcs[0].sampler.begin != nullptr;
    if (w.words == 2) return tables ? drive_chunk<2, true>(w, p, adcs[0], raw) : drive_chunk<2, false>(w, p, adcs[0], raw);
    return tables ? drive_chunk<1, true>(w, p, adcs[0], raw) : drive_chunk<1, false>(w, p, adcs[0], raw);
  }
  return w.words == 2 ? drive_slices<2>(w, p, adcs, raw) : drive_slices<1>(w, p, adcs, raw);
}

void fold_columns(const KernelWeights& w, const std::vector<ChunkDecode>& chunks, const int64_t* raw,
                  int64_t* column_acc) {
  for (int c = 0; c < w.chunks; ++c) {
    const ChunkDecode& cd = chunks[c];
    for (int j = 0; j < w.slices; ++j) {
      const size_t at = w.slot(c, j);
      for (int mp = 0; mp < w.per_slice; ++mp) {
        const KernelDecode& d = w.decode[at + mp];
        int64_t v = d.nonzero ? raw[at + mp] : 0;
        v += int64_t(d.stored_sum) * cd.inverted_weight;
        column_acc[size_t(mp) * w.slices + j] += d.flipped ? cd.flip_total - v : v;
      }
    }
  }
}

void count_driven_levels(const KernelWeights& w, const std::vector<uint64_t>& driven,
                         std::vector<uint64_t>& by_level) {
  for (int c = 0; c < w.chunks; ++c)
    for (int j = 0; j < w.slices; ++j) {
      const size_t at = w.slot(c, j);
      for (int mp = 0; mp < w.per_slice; ++mp) {
        if (!w.decode[at + mp].nonzero) continue;  // never converted
        const KernelCells& cells = w.cells[at + mp];
        for (int r = 0; r < 64 * w.words; ++r) {
          const uint64_t n = driven[size_t(c) * 128 + r];
          if (!n) continue;
          const int q = r >> 6, b = r & 63;
          const int level = int((cells.low[q] >> b) & 1) + 2 * int((cells.high[q] >> b) & 1);
          by_level[level] += n;
        }
      }
    }
}

}  // namespace rramsim::schemes::detail
