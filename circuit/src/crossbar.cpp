// Validation of a crossbar description: every later stage may assume a well-formed array.
#include "rramsim/circuit/crossbar.hpp"

#include <cmath>
#include <fmt/format.h>

#include "rramsim/common/error.hpp"
#include "rramsim/device/params.hpp"

namespace rramsim::circuit {
namespace {

// A resistance may be 0 (a short, merged away) or +inf (an open); never negative or NaN.
void check_ohm(const char* name, double ohm) {
  if (std::isnan(ohm) || ohm < 0)
    throw InputError(fmt::format("crossbar: {} must be >= 0 ohm, got {}", name, ohm));
}

}  // namespace

void validate(const CrossbarSpec& spec, const CellArray& cells) {
  if (spec.rows < 1 || spec.rows > kMaxLines || spec.cols < 1 || spec.cols > kMaxLines)
    throw InputError(fmt::format("crossbar: rows and cols must be in [1, {}], got {} x {}",
                                 kMaxLines, spec.rows, spec.cols));
  check_ohm("wordline_wire_ohm", spec.wordline_wire_ohm);
  check_ohm("bitline_wire_ohm", spec.bitline_wire_ohm);
  check_ohm("driver_ohm", spec.driver_ohm);
  check_ohm("sense_ohm", spec.sense_ohm);
  check_ohm("access_on_ohm", spec.access_on_ohm);
  // Infinite driver, sense or access resistance would cut every path: reject, not solve.
  for (auto [name, ohm] : {std::pair{"driver_ohm", spec.driver_ohm},
                           std::pair{"sense_ohm", spec.sense_ohm},
                           std::pair{"access_on_ohm", spec.access_on_ohm}})
    if (std::isinf(ohm)) throw InputError(fmt::format("crossbar: {} must be finite", name));
  if (!std::isfinite(spec.read_volt) || spec.read_volt <= 0)
    throw InputError(fmt::format("crossbar: read_volt must be finite and > 0, got {}", spec.read_volt));
  if (!spec.linear_cells || cells.gap_m.size() > 0) device::validate(spec.device);

  const bool by_gap = cells.gap_m.size() > 0;
  const Eigen::MatrixXd& m = by_gap ? cells.gap_m : cells.siemens;
  const char* what = by_gap ? "gap_m" : "siemens";
  if (m.rows() != spec.rows || m.cols() != spec.cols)
    throw InputError(fmt::format("crossbar: cell array {} is {} x {}, expected {} x {}", what,
                                 m.rows(), m.cols(), spec.rows, spec.cols));
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      double x = m(i, j);
      if (!std::isfinite(x) || x < 0)
        throw InputError(fmt::format("crossbar: cell ({}, {}) {} must be finite and >= 0, got {}",
                                     i, j, what, x));
      if (by_gap && (x < spec.device.gap_min_m || x > spec.device.gap_max_m))
        throw InputError(fmt::format("crossbar: cell ({}, {}) gap {} m is outside [{}, {}] m", i, j,
                                     x, spec.device.gap_min_m, spec.device.gap_max_m));
    }
}

}  // namespace rramsim::circuit
