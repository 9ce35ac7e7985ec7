// Native vs ngspice (the golden reference) vs ideal: section 4 of issue 3.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "rramsim/circuit/deviation.hpp"
#include "rramsim/circuit/native_engine.hpp"

using namespace rramsim;
using namespace rramsim::circuit;

TEST_CASE("linear cells: native equals ngspice to 1e-6 from 4x4 to 64x64") {
  for (int n : {4, 8, 16, 32, 64}) {
    auto spec = test::spec_of(n, n, 1.0);
    spec.bitline_wire_ohm = 2.5;  // word and bit lines differ: catches swapped stamps
    spec.driver_ohm = 50.0;
    spec.sense_ohm = 20.0;
    auto cells = test::random_cells(n, n, 100 + n);
    auto v = test::random_inputs(n, n <= 16 ? 2 : 1, spec.read_volt, 7 + n);
    auto ng = test::solve_with("ngspice", spec, cells, v);
    auto na = test::solve_with("native", spec, cells, v);
    INFO("size " << n);
    CHECK(max_relative_deviation(na, ng) < 1e-6);
    // The parasitics matter at all: the comparison would be trivial if they did nothing.
    auto id = test::solve_with("ideal", spec, cells, v);
    CHECK(max_relative_deviation(na, id) > 1e-4);
  }
}

TEST_CASE("linear cells: 128-row x 8-column slice (and 8 x 128) equal ngspice to 1e-6") {
  for (auto [r, c] : {std::pair{128, 8}, std::pair{8, 128}}) {
    auto spec = test::spec_of(r, c, 2.0);
    spec.driver_ohm = 10.0;
    auto cells = test::random_cells(r, c, 5);
    auto v = test::random_inputs(r, 1, spec.read_volt, 6);
    INFO(r << " x " << c);
    CHECK(max_relative_deviation(test::solve_with("native", spec, cells, v),
                                 test::solve_with("ngspice", spec, cells, v)) < 1e-6);
  }
}

TEST_CASE("zero wire and driver and sense resistance: native and ngspice equal ideal to 1e-9") {
  for (auto cell : {CellType::passive_1r, CellType::one_t_one_r}) {
    auto spec = test::spec_of(16, 12, 0.0);
    spec.cell = cell;
    spec.access_on_ohm = cell == CellType::one_t_one_r ? 2000.0 : 0.0;
    auto cells = test::random_cells(16, 12, 9);
    auto v = test::random_inputs(16, 3, spec.read_volt, 10);
    auto id = test::solve_with("ideal", spec, cells, v);
    // ideal is G^T v with each cell's series conductance
    Eigen::MatrixXd g = cells.siemens;
    if (cell == CellType::one_t_one_r) g = (g.cwiseInverse().array() + 2000.0).inverse().matrix();
    CHECK(max_relative_deviation(id, g.transpose() * v) < 1e-12);
    CHECK(max_relative_deviation(test::solve_with("native", spec, cells, v), id) < 1e-9);
    CHECK(max_relative_deviation(test::solve_with("ngspice", spec, cells, v), id) < 1e-9);
  }
}

TEST_CASE("linear 1T1R cells: native equals ngspice to 1e-6") {
  auto spec = test::spec_of(24, 24, 3.0);
  spec.cell = CellType::one_t_one_r;
  spec.access_on_ohm = 1500.0;
  spec.sense_ohm = 10.0;
  auto cells = test::random_cells(24, 24, 11);
  auto v = test::random_inputs(24, 1, spec.read_volt, 12);
  CHECK(max_relative_deviation(test::solve_with("native", spec, cells, v),
                               test::solve_with("ngspice", spec, cells, v)) < 1e-6);
}

TEST_CASE("nonlinear cells: native equals ngspice to 1e-4 on 32x32 (1R) and 16x16 (1T1R)") {
  for (auto cell : {CellType::passive_1r, CellType::one_t_one_r}) {
    int n = cell == CellType::passive_1r ? 32 : 16;
    auto spec = test::spec_of(n, n, 2.0);
    spec.linear_cells = false;
    spec.read_volt = 0.3;  // well into the sinh's curvature (V0 = 0.25 V)
    spec.cell = cell;
    spec.access_on_ohm = cell == CellType::one_t_one_r ? 1000.0 : 0.0;
    spec.driver_ohm = 20.0;
    auto cells = test::random_cells(n, n, 13);
    auto v = test::random_inputs(n, 1, spec.read_volt, 14);
    auto ng = test::solve_with("ngspice", spec, cells, v);
    auto na = test::solve_with("native", spec, cells, v);
    INFO((cell == CellType::passive_1r ? "1R" : "1T1R"));
    CHECK(max_relative_deviation(na, ng) < 1e-4);
    // The sinh I-V is really exercised: the linear-cell answer differs.
    auto lin = spec;
    lin.linear_cells = true;
    CHECK(max_relative_deviation(test::solve_with("native", lin, cells, v), ng) > 1e-3);
  }
}

TEST_CASE("nonlinear cells given as gaps: native and ngspice and ideal agree at zero wire") {
  auto spec = test::spec_of(8, 8, 0.0);
  spec.linear_cells = false;
  CellArray cells;
  cells.gap_m = Eigen::MatrixXd::Constant(8, 8, 0.5e-9);
  for (int i = 0; i < 8; ++i) cells.gap_m(i, i) = 1.2e-9;
  auto v = test::random_inputs(8, 2, 0.2, 15);
  auto id = test::solve_with("ideal", spec, cells, v);
  CHECK(max_relative_deviation(test::solve_with("native", spec, cells, v), id) < 1e-9);
  CHECK(max_relative_deviation(test::solve_with("ngspice", spec, cells, v), id) < 1e-6);
}

TEST_CASE("native: a batch equals input-by-input solves and node voltages satisfy KCL") {
  for (bool linear : {true, false}) {
    auto spec = test::spec_of(20, 30, 1.5);
    spec.linear_cells = linear;
    spec.driver_ohm = 5.0;
    spec.sense_ohm = 5.0;
    auto cells = test::random_cells(20, 30, 16);
    auto v = test::random_inputs(20, 5, spec.read_volt, 17);
    NativeEngine e;
    e.program(spec, cells);
    auto batch = e.solve(v).column_amp;
    for (int k = 0; k < 5; ++k) {
      auto one = e.solve(v.col(k), {.node_voltages = true});
      CHECK(max_relative_deviation(one.column_amp, batch.col(k)) < 1e-12);
      // Column current from the cell voltages (each cell's own I-V) equals the solver's.
      Eigen::MatrixXd vc = *one.wordline_volt - *one.bitline_volt;
      Eigen::VectorXd from_cells(30);
      for (int j = 0; j < 30; ++j) {
        double sum = 0;
        for (int i = 0; i < 20; ++i)
          sum += linear ? cells.siemens(i, j) * vc(i, j)
                        : cells.siemens(i, j) * spec.read_volt * std::sinh(vc(i, j) / 0.25) /
                              std::sinh(spec.read_volt / 0.25);
        from_cells[j] = sum;
      }
      CHECK(max_relative_deviation(one.column_amp, from_cells) < 1e-9);
    }
  }
}

TEST_CASE("native: line-form iteration where it converges and fallback to the factorization where it stalls") {
  // 1 ohm wires: conjugate gradients in line form, a few dozen iterations at most.
  // 1e5 ohm wires (cells as strong as the wires): the iteration stalls at its cap and the
  // input is solved by the sparse factorization; both still equal ngspice.
  for (double wire : {1.0, 1e5}) {
    auto spec = test::spec_of(32, 32, wire);
    auto cells = test::random_cells(32, 32, 40);
    auto v = test::random_inputs(32, 2, spec.read_volt, 41);
    NativeEngine e;
    e.program(spec, cells);
    auto native = e.solve(v, {.node_voltages = true});
    INFO("wire " << wire << " ohm");
    CHECK(e.stats().line_form);
    if (wire == 1.0) {
      CHECK(e.stats().direct_fallbacks == 0);
      CHECK(e.stats().last_cg_iterations > 0);
      CHECK(e.stats().last_cg_iterations < 50);
    } else {
      CHECK(e.stats().direct_fallbacks == 2);
      CHECK(e.stats().factor_nonzeros > 0);
    }
    auto ng = make_engine("ngspice");
    ng->program(spec, cells);
    CHECK(max_relative_deviation(native.column_amp, ng->solve(v).column_amp) < 1e-9);
    CHECK(native.wordline_volt->rows() == 32);
  }
}
