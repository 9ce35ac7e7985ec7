// The ideal engine: no wire, driver or sense resistance; every cell sees its full row
// voltage. Linear cells: I = G^T v. Nonlinear cells: I_j = sum_i I_cell(v_i), where a
// 1T1R cell is its RRAM sinh I-V in series with the access resistance.
#include <cmath>

#include "detail.hpp"
#include "rramsim/circuit/ideal_engine.hpp"

namespace rramsim::circuit {
namespace {

// Current of a sinh element (prefactor a) in series with r_ohm at total voltage v.
double series_cell_amp(double a, double v0, double am, double r_ohm, double v) {
  if (v == 0 || a == 0) return 0.0;
  double s = v < 0 ? -1.0 : 1.0, u = std::abs(v);
  // f(x) = a sinh(x/v0) - (u - x)/r is increasing and convex on [0, u], f(u) >= 0:
  // Newton from x = u decreases monotonically to the root.
  double x = u;
  for (int it = 0; it < 200; ++it) {
    double f = detail::sinh_amp(a, x, v0, am) - (u - x) / r_ohm;
    double df = detail::sinh_siemens(a, x, v0, am) + 1.0 / r_ohm;
    double dx = f / df;
    x -= dx;
    if (x < 0) x = 0;
    if (std::abs(dx) <= 1e-16 * u) break;
  }
  return s * (u - x) / r_ohm;
}

}  // namespace

void IdealEngine::program(const CrossbarSpec& spec, const CellArray& cells) {
  net_ = build_network(spec, cells);  // validates; gives the geometry for node maps
  spec_ = spec;
  if (spec.linear_cells) {
    g_ = cell_siemens(spec, cells);
  } else {
    a_ = cell_sinh_prefactor_amp(spec, cells);
  }
  programmed_ = true;
}

Solution IdealEngine::solve(const Eigen::MatrixXd& row_volts, const SolveOptions& opts) {
  detail::check_inputs("ideal", programmed_, spec_.rows, row_volts);
  Solution s;
  const double v0 = spec_.device.v0_volt, am = spec_.device.arg_max;
  if (spec_.linear_cells) {
    s.column_amp = g_.transpose() * row_volts;
  } else if (spec_.cell == CellType::one_t_one_r && spec_.access_on_ohm > 0) {
    s.column_amp = Eigen::MatrixXd::Zero(spec_.cols, row_volts.cols());
    for (Eigen::Index k = 0; k < row_volts.cols(); ++k)
      for (int j = 0; j < spec_.cols; ++j)
        for (int i = 0; i < spec_.rows; ++i)
          s.column_amp(j, k) += series_cell_amp(a_(i, j), v0, am, spec_.access_on_ohm, row_volts(i, k));
  } else {  // separable: I = A^T sinh(v / V0)
    Eigen::MatrixXd sh = row_volts.unaryExpr([v0, am](double v) { return detail::sinh_amp(1.0, v, v0, am); });
    s.column_amp = a_.transpose() * sh;
  }
  if (opts.node_voltages) {
    Eigen::VectorXd nv = Eigen::VectorXd::Zero(net_.nodes);
    for (int i = 0; i < spec_.rows; ++i)
      for (int j = 0; j < spec_.cols; ++j) nv[net_.wl_node[i * spec_.cols + j]] = row_volts(i, 0);
    detail::fill_node_maps(net_, nv, s);
  }
  return s;
}

}  // namespace rramsim::circuit
