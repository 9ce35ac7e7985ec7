#pragma once
// Helpers shared by the engines (private to the circuit layer).
#include <fmt/format.h>

#include "rramsim/circuit/engine.hpp"
#include "rramsim/circuit/network.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::circuit::detail {

// Word-line and bit-line voltage maps (rows x cols) from per-node voltages.
inline void fill_node_maps(const Network& net, const Eigen::VectorXd& node_v, Solution& s) {
  Eigen::MatrixXd wl(net.rows, net.cols), bl(net.rows, net.cols);
  for (int i = 0; i < net.rows; ++i)
    for (int j = 0; j < net.cols; ++j) {
      wl(i, j) = node_v[net.wl_node[i * net.cols + j]];
      bl(i, j) = node_v[net.bl_node[i * net.cols + j]];
    }
  s.wordline_volt = std::move(wl);
  s.bitline_volt = std::move(bl);
}

inline void check_inputs(const char* engine, bool programmed, int rows,
                         const Eigen::MatrixXd& row_volts) {
  if (!programmed) throw InputError(fmt::format("{} engine: solve() before program()", engine));
  if (row_volts.rows() != rows || row_volts.cols() < 1)
    throw InputError(fmt::format("{} engine: inputs must be {} rows x batch (>= 1), got {} x {}",
                                 engine, rows, row_volts.rows(), row_volts.cols()));
  if (!row_volts.allFinite())
    throw InputError(fmt::format("{} engine: input voltages must be finite", engine));
}

// The sinh cell current and its derivative, argument bounded as in the device model.
inline double sinh_amp(double a, double v, double v0, double arg_max) {
  double x = std::clamp(v / v0, -arg_max, arg_max);
  return a * std::sinh(x);
}
inline double sinh_siemens(double a, double v, double v0, double arg_max) {
  double x = v / v0;
  if (x > arg_max || x < -arg_max) return 0.0;
  return a / v0 * std::cosh(x);
}

}  // namespace rramsim::circuit::detail
