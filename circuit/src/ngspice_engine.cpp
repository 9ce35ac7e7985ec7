// The ngspice engine: the golden reference. One .op per input through the device layer's
// NgspiceSession (which owns libngspice's global state and recovers from failed jobs).
#include <fmt/format.h>

#include "detail.hpp"
#include "rramsim/circuit/ngspice_engine.hpp"
#include "rramsim/circuit/spice_netlist.hpp"
#include "rramsim/device/ngspice_session.hpp"

namespace rramsim::circuit {
namespace {

double lookup(const std::map<std::string, std::vector<double>>& vecs, const std::string& name) {
  for (const auto& key : {name, "v(" + name + ")"}) {
    auto it = vecs.find(key);
    if (it != vecs.end() && !it->second.empty()) return it->second[0];
  }
  throw SolverError("ngspice engine: vector '" + name + "' missing from ngspice's result");
}

}  // namespace

void NgspiceEngine::program(const CrossbarSpec& spec, const CellArray& cells) {
  programmed_ = false;
  net_ = build_network(spec, cells);
  if (auto f = floating_node(net_); !f.empty())
    throw SolverError("ngspice engine: node " + f +
                      " is floating (no conducting path to a driver or sense node): singular netlist");
  programmed_ = true;
}

Solution NgspiceEngine::solve(const Eigen::MatrixXd& row_volts, const SolveOptions& opts) {
  detail::check_inputs("ngspice", programmed_, net_.rows, row_volts);
  auto& session = device::NgspiceSession::instance();
  Solution s;
  s.column_amp.resize(net_.cols, row_volts.cols());
  for (Eigen::Index k = 0; k < row_volts.cols(); ++k) {
    Eigen::VectorXd v = row_volts.col(k);
    bool nodes = opts.node_voltages && k == 0;
    std::vector<std::string> want;
    if (!nodes)
      for (int j = 0; j < net_.cols; ++j) want.push_back(sense_vector_name(j));
    auto vecs = session.run(spice_netlist(net_, v), "op", want);
    for (int j = 0; j < net_.cols; ++j) s.column_amp(j, k) = lookup(vecs, sense_vector_name(j));
    if (nodes) {
      Eigen::VectorXd nv(net_.nodes);
      for (int n = 0; n < net_.nodes; ++n)
        nv[n] = net_.fixed_row[n] >= 0 ? v[net_.fixed_row[n]]
                : net_.grounded[n]     ? 0.0
                                       : lookup(vecs, net_.node_name[n]);
      detail::fill_node_maps(net_, nv, s);
    }
  }
  return s;
}

}  // namespace rramsim::circuit
