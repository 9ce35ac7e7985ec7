// Issue 10, sections 2-3 on the evaluate command: the circuit read energy responds to the
// wire value; tables that do not fit the hardware, and wire values off the grid, are refused.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rramsim/arch/evaluate.hpp"
#include "rramsim/calibration/options.hpp"
#include "rramsim/calibration/pipeline.hpp"
#include "support.hpp"

using namespace rramsim;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void replace(std::string& s, const std::string& a, const std::string& b) {
  auto at = s.find(a);
  REQUIRE(at != std::string::npos);
  s.replace(at, a.size(), b);
}

// A 16x16, 2-bit calibration (seconds) with wires 0, 1 and 3 ohm, and ISAAC resized to it.
struct Fixture {
  fs::path dir, tables, hw;
  explicit Fixture(const std::string& name) : dir(test::temp_dir(name)) {
    tables = dir / "t16.h5";
    std::ofstream(dir / "c.toml") << "seed = 5\n[device]\ndevices = 16\n[crossbar]\nrows = 16\ncols = 16\n"
                                     "wire_ohm = [0.0, 1.0, 3.0]\nnominal_wire_ohm = 1.0\nactive_rows = [2, 4, 8, 16]\n"
                                     "inputs_per_count = 4\narrays_per_mix = 1\ncolumn_buckets = 2\n"
                                     "[crossbar.check]\nengine = \"none\"\n[adc]\nbits = [1, 2, 3, 4, 5, 6, 7, 8]\n"
                                     "min_samples = 5\n";
    auto o = calibration::load_calibration_options((dir / "c.toml").string());
    calibration::run_calibration(o, {.out = tables, .threads = 2, .quiet = true});
    hw = write_hardware("isaac16.toml", "");
  }
  // ISAAC with 16x16 arrays; `extra` replaces bits_per_cell or adds read_volt.
  fs::path write_hardware(const std::string& file, const std::string& crossbar_extra) const {
    std::string s = read_text(fs::path(RRAMSIM_SOURCE_DIR) / "data/hardware/isaac.toml");
    replace(s, "name = \"isaac\"", "name = \"isaac16\"");
    replace(s, "rows = 128", "rows = 16");
    replace(s, "cols = 128", "cols = 16" + (crossbar_extra.empty() ? "" : "\n" + crossbar_extra));
    auto p = dir / file;
    std::ofstream(p) << s;
    return p;
  }
};

nlohmann::json evaluate_json(const std::string& args) {
  auto r = test::run_rramsim("evaluate --network lenet5 --json " + args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("evaluate: the circuit read energy changes with the wire value, the table figure does not") {
  Fixture fx("arch-fidelity-energy");
  const std::string base = "--arch " + fx.hw.string() + " --tables " + fx.tables.string();
  auto w0 = evaluate_json(base + " --wire-ohm 0");
  auto w3 = evaluate_json(base + " --wire-ohm 3");
  auto nominal = evaluate_json(base);
  CHECK(w0["read_energy"]["model"] == "circuit");  // the default with tables
  CHECK(w3["read_energy"]["wire_ohm"].get<double>() == 3.0);
  CHECK(nominal["read_energy"]["wire_ohm"].get<double>() == 1.0);
  // No wire resistance: no wire loss; 3 ohm: a share of the read in the wires, less current in the cells.
  CHECK(w0["read_energy"]["wire_fraction"].get<double>() == Approx(0).margin(1e-12));
  CHECK(w3["read_energy"]["wire_fraction"].get<double>() > 0);
  const double e0 = w0["energy_per_inference_j"].get<double>(), e3 = w3["energy_per_inference_j"].get<double>();
  CHECK(e0 != Approx(e3).epsilon(1e-9));
  CHECK(w0["read_energy"]["mean_per_read_j"].get<double>() != Approx(w3["read_energy"]["mean_per_read_j"].get<double>()));
  // The hardware table's figure is the same at every wire value, and the report names it.
  auto t0 = evaluate_json(base + " --wire-ohm 0 --read-energy table");
  auto t3 = evaluate_json(base + " --wire-ohm 3 --read-energy table");
  CHECK(t0["read_energy"]["model"] == "table");
  CHECK(t0["energy_per_inference_j"].get<double>() == Approx(t3["energy_per_inference_j"].get<double>()));
  CHECK(t0["read_energy"]["mean_per_read_j"].get<double>() == Approx(t0["read_energy"]["table_per_read_j"].get<double>()));
  auto text = test::run_rramsim("evaluate --network lenet5 " + base + " --wire-ohm 3");
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("crossbar read energy (circuit)") && Catch::Contains("3 ohm"));
  // Without tables the table figure is the only one; asking for the circuit is an error.
  auto no_tables = test::run_rramsim("evaluate --arch isaac --network lenet5 --read-energy circuit");
  CHECK(no_tables.exit_code == 1);
  CHECK_THAT(no_tables.err, Catch::Contains("needs calibration tables"));
}

TEST_CASE("evaluate: a wire value off the tables' grid is an error listing the grid") {
  Fixture fx("arch-fidelity-grid");
  auto dir = fx.dir;
  auto r = test::run_rramsim("evaluate --arch " + fx.hw.string() + " --network lenet5 --tables " + fx.tables.string() +
                             " --wire-ohm 0.5 -o " + (dir / "r.txt").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("0.5 ohm is not tabulated") && Catch::Contains("0, 1, 3"));
  CHECK(!fs::exists(dir / "r.txt"));
}

TEST_CASE("evaluate: tables whose rows, bits per cell or read voltage differ from the hardware are refused") {
  Fixture fx("arch-fidelity-refuse");
  auto out = fx.dir / "r.json";
  // 16-row tables on ISAAC's 128-row arrays.
  auto r = test::run_rramsim("evaluate --arch isaac --network lenet5 --tables " + fx.tables.string() + " -o " +
                             out.string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("array rows differ") && Catch::Contains("16 rows") && Catch::Contains("128"));
  CHECK(r.out.empty());
  CHECK(!fs::exists(out));
  // 2-bit tables on 3-bit cells.
  auto hw3 = fx.write_hardware("bits3.toml", "");
  {
    std::string s = read_text(hw3);
    replace(s, "bits_per_cell = 2", "bits_per_cell = 3");
    std::ofstream(hw3) << s;
  }
  r = test::run_rramsim("evaluate --arch " + hw3.string() + " --network lenet5 --tables " + fx.tables.string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("bits per cell differ") && Catch::Contains("have 2") && Catch::Contains("has 3"));
  // A hardware file stating another read voltage.
  auto hwv = fx.write_hardware("volt.toml", "read_volt = 0.2");
  r = test::run_rramsim("evaluate --arch " + hwv.string() + " --network lenet5 --tables " + fx.tables.string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("read voltage differs") && Catch::Contains("0.2 V"));
  // The same checks through the scheme comparison.
  r = test::run_rramsim("evaluate --arch isaac --network lenet5 --scheme baseline --images 5 --quiet --tables " +
                        fx.tables.string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("array rows differ"));
}
