// Physical behaviour of the IR drop, and the large arrays.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "rramsim/circuit/deviation.hpp"
#include "rramsim/circuit/native_engine.hpp"

using namespace rramsim;
using namespace rramsim::circuit;

TEST_CASE("physics: the deficit grows with distance from the driver and from the sense end") {
  const int n = 32;
  auto spec = test::spec_of(n, n, 2.0);
  auto cells = test::uniform_cells(n, n, 1.0 / 2000.0);
  Eigen::VectorXd v = Eigen::VectorXd::Constant(n, spec.read_volt);
  NativeEngine e;
  e.program(spec, cells);
  auto s = e.solve(v, {.node_voltages = true});
  Eigen::MatrixXd deficit = (v.replicate(1, n) - (*s.wordline_volt - *s.bitline_volt));
  CHECK(deficit.minCoeff() >= 0);  // 0 only at the cell next to both driver and sense
  for (int i = 0; i < n; ++i)
    for (int j = 0; j + 1 < n; ++j) CHECK(deficit(i, j + 1) > deficit(i, j));  // away from the driver
  for (int j = 0; j < n; ++j)
    for (int i = 0; i + 1 < n; ++i) CHECK(deficit(i, j) > deficit(i + 1, j));  // away from the sense end (row n-1)
  // Column currents fall with distance from the drivers.
  for (int j = 0; j + 1 < n; ++j) CHECK(s.column_amp(j + 1, 0) < s.column_amp(j, 0));
  // ngspice shows the same node voltages.
  if (true) {
    auto ng = make_engine("ngspice");
    ng->program(spec, cells);
    auto r = ng->solve(v, {.node_voltages = true});
    CHECK((*r.wordline_volt - *s.wordline_volt).cwiseAbs().maxCoeff() < 1e-9);
    CHECK((*r.bitline_volt - *s.bitline_volt).cwiseAbs().maxCoeff() < 1e-9);
  }
}

TEST_CASE("physics: all rows on deviates more from ideal than sparse inputs") {
  const int n = 64;
  auto spec = test::spec_of(n, n, 1.0);
  auto cells = test::random_cells(n, n, 21);
  NativeEngine na;
  na.program(spec, cells);
  auto id = make_engine("ideal");
  id->program(spec, cells);
  Eigen::MatrixXd all_on = Eigen::MatrixXd::Constant(n, 1, spec.read_volt);
  Eigen::MatrixXd sparse = test::random_inputs(n, 8, spec.read_volt, 22, 1.0 / 16);
  // Error in units of each column's full-scale current (its ideal all-on current): what an
  // ADC with a fixed range sees. (Relative to its own, smaller current, a sparse input's
  // error is not smaller: current leaks from the bit lines into the grounded unselected
  // word lines; docs/circuit.md.)
  Eigen::VectorXd full = id->solve(all_on).column_amp;
  auto err = [&](const Eigen::MatrixXd& v) {
    Eigen::MatrixXd d = (na.solve(v).column_amp - id->solve(v).column_amp).cwiseAbs();
    return (d.array().colwise() / full.array()).maxCoeff();
  };
  double dev_all = err(all_on), dev_sparse = err(sparse);
  CHECK(dev_all > 3 * dev_sparse);
  // Native currents never exceed the ideal ones (the parasitics only take voltage away).
  CHECK((na.solve(all_on).column_amp - id->solve(all_on).column_amp).maxCoeff() < 0);
}

TEST_CASE("physics: linear cells scale linearly with read voltage and nonlinear cells do not") {
  auto spec = test::spec_of(16, 16, 1.5);
  auto cells = test::random_cells(16, 16, 23);
  auto v = test::random_inputs(16, 2, 1.0, 24);
  for (const char* engine : {"native", "ngspice"}) {
    auto a = test::solve_with(engine, spec, cells, 0.1 * v);
    auto b = test::solve_with(engine, spec, cells, 0.3 * v);
    INFO(engine);
    CHECK(max_relative_deviation(b, 3.0 * a) < 1e-9);
  }
  spec.linear_cells = false;
  auto a = test::solve_with("native", spec, cells, 0.1 * v);
  auto b = test::solve_with("native", spec, cells, 0.3 * v);
  CHECK(max_relative_deviation(b, 3.0 * a) > 1e-2);
}

TEST_CASE("native: 256x256 solves and its transfer matrix is consistent with a direct solve") {
  const int n = 256;
  auto spec = test::spec_of(n, n, 1.0);
  spec.sense_ohm = 10;
  auto cells = test::random_cells(n, n, 25);
  auto v = test::random_inputs(n, n, spec.read_volt, 26);
  NativeEngine e;
  e.program(spec, cells);
  CHECK(e.stats().unknowns == 2 * n * n - n);  // driver_ohm = 0 merges W(i,0) into the input
  auto batch = e.solve(v).column_amp;          // a batch of n inputs: through the transfer matrix
  NativeEngine fresh;                          // a single input: iterative solve
  fresh.program(spec, cells);
  auto one = fresh.solve(v.col(0), {.node_voltages = true});
  CHECK(max_relative_deviation(one.column_amp, batch.col(0)) < 1e-9);
  Eigen::MatrixXd vc = *one.wordline_volt - *one.bitline_volt;
  Eigen::VectorXd from_cells = cells.siemens.cwiseProduct(vc).colwise().sum().transpose();
  CHECK(max_relative_deviation(batch.col(0), from_cells) < 1e-8);
  auto id = test::solve_with("ideal", spec, cells, v);
  double dev = max_relative_deviation(batch, id);
  CHECK(dev > 1e-3);
  CHECK(dev < 1.0);
  CHECK((batch - id).maxCoeff() < 0);
}

TEST_CASE("native: transfer matrix and iterative solves agree on row-driven and adjoint paths") {
  for (auto [r, c] : {std::pair{40, 24}, std::pair{24, 40}}) {
    auto spec = test::spec_of(r, c, 2.0);
    spec.driver_ohm = 3;
    spec.sense_ohm = 7;
    auto cells = test::random_cells(r, c, 27);
    auto v = test::random_inputs(r, 3, spec.read_volt, 28);
    NativeEngine a, b;
    a.program(spec, cells);
    b.program(spec, cells);
    auto iterative = a.solve(v).column_amp;  // 3 inputs < min(r, c): no transfer matrix yet
    Eigen::MatrixXd transfer = b.transfer() * v;
    INFO(r << " x " << c);
    CHECK(max_relative_deviation(iterative, transfer) < 1e-9);
    CHECK(max_relative_deviation(b.solve(v).column_amp, transfer) < 1e-12);
  }
}
