// The command line as a user runs it: rramsim crossbar solve.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "rramsim/common/h5.hpp"
#include "support.hpp"

using namespace rramsim;

TEST_CASE("cli: crossbar solve with all engines writes HDF5 and JSON and a plot") {
  auto dir = test::temp_dir("xb-cli");
  auto out = dir / "xb.h5";
  auto png = dir / "drop.png";
  auto r = test::run_rramsim("crossbar solve --rows 12 --cols 10 --wire-ohm 2 --engine all --batch 3 --seed 4 --out " +
                             out.string() + " --json --plot " + png.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  for (const char* e : {"ideal", "native", "ngspice"}) {
    INFO(e);
    REQUIRE(j["engines"].contains(e));
    CHECK(j["engines"][e]["column_amp"].size() == 10);
    CHECK(j["engines"][e]["seconds"].get<double>() >= 0);
    CHECK(j["engines"][e]["seconds_per_input"].get<double>() >= 0);
  }
  CHECK(j["max_rel_dev_native_vs_ngspice"].get<double>() < 1e-6);
  double dev = j["max_rel_dev_vs_ideal"].get<double>();
  CHECK(dev > 1e-4);
  CHECK(dev < 1.0);
  auto f = h5::File::open(out);
  CHECK(f.attr_string("rramsim_kind") == "crossbar.solve");
  CHECK(f.attr_int("schema_version") == 2);
  auto amp = f.group("engines").group("native").dataset("column_amp");
  CHECK(amp.dims() == h5::Dims{3, 10});
  CHECK(amp.read_doubles()[0] == Approx(j["engines"]["native"]["column_amp"][0].get<double>()).epsilon(1e-12));
  CHECK(f.group("engines").group("ngspice").dataset("wordline_volt").dims() == h5::Dims{12, 10});
  CHECK(f.dataset("row_volt").dims() == h5::Dims{3, 12});
  CHECK(f.group("crossbar").dataset("cell_siemens").dims() == h5::Dims{12, 10});
  if (test::run_shell("command -v gnuplot").exit_code == 0) CHECK(std::filesystem::file_size(png) > 1000);
}

TEST_CASE("cli: input files and 1T1R and nonlinear cells") {
  auto dir = test::temp_dir("xb-cli-in");
  std::ofstream(dir / "in.txt") << "# two inputs\n0.1, 0, 0.1, 0.1\n0.05 0.05 0 0.1\n";
  auto r = test::run_rramsim("crossbar solve --rows 4 --cols 3 --cells 1t1r --access-ohm 800 --nonlinear --engine all --inputs " +
                             (dir / "in.txt").string() + " --out " + (dir / "o.h5").string() + " --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["batch"] == 2);
  CHECK(j["max_rel_dev_native_vs_ngspice"].get<double>() < 1e-4);
}

TEST_CASE("cli: bad input gives a clear error and a non-zero exit and no output file") {
  auto dir = test::temp_dir("xb-cli-bad");
  auto out = (dir / "x.h5").string();
  auto expect = [&](const std::string& args, const std::string& text) {
    auto r = test::run_rramsim("crossbar solve " + args + " --out " + out);
    INFO(args << " -> " << r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.err.find(text) != std::string::npos);
    CHECK(!std::filesystem::exists(out));
  };
  expect("--rows 0 --cols 4", "--rows and --cols must be in [1, 512]");
  expect("--rows 4 --cols 600", "--rows and --cols must be in [1, 512]");
  expect("--rows 4 --cols 4 --wire-ohm -1", "wordline_wire_ohm must be >= 0");
  expect("--rows 4 --cols 4 --wire-ohm nan", "wordline_wire_ohm must be >= 0");
  expect("--rows 4 --cols 4 --sense-ohm -5", "sense_ohm");
  expect("--rows 4 --cols 4 --engine spectre", "engine");
  expect("--rows 4 --cols 4 --batch 0", "--batch must be >= 1");
  std::ofstream(dir / "short.txt") << "0.1 0.1 0.1\n";
  expect("--rows 4 --cols 4 --inputs " + (dir / "short.txt").string(), "short.txt:1: input has 3 values, expected one per row (4)");
  std::ofstream(dir / "nan.txt") << "0.1 0.1 nan 0\n";
  expect("--rows 4 --cols 4 --inputs " + (dir / "nan.txt").string(), "is not a finite voltage");
  expect("--rows 4 --cols 4 --inputs " + (dir / "missing.txt").string(), "cannot read file");
  expect("--rows 4 --cols 4 --params no-such-preset", "no-such-preset");
}
