#pragma once
// The inner loop of the bit-accurate datapath for the ISAAC geometry (1-bit inputs, 2-bit
// cells, at most 128 rows per crossbar): one fed input plane against every column of its row
// chunk. Everything that depends only on the plane or the weight slice (the sampler for the
// plane's active rows, the ADC full scale, the decode of input inversion) is resolved before
// the column loop, the cells of the columns are one contiguous stream, and the loop body has
// no data-dependent branch: popcounts, one hash, one alias-table lookup, the decode.
// Internal to schemes/src (datapath.cpp is the only user).
#include <cstdint>
#include <vector>

#include "rramsim/schemes/calibrated_adc.hpp"

namespace rramsim::schemes::detail {

// One column chunk's cells as bit masks (cell bit 0 and bit 1 per row), as stored (after
// the flip): all the column loop reads.
struct KernelCells {
  uint64_t low[2] = {0, 0}, high[2] = {0, 0};
};

// What the decode needs per column chunk, applied once per position (fold_columns).
struct KernelDecode {
  int32_t stored_sum = 0;   // sum of the stored levels (input inversion's correction)
  uint8_t flipped = 0;      // stored complemented (column flip)
  uint8_t nonzero = 0;      // some stored cell is not level 0 (else no conversion, code 0)
};

// Every column chunk in the kernel's order: row chunk, weight slice j, then the columns of
// that slice (column index mp * slices + j, as in the datapath), so a plane walks one array.
struct KernelWeights {
  int chunks = 0, slices = 0, per_slice = 0, words = 0;
  std::vector<KernelCells> cells;    // [(chunk * slices + j) * per_slice + mp]
  std::vector<KernelDecode> decode;  // same order
  std::vector<int32_t> nonzero;      // [chunk * slices + j]: columns with some stored cell
  std::vector<uint64_t> key_mul;     // same order: ((column * chunks + chunk) << 16) x Rng::kKeyMultiplier
  size_t slot(int chunk, int j) const { return (size_t(chunk) * slices + j) * per_slice; }
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

// Drives plane `p` against every column of its row chunk (adcs[j]: the ADC of weight slice
// j) and adds each
// column's raw ADC code times +-2^slice (minus when the plane was inverted) to raw[slot].
// The decode that is linear in the codes (inversion, flip, columns without cells) is left to
// fold_columns. Returns how many partial sums clipped. The draws are keyed as in the generic
// datapath, (column * chunks + chunk) << 16 | slice, so results are identical to it bit for
// bit, whatever the thread or loop order.
uint64_t drive_plane(const KernelWeights& w, const KernelPlane& p, const KernelAdc* adcs, int64_t* raw);

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
