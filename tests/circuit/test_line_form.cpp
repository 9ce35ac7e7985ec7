// Issue 14: the transfer matrix by the dense line sweep and Newton in line form, against
// the sparse factorization and ngspice.
#include <catch2/catch.hpp>
#include <cmath>

#include "helpers.hpp"
#include "rramsim/circuit/deviation.hpp"
#include "rramsim/circuit/native_engine.hpp"

using namespace rramsim;
using namespace rramsim::circuit;

TEST_CASE("native: the line sweep's transfer matrix equals the sparse factorization's") {
  struct Case {
    int rows, cols;
    double wl_ohm, bl_ohm, driver_ohm, sense_ohm;
  };
  // Held and resistive drivers and sense nodes, wide and tall arrays, an open bit line
  // set (cells then carry everything to the last row's sense wire) and 1 x n, n x 1.
  for (Case c : {Case{24, 24, 1.0, 1.0, 0.0, 0.0}, Case{40, 17, 2.0, 0.5, 3.0, 7.0},
                 Case{17, 40, 0.05, 0.05, 0.0, 7.0}, Case{30, 30, 1.0, 1.0, 5.0, 0.0},
                 Case{1, 12, 1.0, 1.0, 0.0, 0.0}, Case{12, 1, 1.0, 1.0, 2.0, 3.0},
                 Case{16, 16, 1.0, INFINITY, 4.0, 0.0}}) {
    auto spec = test::spec_of(c.rows, c.cols, 1.0);
    spec.wordline_wire_ohm = c.wl_ohm;
    spec.bitline_wire_ohm = c.bl_ohm;
    spec.driver_ohm = c.driver_ohm;
    spec.sense_ohm = c.sense_ohm;
    auto cells = test::random_cells(c.rows, c.cols, 50);
    NativeEngine sweep, sparse({.transfer_by_sweep = false});
    sweep.program(spec, cells);
    sparse.program(spec, cells);
    INFO(c.rows << " x " << c.cols << " wl " << c.wl_ohm << " bl " << c.bl_ohm << " driver "
                << c.driver_ohm << " sense " << c.sense_ohm);
    Eigen::MatrixXd t = sweep.transfer();
    CHECK(sweep.stats().transfer_by_sweep);
    CHECK_FALSE(sparse.stats().transfer_by_sweep);
    CHECK(max_relative_deviation(t, sparse.transfer()) < 1e-9);
    // And the batch product against single iterative solves.
    auto v = test::random_inputs(c.rows, 3, spec.read_volt, 51);
    NativeEngine single;
    single.program(spec, cells);
    Eigen::MatrixXd one(c.cols, 3);
    for (int k = 0; k < 3; ++k) one.col(k) = single.solve(v.col(k)).column_amp;
    CHECK(max_relative_deviation(sweep.solve(v).column_amp, one) < 1e-9);
  }
}

TEST_CASE("native: sinh cells by Newton in line form equal ngspice, with the sparse Newton as fallback") {
  for (double driver : {0.0, 20.0}) {
    auto spec = test::spec_of(24, 20, 1.0);
    spec.linear_cells = false;
    spec.read_volt = 0.3;
    spec.driver_ohm = driver;
    spec.sense_ohm = driver == 0 ? 0.0 : 5.0;
    auto cells = test::random_cells(24, 20, 52);
    auto v = test::random_inputs(24, 3, spec.read_volt, 53);
    NativeEngine e;
    e.program(spec, cells);
    auto native = e.solve(v, {.node_voltages = true});
    INFO("driver " << driver << " ohm");
    CHECK(e.stats().line_form);
    CHECK(e.stats().direct_fallbacks == 0);
    CHECK(e.stats().last_newton_iterations > 1);
    auto ng = make_engine("ngspice");
    ng->program(spec, cells);
    CHECK(max_relative_deviation(native.column_amp, ng->solve(v).column_amp) < 1e-6);
    // Each cell's own I-V at the node voltages adds up to the column currents.
    Eigen::MatrixXd vc = *native.wordline_volt - *native.bitline_volt;
    Eigen::VectorXd from_cells = (cells.siemens.array() * spec.read_volt * (vc.array() / 0.25).sinh() /
                                  std::sinh(spec.read_volt / 0.25))
                                     .colwise()
                                     .sum()
                                     .transpose();
    CHECK(max_relative_deviation(native.column_amp.col(0), from_cells) < 1e-9);
  }
  // Wires as resistive as the cells: the line-form CG stalls, the input falls back to the
  // sparse Newton, and the answer still equals ngspice.
  auto spec = test::spec_of(32, 32, 1e5);
  spec.linear_cells = false;
  spec.read_volt = 0.3;
  auto cells = test::random_cells(32, 32, 54);
  auto v = test::random_inputs(32, 2, spec.read_volt, 55);
  NativeEngine e;
  e.program(spec, cells);
  auto native = e.solve(v).column_amp;
  CHECK(e.stats().direct_fallbacks == 2);
  auto ng = make_engine("ngspice");
  ng->program(spec, cells);
  CHECK(max_relative_deviation(native, ng->solve(v).column_amp) < 1e-6);
}
