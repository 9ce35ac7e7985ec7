// Issue 10, section 2 through the scheme comparison (what `rramsim sweep` reads): the
// scheme row's energy per inference responds to CompareOptions::wire_ohm under the circuit
// read energy, and the JSON has one layout for one scheme.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "rramsim/calibration/options.hpp"
#include "rramsim/calibration/pipeline.hpp"
#include "rramsim/common/data_path.hpp"
#include "rramsim/schemes/compare.hpp"
#include "support.hpp"

using namespace rramsim;
namespace fs = std::filesystem;

TEST_CASE("schemes: the scheme row's energy per inference changes with the tables' wire value") {
  auto dir = test::temp_dir("schemes-fidelity");
  std::ofstream(dir / "c.toml") << "seed = 5\n[device]\ndevices = 16\n[crossbar]\nrows = 16\ncols = 16\n"
                                   "wire_ohm = [0.0, 1.0, 3.0]\nnominal_wire_ohm = 1.0\nactive_rows = [2, 4, 8, 16]\n"
                                   "inputs_per_count = 4\narrays_per_mix = 1\ncolumn_buckets = 2\n"
                                   "[crossbar.check]\nengine = \"none\"\n[adc]\nbits = [1, 2, 3, 4, 5, 6, 7, 8]\n"
                                   "min_samples = 5\n";
  auto co = calibration::load_calibration_options((dir / "c.toml").string());
  calibration::run_calibration(co, {.out = dir / "t.h5", .threads = 2, .quiet = true});
  // ISAAC with 16-row arrays, so the tables fit.
  std::ifstream in(fs::path(RRAMSIM_SOURCE_DIR) / "data/hardware/isaac.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string hw = ss.str();
  hw.replace(hw.find("rows = 128"), 10, "rows = 16");
  hw.replace(hw.find("cols = 128"), 10, "cols = 16");
  std::ofstream(dir / "hw16.toml") << hw;

  schemes::CompareOptions o;
  o.arch = (dir / "hw16.toml").string();
  o.network = "lenet5";
  o.schemes = {"baseline"};
  o.tables = (dir / "t.h5").string();
  o.weights = data_dir() / "weights" / "lenet5-mnist.h5";
  o.images = 5;
  o.calibration_images = 20;
  o.static_bits = {};
  auto at = [&](double wire, std::optional<arch::ReadEnergy> model) {
    o.wire_ohm = wire;
    o.read_energy = model;
    return schemes::compare(o);
  };
  auto c0 = at(0.0, std::nullopt), c3 = at(3.0, std::nullopt);
  const arch::Report &r0 = c0.rows.back().report, &r3 = c3.rows.back().report;
  CHECK(r0.read_energy.model == arch::ReadEnergy::circuit);
  CHECK(r0.read_energy.active_rows_basis.find("measured") != std::string::npos);
  CHECK(*r3.read_energy.wire_ohm == 3.0);
  CHECK(r0.energy_per_inference_j != Approx(r3.energy_per_inference_j).epsilon(1e-9));
  CHECK(r3.read_energy.wire_fraction > 0);
  // The table figure ignores the wire.
  auto t0 = at(0.0, arch::ReadEnergy::table), t3 = at(3.0, arch::ReadEnergy::table);
  CHECK(t0.rows.back().report.energy_per_inference_j == Approx(t3.rows.back().report.energy_per_inference_j));
  // One JSON layout: a comparison list, the scheme's keys and its report in its row.
  auto j = schemes::to_json(c3);
  CHECK(!j.contains("scheme"));
  CHECK(!j.contains("scheme_layers"));
  REQUIRE(j["comparison"].is_array());
  const auto& row = j["comparison"].back();
  CHECK(row["scheme"] == "baseline");
  CHECK(row["read_energy_model"] == "circuit");
  CHECK(row["crossbar_read_energy"]["wire_ohm"].get<double>() == 3.0);
  CHECK(row["report"]["read_energy"]["model"] == "circuit");
  CHECK(row["energy_per_inference_j"].get<double>() == Approx(r3.energy_per_inference_j));
  // A wire value off the grid is refused, listing it.
  o.wire_ohm = 0.5;
  CHECK_THROWS_WITH(schemes::compare(o), Catch::Contains("not tabulated") && Catch::Contains("0, 1, 3"));
}
