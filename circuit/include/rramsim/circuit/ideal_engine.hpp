#pragma once
// The ideal engine: no parasitics, every cell sees its full row voltage (I = G^T v for
// linear cells). The reference the other engines' deviation is measured against.
#include "rramsim/circuit/engine.hpp"
#include "rramsim/circuit/network.hpp"

namespace rramsim::circuit {

class IdealEngine : public Engine {
 public:
  std::string name() const override { return "ideal"; }
  void program(const CrossbarSpec& spec, const CellArray& cells) override;
  Solution solve(const Eigen::MatrixXd& row_volts, const SolveOptions& opts = {}) override;

 private:
  bool programmed_ = false;
  CrossbarSpec spec_;
  Network net_;
  Eigen::MatrixXd g_;  // linear: cell conductance (with access resistance)
  Eigen::MatrixXd a_;  // nonlinear: sinh prefactor
};

}  // namespace rramsim::circuit
