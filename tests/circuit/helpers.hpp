#pragma once
// Shared set-up for the circuit tests: arrays with random states and random inputs.
#include <random>

#include "rramsim/circuit/crossbar.hpp"
#include "rramsim/circuit/engine.hpp"

namespace rramsim::test {

// Conductances log-uniform between HRS and LRS of the Stanford-PKU defaults at 0.1 V
// (about 218.6 kohm and 540 ohm).
inline circuit::CellArray random_cells(int rows, int cols, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(std::log(1.0 / 218.6e3), std::log(1.0 / 540.0));
  circuit::CellArray c;
  c.siemens.resize(rows, cols);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) c.siemens(i, j) = std::exp(u(rng));
  return c;
}

inline circuit::CellArray uniform_cells(int rows, int cols, double siemens) {
  circuit::CellArray c;
  c.siemens = Eigen::MatrixXd::Constant(rows, cols, siemens);
  return c;
}

// Binary inputs: each row at read_volt with probability p_on, else 0 (never all off).
inline Eigen::MatrixXd random_inputs(int rows, int batch, double read_volt, unsigned seed,
                                     double p_on = 0.5) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution on(p_on);
  Eigen::MatrixXd v(rows, batch);
  for (int k = 0; k < batch; ++k) {
    for (int i = 0; i < rows; ++i) v(i, k) = on(rng) ? read_volt : 0.0;
    v(static_cast<int>(k % rows), k) = read_volt;
  }
  return v;
}

inline circuit::CrossbarSpec spec_of(int rows, int cols, double wire_ohm) {
  circuit::CrossbarSpec s;
  s.rows = rows;
  s.cols = cols;
  s.wordline_wire_ohm = wire_ohm;
  s.bitline_wire_ohm = wire_ohm;
  return s;
}

inline Eigen::MatrixXd solve_with(const std::string& engine, const circuit::CrossbarSpec& spec,
                                  const circuit::CellArray& cells, const Eigen::MatrixXd& v) {
  auto e = circuit::make_engine(engine);
  e->program(spec, cells);
  return e->solve(v).column_amp;
}

}  // namespace rramsim::test
