#pragma once
// How one conv/fc layer's weight matrix lands on crossbars (ISAAC's mapping).
//
// Per group, the weight matrix is K x M (K = kernel rows, M = output channels per group).
// Kernel rows are chunked by crossbar rows; each weight is split into `weight_slices` cells of
// bits_per_cell bits in adjacent columns, so one crossbar holds floor(cols / slices) output
// channels; `extra_columns` correction columns (ISAAC's unit column) are added per crossbar.
// Each input is applied `input_cycles` times (dac_bits per read cycle).
#include <cstdint>

#include "rramsim/arch/hardware.hpp"
#include "rramsim/workload/network.hpp"

namespace rramsim::arch {

using workload::Layer;
using workload::LayerKind;
using workload::Network;

struct LayerMapping {
  int64_t kernel_rows = 0;          // K per group
  int groups = 1;
  int out_per_group = 0;            // M
  int weight_slices = 0;           // columns per weight: polarities x cells
  int input_cycles = 0;
  int extra_columns = 0;
  int outputs_per_crossbar = 0;     // floor(cols / weight_slices)
  int64_t row_chunks = 0;           // ceil(K / rows)
  int64_t col_chunks = 0;           // ceil(M / outputs_per_crossbar)
  int64_t crossbars = 0;            // one copy: groups x row_chunks x col_chunks (or packed, below)
  int groups_per_crossbar = 1;      // small groups packed block-diagonally (depthwise: K = 9, M = 1)
  double utilization = 0;           // programmed data cells / cells of the crossbars used
  int busiest_crossbar_columns = 0; // data + extra columns converted per read by the fullest crossbar
  // Per read cycle of one copy (every crossbar read once):
  int64_t dac_activations_per_cycle = 0;  // groups x col_chunks x K
  int64_t conversions_per_cycle = 0;      // groups x row_chunks x M x slices + crossbars x extra
};

// InputError if the layer is not conv/fc or a weight needs more columns than a crossbar has.
// `polarities` = 2 stores positive and negative weights in separate columns (arrays).
LayerMapping map_layer(const Hardware& hw, const Layer& layer, int weight_bits, int input_bits,
                       int extra_columns, int polarities = 1);

}  // namespace rramsim::arch
