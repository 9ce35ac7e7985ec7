#pragma once
// The inner loop of the bit-accurate datapath for the ISAAC geometry (1-bit inputs, 2-bit
// cells, at most 128 rows per crossbar): one fed input plane against every column of its row
// chunk. Everything that depends only on the plane or the weight slice (the sampler for the
// plane's active rows, the ADC full scale, the decode of input inversion) is resolved before
// the column loop, the cells of the columns are contiguous streams, and the loop body has
// no data-dependent branch: popcounts, one hash, one alias-table lookup, the decode.
// Two implementations give the same numbers bit for bit: a scalar loop, and an AVX-512 loop
// (8 columns at a time: vector popcounts, hashes and table gathers) chosen at run time on
// CPUs that have it. Internal to schemes/src (datapath.cpp is the only user; a test compares
// the two).
#include <cstdint>
#include <vector>

#include "rramsim/schemes/calibrated_adc.hpp"

namespace rramsim::schemes::detail {

// What the decode needs per column chunk, applied once per position (fold_columns).
struct KernelDecode {
  int32_t stored_sum = 0;   // sum of the stored levels (input inversion's correction)
  uint8_t flipped = 0;      // stored complemented (column flip)
  uint8_t nonzero = 0;      // some stored cell is not level 0 (else no conversion, code 0)
};

// Every column chunk in the kernel's order: row chunk, weight slice j, then the columns of
// that slice (column index mp * slices + j, as in the datapath), so a plane walks one array
// per cell bit and row word (structure of arrays: a vector load takes 8 columns).
struct KernelWeights {
  int chunks = 0, slices = 0, per_slice = 0, words = 0;
  // Cell bit b of rows 64q..64q+63, as stored (after the flip): cell_bits[2 * b + q][slot].
  std::vector<uint64_t> cell_bits[4];
  std::vector<KernelDecode> decode;  // [slot]
  std::vector<int32_t> nonzero;      // [chunk * slices + j]: columns with some stored cell
  std::vector<uint64_t> key_mul;     // [slot]: ((column * chunks + chunk) << 16) x Rng::kKeyMultiplier
  size_t slot(int chunk, int j) const { return (size_t(chunk) * slices + j) * per_slice; }
  size_t size() const { return decode.size(); }
  void resize(size_t n) {
    for (auto& b : cell_bits) b.assign(n, 0);
    decode.assign(n, {});
    key_mul.assign(n, 0);
  }
};

// One weight slice's ADC for the plane being driven.
struct KernelAdc {
  CodeSampler::Rows sampler;          // calibrated draw for the plane's active rows (begin null: clip)
  int64_t full_scale = INT64_MAX;     // clipping quantizer (and the clip count)
  int64_t keep_mask = -1;             // shift-mode ADC: the low bits dropped
  uint64_t* histogram = nullptr;      // partial-sum histogram of this (input slice, weight slice)
};

// One fed plane (row chunk, input slice).
struct KernelPlane {
  uint64_t fed[2] = {0, 0};
  int chunk = 0, slice = 0;
  bool inverted = false;              // the complement was fed (input inversion)
  uint64_t seed = 0;                  // the position's seed for the calibrated draws
};

// The instruction sets the kernel has a loop for; `best_isa()` is the fastest this CPU runs.
enum class Isa { scalar, avx512 };
Isa best_isa();

// The input bit-planes of one row chunk for 1-bit DACs (input slice a = bit a): row r's bit
// a goes to planes[a * words + r / 64], bit r % 64, and level_sums[a] counts the rows whose
// bit a is set. Adds to planes and level_sums (zero them first). AVX-512: 16 rows per vector
// test per bit, instead of a loop over each value's set bits.
void transpose_bits(const int32_t* x, int rows, int bits, int words, uint64_t* planes, int32_t* level_sums,
                    Isa isa);

// Drives plane `p` against every column of its row chunk and adds each column's raw ADC
// code times +-2^slice (minus when the plane was inverted) to raw[slot]. `adcs[j]` is the
// ADC of weight slice j; with `uniform` every slice shares adcs[0] and no histogram is kept
// (one loop over the whole chunk: on LeNet-5's conv1 a slice has only 6 columns, so a loop
// per slice would spend as much on its set-up as on its columns).
// The decode that is linear in the codes (inversion, flip, columns without cells) is left to
// fold_columns. Returns how many partial sums clipped. The draws are keyed as in the generic
// datapath, (column * chunks + chunk) << 16 | slice, so results are identical to it bit for
// bit, whatever the thread or loop order or `isa`.
uint64_t drive_plane(const KernelWeights& w, const KernelPlane& p, const KernelAdc* adcs, bool uniform, Isa isa,
                     int64_t* raw);

// Per row chunk, what the planes driven through the kernel at one position add up to:
// sum of 2^i over inverted planes (x max input level) and of 2^i x the plane's input level
// sum (x max cell level), the constant parts of the inversion and flip decodes.
struct ChunkDecode {
  int64_t inverted_weight = 0, flip_total = 0;
};

// Decodes the raw sums of one position into column_acc[column] (adds), as the generic
// datapath decodes each code: a column without cells gives 0; inversion: code ->
// max_input x stored_sum - code; flip: code -> max_cell x level_sum - code.
void fold_columns(const KernelWeights& w, const std::vector<ChunkDecode>& chunks, const int64_t* raw,
                  int64_t* column_acc);

// Cells on driven rows by stored level, from how often each row was driven
// (`driven[chunk * 128 + row]`, summed over the planes of the positions): the same figure as
// counting per subword, at a cost per column instead of per subword.
void count_driven_levels(const KernelWeights& w, const std::vector<uint64_t>& driven,
                         std::vector<uint64_t>& by_level);

}  // namespace rramsim::schemes::detail
