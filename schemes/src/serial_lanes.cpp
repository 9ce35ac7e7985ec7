#include "serial_lanes.hpp"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#define RRAMSIM_HAVE_SERIAL_LANES 1
// GCC 12's masked AVX-512 intrinsics start from _mm512_undefined_*(): a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace rramsim::schemes::detail {

bool serial_lanes_available() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return best_isa() == Isa::avx512 && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

#ifdef RRAMSIM_HAVE_SERIAL_LANES
namespace {

#define RRAMSIM_AVX512 __attribute__((target("avx512f,avx512dq,avx512cd,avx512vl,avx512vpopcntdq")))

RRAMSIM_AVX512 inline uint64_t lanes_of(__mmask8 m) { return uint64_t(__builtin_popcount(unsigned(m))); }

// One (output, input slice i, weight slice j, polarity): the decoded codes of every row
// chunk summed per lane, for the lanes in `run` (the others add nothing).
template <int NW>
RRAMSIM_AVX512 __m512i column_codes(const KernelWeights& w, const SerialParams& sp, LaneBlock& b, LaneCounters& n,
                                    __m512i* bit_acc, int i, int j, int mp, int xbar, __mmask8 run) {
  const int nin = sp.input_slices, S = sp.weight_slices;
  const KernelAdc& adc = sp.adcs[size_t(i) * S + j];
  const bool tables = sp.tables[size_t(i) * S + j];
  const int tj = sp.tables_per_plane == 1 ? 0 : j;
  const __m512i fs = _mm512_set1_epi64(adc.full_scale), keep = _mm512_set1_epi64(adc.keep_mask);
  const __m512i low32 = _mm512_set1_epi64(0xffffffffLL), low16 = _mm512_set1_epi64(0xffff);
  const __m512i mix1 = _mm512_set1_epi64(int64_t(0xbf58476d1ce4e5b9ULL));
  const __m512i mix2 = _mm512_set1_epi64(int64_t(0x94d049bb133111ebULL));
  const __m512i seed = _mm512_loadu_si512(b.seed);
  const __m512i one = _mm512_set1_epi32(1);
  __m512i sub = _mm512_setzero_si512();
  for (int c = 0; c < sp.chunks; ++c) {
    const size_t plane = size_t(c) * nin + i, at = w.slot(c, j) + mp;
    const KernelDecode& d = w.decode[at];
    const __m512i driven = _mm512_loadu_si512(&b.driven[plane * kLanes]);
    const __mmask8 fed = _mm512_mask_cmpneq_epi64_mask(run, driven, _mm512_setzero_si512());
    n.zero_input += lanes_of(run & ~fed);
    __m512i code = _mm512_setzero_si512();
    if (!d.nonzero) {
      n.zero_weight += lanes_of(fed);  // every stored cell at level 0: known at mapping time
    } else if (fed) {
      const __m512i f0 = _mm512_loadu_si512(&b.fed0[plane * kLanes]);
      const __m512i l0 = _mm512_and_si512(f0, _mm512_set1_epi64(int64_t(w.cell_bits[0][at])));
      const __m512i h0 = _mm512_and_si512(f0, _mm512_set1_epi64(int64_t(w.cell_bits[2][at])));
      __m512i ones = _mm512_popcnt_epi64(l0), twos = _mm512_popcnt_epi64(h0);
      __m512i top = _mm512_popcnt_epi64(_mm512_and_si512(l0, h0));
      if constexpr (NW == 2) {
        const __m512i f1 = _mm512_loadu_si512(&b.fed1[plane * kLanes]);
        const __m512i l1 = _mm512_and_si512(f1, _mm512_set1_epi64(int64_t(w.cell_bits[1][at])));
        const __m512i h1 = _mm512_and_si512(f1, _mm512_set1_epi64(int64_t(w.cell_bits[3][at])));
        ones = _mm512_add_epi64(ones, _mm512_popcnt_epi64(l1));
        twos = _mm512_add_epi64(twos, _mm512_popcnt_epi64(h1));
        top = _mm512_add_epi64(top, _mm512_popcnt_epi64(_mm512_and_si512(l1, h1)));
      }
      if (sp.stats) {
        bit_acc[0] = _mm512_mask_add_epi64(bit_acc[0], fed, bit_acc[0], ones);
        bit_acc[1] = _mm512_mask_add_epi64(bit_acc[1], fed, bit_acc[1], twos);
        bit_acc[2] = _mm512_mask_add_epi64(bit_acc[2], fed, bit_acc[2], top);
      }
      const __m512i psum = _mm512_add_epi64(ones, _mm512_slli_epi64(twos, 1));
      if (tables) {
        // hash64(seed, (column chunk << 16) | i), as Rng::finish on key x multiplier.
        const __m512i key = _mm512_set1_epi64(int64_t(w.key_mul[at] + uint64_t(i) * Rng::kKeyMultiplier));
        __m512i z = _mm512_xor_si512(seed, key);
        z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), mix1);
        z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), mix2);
        const __m512i r = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
        const size_t t = (plane * sp.tables_per_plane + tj) * kLanes;
        // Each lane has its own table (its rows driven): gather at absolute addresses.
        const __m512i begin = _mm512_loadu_si512(&b.table_begin[t]);
        const __m512i slots = _mm512_loadu_si512(&b.table_slots[t]);
        const __m512i range = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), fed,
                                                          _mm512_add_epi64(begin, _mm512_slli_epi64(psum, 2)),
                                                          nullptr, 1);
        const __m512i first = _mm512_and_si512(range, low32);
        const __m512i count = _mm512_sub_epi64(_mm512_srli_epi64(range, 32), first);
        const __m512i pick =
            _mm512_add_epi64(first, _mm512_srli_epi64(_mm512_mul_epu32(_mm512_srli_epi64(r, 32), count), 32));
        const __m512i slot = _mm512_mask_i64gather_epi64(
            _mm512_setzero_si512(), fed, _mm512_add_epi64(slots, _mm512_slli_epi64(pick, 3)), nullptr, 1);
        const __mmask8 take = _mm512_cmplt_epu64_mask(_mm512_and_si512(r, low32), _mm512_and_si512(slot, low32));
        code = _mm512_mask_blend_epi64(take, _mm512_srli_epi64(slot, 48),
                                       _mm512_and_si512(_mm512_srli_epi64(slot, 32), low16));
      } else {
        code = _mm512_and_si512(_mm512_min_epi64(psum, fs), keep);
      }
      code = _mm512_maskz_mov_epi64(fed, code);
      const uint64_t converted = lanes_of(fed);
      n.computed += converted;
      n.active += uint64_t(_mm512_mask_reduce_add_epi64(fed, driven));
      n.clipped += lanes_of(_mm512_mask_cmpgt_epi64_mask(fed, psum, fs));
      if (sp.stats) n.conversions_by_bits[sp.adc_bits[size_t(i) * S + j]] += converted;
      if (adc.histogram) {
        alignas(64) int64_t sums[kLanes];
        _mm512_store_si512(sums, psum);
        for (int l = 0; l < kLanes; ++l)
          if ((fed >> l) & 1) adc.histogram[sums[l]]++;
      }
      int32_t* conv = &b.conversions[((size_t(c) * sp.crossbars + xbar) * nin + i) * kLanes];
      const __m256i cv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(conv));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(conv),
                          _mm256_mask_add_epi32(cv, fed, cv, _mm512_castsi512_si256(one)));
    }
    // Undo the encodings digitally, in every lane the plane ran in (as the generic unit does,
    // for a lane that converted nothing too).
    const __mmask8 inv = __mmask8(b.inverted[plane]) & run;
    code = _mm512_mask_sub_epi64(code, inv, _mm512_set1_epi64(int64_t(sp.max_input) * d.stored_sum), code);
    if (d.flipped)
      code = _mm512_sub_epi64(
          _mm512_mullo_epi64(_mm512_set1_epi64(sp.max_cell), _mm512_loadu_si512(&b.level_sum[plane * kLanes])), code);
    sub = _mm512_mask_add_epi64(sub, run, sub, code);
  }
  return sub;
}

template <int NW>
RRAMSIM_AVX512 void drive_lanes(const KernelWeights& w, const SerialParams& sp, LaneBlock& b, LaneCounters& n,
                                int64_t* out) {
  const int nin = sp.input_slices, S = sp.weight_slices;
  const __mmask8 valid = __mmask8((1u << b.lanes) - 1);
  __m512i bit_acc[3] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
  std::fill(b.conversions.begin(), b.conversions.end(), 0);
  for (int m = 0; m < sp.outputs; ++m) {
    const int xbar = m / sp.outputs_per_crossbar;
    __m512i acc = _mm512_set1_epi64(-sp.input_offset * sp.qsum[m]);
    for (int i = nin - 1; i >= 0; --i) {
      // Leading one of |acc| (acc = 0 gives -1, which every subword clears: it runs).
      const __m512i lead =
          _mm512_sub_epi64(_mm512_set1_epi64(63), _mm512_lzcnt_epi64(_mm512_abs_epi64(acc)));
      __m512i plane_sum = _mm512_setzero_si512();
      for (int j = S - 1; j >= 0; --j) {
        const int e = i + 2 * j;
        const __mmask8 run = _mm512_mask_cmple_epi64_mask(valid, lead, _mm512_set1_epi64(e + sp.window_bits));
        n.dynamic += lanes_of(valid & ~run) * uint64_t(sp.chunks) * sp.polarities;
        if (!run) continue;
        for (int pol = 0; pol < sp.polarities; ++pol) {
          __m512i sub = column_codes<NW>(w, sp, b, n, bit_acc, i, j, m * sp.polarities + pol, xbar, run);
          // Biased weights: the top slice carries the bias (see run_plane_serial).
          if (sp.biased && j == S - 1)
            sub = _mm512_mask_sub_epi64(
                sub, run, sub, _mm512_slli_epi64(_mm512_loadu_si512(&b.slice_total[size_t(i) * kLanes]), sp.bias_shift));
          const __m512i shifted = _mm512_slli_epi64(sub, unsigned(e));
          plane_sum = pol ? _mm512_sub_epi64(plane_sum, shifted) : _mm512_add_epi64(plane_sum, shifted);
        }
      }
      acc = _mm512_add_epi64(acc, plane_sum);
    }
    _mm512_storeu_si512(&out[size_t(m) * kLanes], acc);
  }
  n.bit_cells[0] += uint64_t(_mm512_reduce_add_epi64(bit_acc[0]));
  n.bit_cells[1] += uint64_t(_mm512_reduce_add_epi64(bit_acc[1]));
  n.top_cells += uint64_t(_mm512_reduce_add_epi64(bit_acc[2]));
}

}  // namespace

void drive_serial_lanes(const KernelWeights& w, const SerialParams& sp, LaneBlock& b, LaneCounters& n,
                        int64_t* acc) {
  if (w.words == 2)
    drive_lanes<2>(w, sp, b, n, acc);
  else
    drive_lanes<1>(w, sp, b, n, acc);
}

#else
void drive_serial_lanes(const KernelWeights&, const SerialParams&, LaneBlock&, LaneCounters&, int64_t*) {}
#endif

}  // namespace rramsim::schemes::detail
