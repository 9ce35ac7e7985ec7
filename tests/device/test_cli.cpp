#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "rramsim/common/h5.hpp"
#include "rramsim/device/params_io.hpp"
#include "support.hpp"

using namespace rramsim;
namespace fs = std::filesystem;

TEST_CASE("cli: device iv --engine both --json reports both engines and writes HDF5 that h5dump reads") {
  auto dir = test::temp_dir("cli-iv");
  auto out = dir / "iv.h5";
  auto r = test::run_rramsim("device iv --engine both --json --out " + out.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"set_volt", "reset_volt", "lrs_ohm", "hrs_ohm", "read_volt", "engine_max_rel_dev", "seconds"})
    CHECK(j.contains(k));
  CHECK(j["seconds"].contains("native"));
  CHECK(j["seconds"].contains("ngspice"));
  CHECK(j["set_volt"].get<double>() > 0);
  CHECK(j["reset_volt"].get<double>() < 0);
  CHECK(j["read_volt"].get<double>() == 0.1);
  auto dump = test::run_shell("h5dump -A " + out.string());
  CHECK(dump.exit_code == 0);
  CHECK(dump.out.find("units") != std::string::npos);
  // The full parameter set is stored and reads back.
  auto f = h5::File::open(out);
  auto p = device::read_params(f.group("params"));
  CHECK(p.i0_amp == 1e-3);
  auto g = f.group("sweep").group("ngspice");
  CHECK(g.dataset("current_amp").attr_string("units") == "A");
  CHECK(g.dataset("gap_m").dims() == h5::Dims{2001});
}

TEST_CASE("cli: device program --json has a levels array and the text form names the overlap") {
  auto dir = test::temp_dir("cli-program");
  auto out = dir / "p.h5";
  auto r = test::run_rramsim("device program --devices 20 --levels 4 --seed 3 --json --out " + out.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["levels"].size() == 4);
  for (const auto& L : j["levels"])
    for (const char* k : {"target_siemens", "mean_siemens", "std_siemens", "success_fraction"}) CHECK(L.contains(k));
  CHECK(test::run_shell("h5dump -H " + out.string()).exit_code == 0);
  auto t = test::run_rramsim("device program --devices 5 --out " + (dir / "q.h5").string());
  CHECK(t.exit_code == 0);
  CHECK(t.out.find("overlap at +-3 sigma") != std::string::npos);
}

TEST_CASE("cli: bad input is a clear error, a non-zero exit and no output file") {
  auto dir = test::temp_dir("cli-bad");
  std::ofstream(dir / "neg.toml") << "tox_m = -12e-9\n";
  std::ofstream(dir / "order.toml") << "gap_min_m = 1.7e-9\ngap_max_m = 0.2e-9\n";
  std::ofstream(dir / "unknown.toml") << "tox_nm = 12\n";
  std::ofstream(dir / "nan.toml") << "i0_amp = nan\n";
  struct Case {
    std::string args, message;
  };
  std::vector<Case> cases = {
      {"device iv --params " + (dir / "neg.toml").string(), "tox_m"},
      {"device iv --params " + (dir / "order.toml").string(), "gap_min_m"},
      {"device iv --params " + (dir / "unknown.toml").string(), "tox_nm"},
      {"device iv --params " + (dir / "nan.toml").string(), "i0_amp"},
      {"device iv --params no-such-set", "no-such-set"},
      {"device iv --vmax nan", "--vmax"},
      {"device iv --period -1", "--period"},
      {"device iv --compliance-ohm -5", "--compliance-ohm"},
      {"device program --params " + (dir / "neg.toml").string(), "tox_m"},
      {"device program --levels 1", "--levels"},
      {"device program --tolerance nan", "--tolerance"},
  };
  for (const auto& c : cases) {
    auto out = dir / "out.h5";
    auto r = test::run_rramsim(c.args + " --out " + out.string());
    INFO(c.args << "\n" << r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("rramsim: error:") != std::string::npos);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(!fs::exists(out));
  }
  auto r = test::run_rramsim("device iv --out " + (dir / "no-such-dir" / "x.h5").string());
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("does not exist") != std::string::npos);
  // Nothing but the inputs is left in the directory (no temporaries either).
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.path().extension() != ".toml";
  CHECK(files == 0);
}

TEST_CASE("cli: --plot writes PNGs when gnuplot is present") {
  if (test::run_shell("command -v gnuplot").exit_code != 0) return;
  auto dir = test::temp_dir("cli-plot");
  auto r = test::run_rramsim("device iv --out " + (dir / "iv.h5").string() + " --plot " + (dir / "iv.png").string());
  CHECK(r.exit_code == 0);
  CHECK(fs::file_size(dir / "iv.png") > 1000);
  auto q = test::run_rramsim("device program --devices 10 --out " + (dir / "p.h5").string() + " --plot " +
                             (dir / "p.png").string());
  CHECK(q.exit_code == 0);
  CHECK(fs::file_size(dir / "p.png") > 1000);
}
