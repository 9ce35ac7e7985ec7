// Writes the crossbar network as a SPICE netlist.
#include "rramsim/circuit/spice_netlist.hpp"

#include <fmt/format.h>

namespace rramsim::circuit {

std::vector<std::string> spice_netlist(const Network& net, const Eigen::VectorXd& row_volt) {
  std::vector<std::string> l;
  l.reserve(net.resistors.size() + net.sinh_cells.size() + net.rows + net.cols + 4);
  l.push_back(fmt::format("* rramsim crossbar {}x{}", net.rows, net.cols));
  // Tight tolerances: ngspice is the reference the native solver is checked against to
  // 1e-6 (linear) and 1e-4 (nonlinear); its defaults (reltol 1e-3) are looser than that.
  l.push_back(".options reltol=1e-9 vntol=1e-12 abstol=1e-15");
  for (int i = 0; i < net.rows; ++i)
    l.push_back(fmt::format("vin{} {} 0 dc {:.17g}", i, net.node_name[net.input_node[i]], row_volt[i]));
  for (int j = 0; j < net.cols; ++j)
    l.push_back(fmt::format("vsense{} {} 0 dc 0", j, net.node_name[net.sense_node[j]]));
  for (size_t k = 0; k < net.resistors.size(); ++k) {
    const auto& r = net.resistors[k];
    l.push_back(fmt::format("r{} {} {} {:.17g}", k, net.node_name[r.a], net.node_name[r.b], 1.0 / r.siemens));
  }
  for (size_t k = 0; k < net.sinh_cells.size(); ++k) {
    const auto& c = net.sinh_cells[k];
    const auto& a = net.node_name[c.a];
    const auto& b = net.node_name[c.b];
    l.push_back(fmt::format("b{} {} {} i={:.17g}*sinh(min(max(v({},{})/{:.17g},{}),{}))", k, a, b,
                            c.prefactor_amp, a, b, net.v0_volt, -net.sinh_arg_max, net.sinh_arg_max));
  }
  l.push_back(".end");
  return l;
}

std::string sense_vector_name(int col) { return fmt::format("vsense{}#branch", col); }

}  // namespace rramsim::circuit
