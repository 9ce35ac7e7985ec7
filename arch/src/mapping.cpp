#include "rramsim/arch/mapping.hpp"

#include <algorithm>

#include "rramsim/common/error.hpp"

namespace rramsim::arch {

LayerMapping map_layer(const Hardware& hw, const Layer& layer, int weight_bits, int input_bits,
                       int extra_columns, int polarities) {
  if (!layer.is_weighted())
    throw InputError("layer '" + layer.name + "' is a " + to_string(layer.kind) + " layer: only conv and fc layers map to crossbars");
  LayerMapping m;
  m.kernel_rows = layer.kernel_rows();
  m.groups = layer.groups;
  m.out_per_group = layer.out_channels_per_group();
  m.weight_slices = hw.weight_slices(weight_bits) * polarities;
  m.input_cycles = hw.input_cycles(input_bits);
  m.extra_columns = extra_columns;
  m.outputs_per_crossbar = hw.cols / m.weight_slices;
  if (m.outputs_per_crossbar < 1)
    throw InputError(std::to_string(weight_bits) + "-bit weights need " + std::to_string(m.weight_slices) +
                     " columns of " + std::to_string(hw.bits_per_cell) + "-bit cells, more than the " +
                     std::to_string(hw.cols) + " columns of a crossbar");
  m.row_chunks = (m.kernel_rows + hw.rows - 1) / hw.rows;
  m.col_chunks = (m.out_per_group + m.outputs_per_crossbar - 1) / m.outputs_per_crossbar;
  m.crossbars = int64_t{m.groups} * m.row_chunks * m.col_chunks;
  m.busiest_crossbar_columns = std::min(m.out_per_group, m.outputs_per_crossbar) * m.weight_slices + extra_columns;
  // Small groups (depthwise: K = 9, M = 1) share a crossbar block-diagonally: each group
  // has its own rows and columns (the other cells stay unprogrammed), all read at once.
  if (m.groups > 1 && m.row_chunks == 1 && m.col_chunks == 1) {
    const int64_t by_rows = hw.rows / m.kernel_rows, by_cols = m.outputs_per_crossbar / m.out_per_group;
    m.groups_per_crossbar = static_cast<int>(std::max<int64_t>(1, std::min({by_rows, by_cols, int64_t{m.groups}})));
    m.crossbars = (m.groups + m.groups_per_crossbar - 1) / m.groups_per_crossbar;
    m.busiest_crossbar_columns = m.groups_per_crossbar * m.out_per_group * m.weight_slices + extra_columns;
  }
  m.utilization = double(m.groups) * double(m.kernel_rows) * m.out_per_group * m.weight_slices /
                  (double(m.crossbars) * hw.rows * hw.cols);
  m.dac_activations_per_cycle = int64_t{m.groups} * m.col_chunks * m.kernel_rows;
  m.conversions_per_cycle =
      int64_t{m.groups} * m.row_chunks * int64_t{m.out_per_group} * m.weight_slices + m.crossbars * int64_t{extra_columns};
  return m;
}

}  // namespace rramsim::arch
