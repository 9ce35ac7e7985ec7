#pragma once
// The bit-accurate crossbar datapath of one matrix product out (M x P) = W (M x K) * X (K x P)
// on integers: weights encoded into cells (bits per cell, encoding), K cut into crossbar
// chunks of `rows`, inputs streamed `dac_bits` per read, every subword computation's column
// sum through the ADC (clipping, or a draw from the calibrated tables), then decode,
// shift-and-add and accumulation. Bit-planes are 64-bit masks, column sums popcounts.
#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "rramsim/schemes/calibrated_adc.hpp"
#include "rramsim/schemes/scheme.hpp"

namespace rramsim::schemes {

using IntMatrix = Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic>;
using AccMatrix = Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic>;

// ADC resolution per (input slice i, weight slice j) of one layer; 0 = ideal (never clips).
struct AdcPlan {
  int input_slices = 0, weight_slices = 0;
  std::vector<int> bits;  // [i * weight_slices + j]
  static AdcPlan uniform(const SchemeOptions& s, int adc_bits);
  int at(int i, int j) const { return bits[size_t(i) * weight_slices + j]; }
  int max_bits() const;
};

// What the datapath did, summed over calls (merge()).
struct SubwordStats {
  int input_slices = 0, weight_slices = 0, max_psum = 0, levels = 0;
  uint64_t nominal = 0;              // columns x chunks x positions x input slices
  uint64_t computed = 0;             // crossbar reads + ADC conversions performed
  uint64_t skipped_zero_input = 0;   // fed input plane all zero on the chunk
  uint64_t skipped_zero_weight = 0;  // column chunk whose stored cells are all level 0
  uint64_t skipped_dynamic = 0;      // below the dynamic-quantization window
  uint64_t clipped = 0;              // ideal partial sum above the ADC full scale
  // Crossbar reads, one per (position, row chunk, crossbar, input slice): a read drives one
  // input plane into every column of the crossbar at once.
  uint64_t reads_nominal = 0;
  uint64_t reads_issued = 0;         // some column of the crossbar still converts the plane
  uint64_t reads_zero_plane = 0;     // input plane all zero on the chunk (any design can skip it)
  uint64_t reads_window = 0;         // plane not zero, but every column skips it (dynamic window)
  std::vector<uint64_t> read_conversions;  // [conversions in an issued read], 0..cols
  uint64_t active_rows = 0;          // rows with a non-zero input, summed over computed subwords
  uint64_t input_bits = 0, input_ones = 0;  // fed input bits (all planes, all positions)
  uint64_t cells = 0, cell_ones = 0, cell_level_sum = 0;  // stored cells (per call)
  std::vector<uint64_t> psum_hist;   // [(i * weight_slices + j) * (max_psum + 1) + psum]
  std::vector<uint64_t> active_cells_by_level;  // cells on active rows, by stored level
  std::vector<uint64_t> conversions_by_bits;    // [adc bits 0..16], 0 = ideal

  void init(const SchemeOptions& s);
  void merge(const SubwordStats& o);
  uint64_t hist(int i, int j, int psum) const {
    return psum_hist[(size_t(i) * weight_slices + j) * (max_psum + 1) + psum];
  }
};

struct DatapathRun {
  const IntMatrix* weights = nullptr;  // M x K, |q| <= 2^(weight_bits-1) - 1
  const IntMatrix* inputs = nullptr;   // K x P, 0 <= x < 2^activation_bits
  int64_t input_offset = 0;            // true input = x - input_offset (offset binary)
  const AdcPlan* plan = nullptr;       // null: scheme.adc_bits everywhere
  const CalibratedAdc* adc = nullptr;  // null: ideal quantizer with clipping
  uint64_t seed = 1;                   // for the calibrated draws
  bool histograms = true;              // partial-sum histograms (costly: a memory update per subword)
  // Which loop computes the subwords. Every choice gives the same numbers bit for bit; tests
  // compare them. fastest: the ISAAC geometry's kernels (AVX-512 where the CPU has it);
  // scalar: those kernels' portable loops; generic: the subword unit for any geometry.
  enum class Loop { fastest, scalar, generic };
  Loop loop = Loop::fastest;
};

// Exact integer result of the datapath (sum_k W x in integer units, after every ADC).
// InputError if the integers are out of range or the tables cannot cover the partial sums.
AccMatrix run_datapath(const SchemeOptions& scheme, const DatapathRun& run, SubwordStats* stats);

}  // namespace rramsim::schemes
