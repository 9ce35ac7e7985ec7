// Failures: singular circuits, failed ngspice jobs, bad input.
#include <catch2/catch.hpp>

#include <limits>

#include "helpers.hpp"
#include "rramsim/circuit/deviation.hpp"
#include "rramsim/circuit/network.hpp"
#include "rramsim/circuit/spice_netlist.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/device/ngspice_session.hpp"

using namespace rramsim;
using namespace rramsim::circuit;

TEST_CASE("errors: a failing ngspice job gives a clear error and the next job still runs") {
  auto spec = test::spec_of(8, 8, 1.0);
  auto cells = test::random_cells(8, 8, 31);
  auto v = test::random_inputs(8, 1, spec.read_volt, 32);
  // A singular netlist: the crossbar plus two voltage sources in parallel at different
  // voltages (no solution; ngspice's gmin stepping cannot rescue it).
  auto lines = spice_netlist(build_network(spec, cells), v);
  lines.insert(lines.end() - 1, "vbad1 in0 0 dc 1");
  CHECK_THROWS_AS(device::NgspiceSession::instance().run(lines, "op"), device::NgspiceError);
  try {
    device::NgspiceSession::instance().run(lines, "op");
  } catch (const device::NgspiceError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).size() > 10);
  }
  // The engine's next job runs and agrees with native.
  CHECK(max_relative_deviation(test::solve_with("ngspice", spec, cells, v),
                               test::solve_with("native", spec, cells, v)) < 1e-6);
}

TEST_CASE("errors: a floating node (open word line and zero-conductance cell) is a SolverError") {
  auto spec = test::spec_of(4, 4, 1.0);
  spec.wordline_wire_ohm = std::numeric_limits<double>::infinity();
  auto cells = test::random_cells(4, 4, 33);
  cells.siemens(2, 3) = 0.0;
  for (const char* engine : {"native", "ngspice"}) {
    auto e = make_engine(engine);
    CHECK_THROWS_WITH(e->program(spec, cells), Catch::Contains("w2_3") && Catch::Contains("floating"));
    CHECK_THROWS_AS(e->program(spec, cells), SolverError);
  }
  // With the cell conducting, W(2,3) reaches the sense node through it: a valid circuit.
  cells.siemens(2, 3) = 1e-4;
  auto v = test::random_inputs(4, 1, spec.read_volt, 34);
  CHECK(max_relative_deviation(test::solve_with("native", spec, cells, v),
                               test::solve_with("ngspice", spec, cells, v)) < 1e-6);
}

TEST_CASE("errors: bad crossbar descriptions and inputs are InputErrors naming the problem") {
  auto cells = test::random_cells(4, 4, 35);
  auto v = test::random_inputs(4, 1, 0.1, 36);
  auto expect = [&](CrossbarSpec spec, const CellArray& c, const std::string& text) {
    for (const char* engine : {"ideal", "native", "ngspice"}) {
      auto e = make_engine(engine);
      CHECK_THROWS_AS(e->program(spec, c), InputError);
      CHECK_THROWS_WITH(e->program(spec, c), Catch::Contains(text));
    }
  };
  auto ok = test::spec_of(4, 4, 1.0);
  auto s = ok;
  s.rows = 0;
  expect(s, cells, "rows and cols");
  s = ok;
  s.cols = 513;
  expect(s, cells, "rows and cols");
  s = ok;
  s.wordline_wire_ohm = -1;
  expect(s, cells, "wordline_wire_ohm");
  s = ok;
  s.bitline_wire_ohm = std::nan("");
  expect(s, cells, "bitline_wire_ohm");
  s = ok;
  s.driver_ohm = std::numeric_limits<double>::infinity();
  expect(s, cells, "driver_ohm");
  expect(ok, test::random_cells(4, 5, 1), "cell array siemens is 4 x 5, expected 4 x 4");
  auto bad = cells;
  bad.siemens(1, 2) = std::nan("");
  expect(ok, bad, "cell (1, 2)");
  CellArray gaps;
  gaps.gap_m = Eigen::MatrixXd::Constant(4, 4, 5e-9);
  expect(ok, gaps, "outside");
  // Inputs of the wrong length, non-finite inputs, unknown engine.
  for (const char* engine : {"ideal", "native", "ngspice"}) {
    auto e = make_engine(engine);
    CHECK_THROWS_AS(e->solve(v), InputError);  // not programmed
    e->program(ok, cells);
    CHECK_THROWS_WITH(e->solve(Eigen::MatrixXd::Zero(5, 1)), Catch::Contains("must be 4 rows"));
    Eigen::MatrixXd nan_in = v;
    nan_in(0, 0) = std::nan("");
    CHECK_THROWS_WITH(e->solve(nan_in), Catch::Contains("finite"));
  }
  CHECK_THROWS_WITH(make_engine("spectre"), Catch::Contains("unknown crossbar engine"));
}
