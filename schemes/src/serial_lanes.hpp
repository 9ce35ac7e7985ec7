#pragma once
// Dynamic quantization on the ISAAC geometry, eight output positions at a time (AVX-512).
// The most-significant-first order is a chain per output: each input plane's skip decisions
// wait for the running sum of the planes before it, so one position at a time leaves the
// core waiting on that chain and on branches it cannot predict. Depthwise layers (one
// output column per group, K = 9 or 25) are all chain. Positions are independent, so eight
// of them run in the lanes of one vector, each with its own inputs, running sum, window
// decisions, draws and counts; a lane's decisions become masks, not branches. Same numbers
// bit for bit as run_plane_serial (a test compares them). Internal to schemes/src.
#include <cstdint>
#include <vector>

#include "plane_kernel.hpp"

namespace rramsim::schemes::detail {

inline constexpr int kLanes = 8;

// The inputs of up to eight positions, lane-interleaved: [(plane) * kLanes + lane], plane =
// chunk * input_slices + i. Filled by the datapath from each position's bit-planes.
struct LaneBlock {
  int lanes = 0;                        // positions in the block (the rest are idle lanes)
  std::vector<uint64_t> fed0, fed1;     // fed bits of row words 0 and 1
  std::vector<int64_t> driven;          // rows driven (0: no read, no conversion)
  std::vector<int64_t> level_sum;       // sum of the fed levels before inversion
  std::vector<uint8_t> inverted;        // [plane]: lanes whose plane was fed inverted (bit mask)
  std::vector<int64_t> slice_total;     // [i * kLanes + lane]: the slice's level sum over all rows
  std::vector<uint64_t> table_begin;    // [(plane * tables_per_plane + j) * kLanes + lane]: sampler rows
  std::vector<uint64_t> table_slots;    //   for the lane's driven rows (addresses; unused when clipping)
  uint64_t seed[kLanes] = {};           // each position's seed for the calibrated draws
  std::vector<int32_t> conversions;     // out: [((chunk * crossbars + crossbar) * nin + i) * kLanes + lane]
};

// What does not change between blocks of one run.
struct SerialParams {
  int outputs = 0, chunks = 0, input_slices = 0, weight_slices = 0, polarities = 1;
  int crossbars = 1, outputs_per_crossbar = 1, window_bits = 0;
  int max_input = 1, max_cell = 3, bias_shift = 0;
  bool biased = true;
  bool stats = false;                   // count cells by level and conversions by ADC bits
  int tables_per_plane = 1;             // 1: every weight slice shares the plane's sampler, else S
  int64_t input_offset = 0;
  const int64_t* qsum = nullptr;        // [output]: sum of the weights (offset-binary correction)
  const KernelAdc* adcs = nullptr;      // [i * S + j]: full scale, shift mask, histogram
  const uint8_t* tables = nullptr;      // [i * S + j]: codes drawn from calibrated tables
  const int* adc_bits = nullptr;        // [i * S + j]: the plan's resolution (for the counts)
};

// The block's counters, summed over its lanes.
struct LaneCounters {
  uint64_t computed = 0, zero_input = 0, zero_weight = 0, dynamic = 0, clipped = 0, active = 0;
  uint64_t bit_cells[2] = {0, 0}, top_cells = 0;
  uint64_t conversions_by_bits[17] = {};
};

// Whether this build and CPU run drive_serial_lanes.
bool serial_lanes_available();

// Runs every output of the block's positions; acc[m * kLanes + lane] receives the result.
void drive_serial_lanes(const KernelWeights& w, const SerialParams& sp, LaneBlock& b, LaneCounters& n,
                        int64_t* acc);

}  // namespace rramsim::schemes::detail
