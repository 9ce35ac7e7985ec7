// Issue 10, section 3 on calibrate and inspect: write-verify below its threshold (warning,
// --strict failure), the nominal wire on the grid, device files relative to the
// configuration and stored in the provenance, calibrate --json, and the read power tables.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rramsim/calibration/options.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/config.hpp"
#include "rramsim/common/h5.hpp"
#include "support.hpp"

using namespace rramsim;
namespace fs = std::filesystem;

namespace {

std::string text_of(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Small and fast; `device` lines go under [device], `wires` sets the wire keys.
std::string config(const std::string& device,
                   const std::string& wires = "wire_ohm = [0.0, 1.0, 3.0]\nnominal_wire_ohm = 1.0\n") {
  return "seed = 2\n[device]\ndevices = 16\n" + device + "\n[crossbar]\nrows = 8\ncols = 8\n" + wires +
         "active_rows = [2, 4, 8]\ninputs_per_count = 4\narrays_per_mix = 1\ncolumn_buckets = 2\n"
         "[crossbar.check]\nengine = \"none\"\n[adc]\nbits = [2, 4]\nmin_samples = 5\n";
}

}  // namespace

TEST_CASE("calibrate: a nominal wire off the wire grid is an error naming file, line and key") {
  auto dir = test::temp_dir("fid-grid");
  std::ofstream(dir / "c.toml") << config("", "wire_ohm = [0.0, 1.0, 3.0]\nnominal_wire_ohm = 0.5\n");
  auto r = test::run_rramsim("calibrate " + (dir / "c.toml").string() + " --out " + (dir / "t.h5").string() + " -q");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("c.toml:") && Catch::Contains("crossbar.nominal_wire_ohm") &&
                        Catch::Contains("not on the wire grid") && Catch::Contains("0, 1, 3"));
  CHECK(!fs::exists(dir / "t.h5"));
}

TEST_CASE("calibrate: write-verify below the success threshold warns, and --strict fails with no output") {
  auto dir = test::temp_dir("fid-strict");
  // A 1 % programming tolerance: some devices of the low levels miss it (measured 0.875 and
  // 0.94 on levels 0 and 1 with this seed), the others all reach it.
  std::ofstream(dir / "c.toml") << config("tolerance_rel = 0.01\nmin_success_fraction = 0.99");
  const std::string cfg = (dir / "c.toml").string();
  auto strict = test::run_rramsim("calibrate " + cfg + " --out " + (dir / "s.h5").string() + " -q --strict");
  CHECK(strict.exit_code == 1);
  CHECK_THAT(strict.err, Catch::Contains("--strict") && Catch::Contains("write-verify level") &&
                             Catch::Contains("target") && Catch::Contains("success fraction"));
  CHECK(strict.out.empty());
  CHECK(!fs::exists(dir / "s.h5"));
  CHECK(!fs::exists(dir / "s.h5.work"));

  auto warn = test::run_rramsim("calibrate " + cfg + " --out " + (dir / "w.h5").string() + " -q --json");
  INFO(warn.err);
  REQUIRE(warn.exit_code == 0);
  CHECK_THAT(warn.err, Catch::Contains("warning: write-verify level") && Catch::Contains("is below 0.99"));
  auto j = nlohmann::json::parse(warn.out);
  CHECK(j["output"] == (dir / "w.h5").string());
  CHECK(j["wall_seconds"].get<double>() >= 0);
  CHECK(j["stages"].size() == 6);
  CHECK(j["tables"]["rows"] == 8);
  CHECK(j["tables"]["schema_version"] == calibration::kSchemaVersion);
  REQUIRE(j["write_verify"]["levels"].size() == 4);
  bool below = false;
  for (const auto& l : j["write_verify"]["levels"]) {
    CHECK(l["target_siemens"].get<double>() > 0);
    below = below || l["below_threshold"].get<bool>();
  }
  CHECK(below);
  CHECK(!j["warnings"].empty());

  // inspect shows the targets and success per level, text and JSON.
  auto ij = test::run_rramsim("inspect --json " + (dir / "w.h5").string());
  REQUIRE(ij.exit_code == 0);
  auto k = nlohmann::json::parse(ij.out);
  REQUIRE(k["write_verify"]["levels"].size() == 4);
  for (size_t l = 0; l < 4; ++l)
    CHECK(k["write_verify"]["levels"][l]["success_fraction"] == j["write_verify"]["levels"][l]["success_fraction"]);
  auto it = test::run_rramsim("inspect " + (dir / "w.h5").string());
  CHECK_THAT(it.out, Catch::Contains("write-verify per level") && Catch::Contains("BELOW THRESHOLD"));
}

TEST_CASE("calibrate: a device file resolves against the configuration's folder and its text is stored") {
  auto dir = test::temp_dir("fid-device");
  fs::create_directories(dir / "cfg" / "dev");
  fs::copy_file(fs::path(RRAMSIM_SOURCE_DIR) / "data/device/stanford-thin-oxide.toml", dir / "cfg/dev/my.toml");
  std::ofstream(dir / "cfg/c.toml") << config("params = \"dev/my.toml\"");
  // Run from another folder: the relative name must not depend on the working directory.
  auto r = test::run_rramsim("calibrate " + (dir / "cfg/c.toml").string() + " --out " + (dir / "t.h5").string() + " -q");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto f = h5::File::open(dir / "t.h5");
  CHECK(f.attr_string("device_params_toml") == text_of(dir / "cfg/dev/my.toml"));
  auto j = nlohmann::json::parse(test::run_rramsim("inspect --json " + (dir / "t.h5").string()).out);
  CHECK(j["device_params_toml"] == text_of(dir / "cfg/dev/my.toml"));
}

TEST_CASE("calibrate: an ADC cost-model file resolves against the configuration's folder") {
  auto dir = test::temp_dir("fid-adc-model");
  fs::create_directories(dir / "cfg" / "adc");
  fs::copy_file(fs::path(RRAMSIM_SOURCE_DIR) / "data/adc/isaac-survey.toml", dir / "cfg/adc/mine.toml");
  const auto doc = ConfigDoc::from_string("[adc]\ncost_model = \"adc/mine.toml\"\n", "c.toml");
  const auto o = calibration::parse_calibration_options(doc, dir / "cfg");
  CHECK(fs::equivalent(o.adc.cost_model, dir / "cfg/adc/mine.toml"));
  // Not found beside the configuration: the error names the key.
  const auto missing = ConfigDoc::from_string("[adc]\ncost_model = \"adc/none.toml\"\n", "c.toml");
  CHECK_THROWS_WITH(calibration::parse_calibration_options(missing, dir / "cfg"), Catch::Contains("adc.cost_model"));
}

TEST_CASE("calibrate: the read power of the circuit solve grows with the rows driven and loses to the wires") {
  auto dir = test::temp_dir("fid-power");
  std::ofstream(dir / "c.toml") << config("");
  REQUIRE(test::run_rramsim("calibrate " + (dir / "c.toml").string() + " --out " + (dir / "t.h5").string() + " -q")
              .exit_code == 0);
  auto t = calibration::Tables::open(dir / "t.h5");
  REQUIRE(t.has_read_power());
  // No wire resistance: exactly the ideal power, nothing in the wires.
  auto p0 = t.read_power(0.0, 8);
  CHECK(p0.wire_watt == Approx(0).margin(1e-18));
  CHECK(p0.supply_watt == Approx(p0.ideal_watt).epsilon(1e-9));
  // More rows driven draw more power; resistive wires take a share and lower the cells' power.
  CHECK(t.read_power(1.0, 8).supply_watt > t.read_power(1.0, 2).supply_watt);
  auto p3 = t.read_power(3.0, 8);
  CHECK(p3.wire_watt > 0);
  CHECK(p3.supply_watt == Approx(p3.cell_watt + p3.wire_watt));
  CHECK(p3.supply_watt < p3.ideal_watt);
  CHECK_THROWS_WITH(t.read_power(2.0, 8), Catch::Contains("not tabulated") && Catch::Contains("0, 1, 3"));
  CHECK_THROWS_WITH(t.error_table(4, 2.0), Catch::Contains("not tabulated"));
}
