#pragma once
// The ngspice engine: the crossbar netlist (spice_netlist.hpp) solved by libngspice's .op,
// one run per input. The golden reference; slow beyond about 64x64 (matrix reordering).
#include "rramsim/circuit/engine.hpp"
#include "rramsim/circuit/network.hpp"

namespace rramsim::circuit {

class NgspiceEngine : public Engine {
 public:
  std::string name() const override { return "ngspice"; }
  void program(const CrossbarSpec& spec, const CellArray& cells) override;
  Solution solve(const Eigen::MatrixXd& row_volts, const SolveOptions& opts = {}) override;

 private:
  bool programmed_ = false;
  Network net_;
};

}  // namespace rramsim::circuit
