#include "plane_kernel.hpp"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
// The column sums are popcounts: use the instruction (every x86-64 since 2008 has it)
// rather than libgcc's table routine, whatever the build's -march.
#pragma GCC target("popcnt")
#define RRAMSIM_HAVE_AVX512_KERNEL 1
// GCC 12's masked AVX-512 intrinsics start from _mm512_undefined_*() and warn that it is
// uninitialised: a known false positive (the mask writes every lane that is read).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace rramsim::schemes::detail {

namespace {

inline int pop(uint64_t x) { return __builtin_popcountll(x); }

// Where the column chunks from `first` on keep their cells, keys and decodes.
struct Streams {
  const uint64_t *low0, *low1, *high0, *high1, *key_mul;
  const KernelDecode* decode;
  Streams(const KernelWeights& w, size_t first)
      : low0(&w.cell_bits[0][first]), low1(&w.cell_bits[1][first]), high0(&w.cell_bits[2][first]),
        high1(&w.cell_bits[3][first]), key_mul(&w.key_mul[first]), decode(&w.decode[first]) {}
};

// The columns [first, first + n) of the kernel's order against one plane, through one ADC.
// Specialised on the words per chunk (1: <= 64 rows, 2: <= 128), on whether codes are drawn
// from the tables and on whether a histogram is kept, so the body tests nothing of its own
// configuration.
template <int NW, bool Tables, bool Hist>
uint64_t drive_range(const KernelWeights& w, size_t first, int n, const KernelPlane& p, const KernelAdc& adc,
                     int64_t* raw) {
  const Streams cs(w, first);
  const uint64_t *low0 = cs.low0, *low1 = cs.low1, *high0 = cs.high0, *high1 = cs.high1, *key_mul = cs.key_mul;
  const KernelDecode* decode = cs.decode;
  raw += first;
  const uint64_t f0 = p.fed[0], f1 = p.fed[1], seed = p.seed;
  const uint64_t slice_mul = uint64_t(p.slice) * Rng::kKeyMultiplier;  // the key's low bits
  const int64_t fs = adc.full_scale, keep = adc.keep_mask;
  const int64_t weight = p.inverted ? -(int64_t(1) << p.slice) : int64_t(1) << p.slice;
  const CodeSampler::Rows rows = adc.sampler;
  uint64_t* const hist = adc.histogram;
  uint64_t clipped = 0;
  for (int t = 0; t < n; ++t) {
    int psum = pop(f0 & low0[t]) + 2 * pop(f0 & high0[t]);
    if constexpr (NW == 2) psum += pop(f1 & low1[t]) + 2 * pop(f1 & high1[t]);
    int64_t code;
    if constexpr (Tables)
      code = rows.draw(psum, Rng::finish(seed ^ (key_mul[t] + slice_mul)));
    else
      code = std::min<int64_t>(psum, fs) & keep;
    clipped += psum > fs;  // a column without cells has psum 0: never counted
    if constexpr (Hist) hist[psum] += decode[t].nonzero;
    raw[t] += code * weight;
  }
  return clipped;
}

#ifdef RRAMSIM_HAVE_AVX512_KERNEL
// drive_range 8 columns at a time. Lane for lane the same arithmetic: popcounts of the fed
// plane and the cell bits, splitmix64's finish on the key, the alias-table draw (one gather
// for the row's slot range, read as begin[psum] | begin[psum + 1] << 32, one for the slot),
// the clip, the decode's shift. The tail is masked, so no lane reads past the arrays.
template <int NW, bool Tables, bool Hist>
__attribute__((target("avx512f,avx512dq,avx512vpopcntdq"))) uint64_t
drive_range_avx512(const KernelWeights& w, size_t first, int n, const KernelPlane& p, const KernelAdc& adc,
                   int64_t* raw) {
  const Streams cs(w, first);
  const uint64_t *low0 = cs.low0, *low1 = cs.low1, *high0 = cs.high0, *high1 = cs.high1, *key_mul = cs.key_mul;
  const KernelDecode* decode = cs.decode;
  raw += first;
  const __m512i f0 = _mm512_set1_epi64(int64_t(p.fed[0])), f1 = _mm512_set1_epi64(int64_t(p.fed[1]));
  const __m512i seed = _mm512_set1_epi64(int64_t(p.seed));
  const __m512i slice_mul = _mm512_set1_epi64(int64_t(uint64_t(p.slice) * Rng::kKeyMultiplier));
  const __m512i mix1 = _mm512_set1_epi64(int64_t(0xbf58476d1ce4e5b9ULL));
  const __m512i mix2 = _mm512_set1_epi64(int64_t(0x94d049bb133111ebULL));
  const __m512i low32 = _mm512_set1_epi64(0xffffffffLL), low16 = _mm512_set1_epi64(0xffff);
  const __m512i fs = _mm512_set1_epi64(adc.full_scale), keep = _mm512_set1_epi64(adc.keep_mask);
  const __m128i shift = _mm_cvtsi32_si128(p.slice);
  const void* begin = adc.sampler.begin;
  const void* slots = adc.sampler.slots;
  uint64_t clipped = 0;
  for (int t = 0; t < n; t += 8) {
    const __mmask8 m = n - t >= 8 ? __mmask8(0xff) : __mmask8((1u << (n - t)) - 1);
    __m512i psum = _mm512_add_epi64(
        _mm512_popcnt_epi64(_mm512_and_si512(f0, _mm512_maskz_loadu_epi64(m, low0 + t))),
        _mm512_slli_epi64(_mm512_popcnt_epi64(_mm512_and_si512(f0, _mm512_maskz_loadu_epi64(m, high0 + t))), 1));
    if constexpr (NW == 2)
      psum = _mm512_add_epi64(
          psum, _mm512_add_epi64(
                    _mm512_popcnt_epi64(_mm512_and_si512(f1, _mm512_maskz_loadu_epi64(m, low1 + t))),
                    _mm512_slli_epi64(
                        _mm512_popcnt_epi64(_mm512_and_si512(f1, _mm512_maskz_loadu_epi64(m, high1 + t))), 1)));
    __m512i code;
    if constexpr (Tables) {
      __m512i z = _mm512_xor_si512(seed, _mm512_add_epi64(_mm512_maskz_loadu_epi64(m, key_mul + t), slice_mul));
      z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), mix1);
      z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), mix2);
      const __m512i r = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
      const __m512i range = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), m, psum, begin, 4);
      const __m512i b = _mm512_and_si512(range, low32);
      const __m512i count = _mm512_sub_epi64(_mm512_srli_epi64(range, 32), b);
      const __m512i at = _mm512_add_epi64(b, _mm512_srli_epi64(_mm512_mul_epu32(_mm512_srli_epi64(r, 32), count), 32));
      const __m512i slot = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), m, at, slots, 8);
      const __mmask8 take = _mm512_cmplt_epu64_mask(_mm512_and_si512(r, low32), _mm512_and_si512(slot, low32));
      code = _mm512_mask_blend_epi64(take, _mm512_srli_epi64(slot, 48),
                                     _mm512_and_si512(_mm512_srli_epi64(slot, 32), low16));
    } else {
      code = _mm512_and_si512(_mm512_min_epi64(psum, fs), keep);
    }
    clipped += __builtin_popcount(unsigned(_mm512_mask_cmpgt_epi64_mask(m, psum, fs)));
    if constexpr (Hist) {
      alignas(64) int64_t sums[8];
      _mm512_store_si512(sums, psum);
      for (int l = 0; l < 8 && t + l < n; ++l) adc.histogram[sums[l]] += decode[t + l].nonzero;
    }
    const __m512i scaled = _mm512_sll_epi64(code, shift);
    const __m512i old = _mm512_maskz_loadu_epi64(m, raw + t);
    _mm512_mask_storeu_epi64(raw + t, m, p.inverted ? _mm512_sub_epi64(old, scaled) : _mm512_add_epi64(old, scaled));
  }
  return clipped;
}
#endif

void transpose_bits_scalar(const int32_t* x, int rows, int words, uint64_t* planes, int32_t* level_sums) {
  for (int r = 0; r < rows; ++r) {
    const uint64_t bit = uint64_t(1) << (r & 63);
    for (uint32_t rest = uint32_t(x[r]); rest; rest &= rest - 1) {  // set bits only
      const int a = __builtin_ctz(rest);
      planes[a * words + (r >> 6)] |= bit;
      level_sums[a] += 1;
    }
  }
}

#ifdef RRAMSIM_HAVE_AVX512_KERNEL
__attribute__((target("avx512f"))) void transpose_bits_avx512(const int32_t* x, int rows, int bits, int words,
                                                               uint64_t* planes, int32_t* level_sums) {
  for (int r0 = 0; r0 < rows; r0 += 16) {
    const __mmask16 m = rows - r0 >= 16 ? __mmask16(0xffff) : __mmask16((1u << (rows - r0)) - 1);
    const __m512i v = _mm512_maskz_loadu_epi32(m, x + r0);
    if (!_mm512_test_epi32_mask(v, v)) continue;  // ReLU zeros and blank pixels: common
    uint64_t* word = planes + (r0 >> 6);
    const int shift = r0 & 63;  // a multiple of 16: the 16 bits stay inside one word
    for (int a = 0; a < bits; ++a) {
      const unsigned k = _mm512_test_epi32_mask(v, _mm512_set1_epi32(int32_t(1u << a)));
      word[a * words] |= uint64_t(k) << shift;
      level_sums[a] += __builtin_popcount(k);
    }
  }
}
#endif

template <int NW, bool Tables, bool Hist>
uint64_t range_for(Isa isa, const KernelWeights& w, size_t first, int n, const KernelPlane& p, const KernelAdc& adc,
                   int64_t* raw) {
#ifdef RRAMSIM_HAVE_AVX512_KERNEL
  if (isa == Isa::avx512) return drive_range_avx512<NW, Tables, Hist>(w, first, n, p, adc, raw);
#endif
  (void)isa;
  return drive_range<NW, Tables, Hist>(w, first, n, p, adc, raw);
}

template <int NW>
uint64_t range_dispatch(Isa isa, const KernelWeights& w, size_t first, int n, const KernelPlane& p,
                        const KernelAdc& adc, int64_t* raw) {
  const bool tables = adc.sampler.begin != nullptr, hist = adc.histogram != nullptr;
  if (tables)
    return hist ? range_for<NW, true, true>(isa, w, first, n, p, adc, raw)
                : range_for<NW, true, false>(isa, w, first, n, p, adc, raw);
  return hist ? range_for<NW, false, true>(isa, w, first, n, p, adc, raw)
              : range_for<NW, false, false>(isa, w, first, n, p, adc, raw);
}

}  // namespace

void transpose_bits(const int32_t* x, int rows, int bits, int words, uint64_t* planes, int32_t* level_sums,
                    Isa isa) {
#ifdef RRAMSIM_HAVE_AVX512_KERNEL
  if (isa == Isa::avx512) return transpose_bits_avx512(x, rows, bits, words, planes, level_sums);
#endif
  (void)isa;
  (void)bits;
  transpose_bits_scalar(x, rows, words, planes, level_sums);
}

Isa best_isa() {
#ifdef RRAMSIM_HAVE_AVX512_KERNEL
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vpopcntdq"))
    return Isa::avx512;
#endif
  return Isa::scalar;
}

uint64_t drive_plane(const KernelWeights& w, const KernelPlane& p, const KernelAdc* adcs, bool uniform, Isa isa,
                     int64_t* raw) {
  auto range = w.words == 2 ? &range_dispatch<2> : &range_dispatch<1>;
  if (uniform) return range(isa, w, w.slot(p.chunk, 0), w.slices * w.per_slice, p, adcs[0], raw);
  uint64_t clipped = 0;
  for (int j = 0; j < w.slices; ++j) clipped += range(isa, w, w.slot(p.chunk, j), w.per_slice, p, adcs[j], raw);
  return clipped;
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
        for (int r = 0; r < 64 * w.words; ++r) {
          const uint64_t n = driven[size_t(c) * 128 + r];
          if (!n) continue;
          const int q = r >> 6, b = r & 63;
          const int level = int((w.cell_bits[q][at + mp] >> b) & 1) + 2 * int((w.cell_bits[2 + q][at + mp] >> b) & 1);
          by_level[level] += n;
        }
      }
    }
}

}  // namespace rramsim::schemes::detail
