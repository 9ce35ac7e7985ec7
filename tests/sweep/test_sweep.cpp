// rramsim sweep (docs/sweep.md): configuration errors, grid and zip, the calibration cache,
// resume after SIGKILL, --json, the HDF5 layout. The MPI run is tests/sweep/mpi_test.sh.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support.hpp"

namespace fs = std::filesystem;
using rramsim::test::run_rramsim;
using rramsim::test::run_shell;
using rramsim::test::temp_dir;

namespace {

const std::string kSrc = RRAMSIM_SOURCE_DIR;

std::string py(const std::string& args) { return "/usr/bin/python3 " + kSrc + "/tests/sweep/" + args; }

fs::path small_sweep(const std::string& name, const std::string& mode = "grid") {
  fs::path d = temp_dir(name);
  auto r = run_shell(py("make_small_sweep.py ") + d.string() + " " + kSrc + " " + mode);
  REQUIRE(r.exit_code == 0);
  return d;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

std::string sweep_args(const fs::path& d, const std::string& out, const std::string& extra = "",
                       const std::string& cache = "cache") {
  return "sweep " + (d / "small.toml").string() + " --out " + (d / out).string() + " --cache " + (d / cache).string() +
         " -q " + extra;
}

}  // namespace

TEST_CASE("config errors name file, line and key") {
  fs::path d = small_sweep("sweep-errors");
  const std::string head = "calibration = \"base.toml\"\nimages = 5\n";
  struct Case {
    std::string body, expect;
  };
  const std::vector<Case> cases = {
      {head + "imagez = 3\n[[axis]]\nkey = \"adc_bits\"\nvalues = [6]\n", "bad.toml:3: unknown key 'imagez'"},
      {head + "[[axis]]\nkey = \"adc_bits\"\nvalues = [6]\ncolour = 1\n", "bad.toml:6: unknown key 'axis[0].colour'"},
      {head + "[[axis]]\nkey = \"crossbar.rowz\"\nvalues = [64]\n", "crossbar.rowz"},
      {head + "[[axis]]\nkey = \"frobnicate\"\nvalues = [1]\n", "bad.toml:4: axis[0].key: unknown axis key 'frobnicate'"},
      {head + "[[axis]]\nkey = \"crossbar.nominal_wire_ohm\"\nvalues = [3.0]\n", "not on the calibration's wire grid"},
      {head + "[[axis]]\nkey = \"adc_bits\"\nvalues = [7]\n", "7-bit ADC"},
      {head + "[[axis]]\nkey = \"adc_bits\"\nrange = { start = 8, stop = 6, step = 1 }\n", "axis[0].range.step"},
      {head + "mode = \"zip\"\n[[axis]]\nkey = \"adc_bits\"\nvalues = [6, 8]\n[[axis]]\nkey = \"crossbar.nominal_wire_ohm\"\nvalues = [0.5]\n",
       "equal length"},
      {head + "[[axis]]\nkey = \"device.bits_per_cell\"\nvalues = [9]\n", "device.bits_per_cell"},
  };
  for (const auto& c : cases) {
    write(d / "bad.toml", c.body);
    auto r = run_rramsim("sweep " + (d / "bad.toml").string() + " --out " + (d / "bad.h5").string() + " --cache " +
                         (d / "cache").string());
    INFO(c.body << "\n---\n" << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(c.expect) != std::string::npos);
    CHECK_FALSE(fs::exists(d / "bad.h5"));
  }
}

TEST_CASE("grid and zip shapes, json layout and dimension scales") {
  fs::path d = small_sweep("sweep-grid");
  auto r = run_rramsim(sweep_args(d, "grid.h5", "--json"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["points"].size() == 4);
  REQUIRE(j["axes"].size() == 2);
  CHECK(j["axes"][0]["name"] == "wire_ohm");
  CHECK(j["axes"][0]["units"] == "ohm");
  CHECK(j["axes"][1]["name"] == "adc_bits");
  for (const auto& p : j["points"]) {
    for (const char* k : {"wire_ohm", "adc_bits", "accuracy", "energy_per_inference_j", "adc_error_rate", "ir_ratio",
                          "throughput_inferences_per_s", "gops_per_w", "gops_per_s_mm2", "subwords_skipped_fraction"})
      CHECK(p.contains(k));
    CHECK(p["level_success_fraction"].size() == 4);
    CHECK(p["accuracy"].get<double>() >= 0);
    CHECK(p["ir_ratio"].get<double>() > 0);
  }
  // Row-major: the last axis varies fastest.
  CHECK(j["points"][1]["wire_ohm"] == 0.5);
  CHECK(j["points"][1]["adc_bits"] == 8);
  // More wire resistance: less current reaches the sense node.
  CHECK(j["points"][2]["ir_ratio"].get<double>() < j["points"][0]["ir_ratio"].get<double>());
  CHECK(j["calibrations"] == 1);
  CHECK(run_shell(py("check_sweep.py scales ") + (d / "grid.h5").string()).exit_code == 0);
  CHECK(run_shell(py("check_sweep.py shape ") + (d / "grid.h5").string() + " accuracy 2 2").exit_code == 0);
  CHECK(run_shell(py("check_sweep.py shape ") + (d / "grid.h5").string() + " level_success_fraction 2 2 4").exit_code == 0);

  run_shell(py("make_small_sweep.py ") + d.string() + " " + kSrc + " zip");
  auto z = run_rramsim(sweep_args(d, "zip.h5", "--json"));
  INFO(z.err);
  REQUIRE(z.exit_code == 0);
  auto jz = nlohmann::json::parse(z.out);
  REQUIRE(jz["points"].size() == 2);
  CHECK(jz["points"][1]["wire_ohm"] == 8.0);
  CHECK(jz["points"][1]["adc_bits"] == 8);
  CHECK(jz["calibrations_cached"] == 1);
  CHECK(run_shell(py("check_sweep.py scales ") + (d / "zip.h5").string()).exit_code == 0);
  CHECK(run_shell(py("check_sweep.py shape ") + (d / "zip.h5").string() + " accuracy 2").exit_code == 0);
}

TEST_CASE("a second run takes its calibration from the cache") {
  fs::path d = small_sweep("sweep-cache");
  auto first = run_rramsim(sweep_args(d, "a.h5", "--json"));
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  auto j1 = nlohmann::json::parse(first.out);
  CHECK(j1["calibrations_cached"] == 0);
  auto second = run_rramsim(sweep_args(d, "b.h5", "--json"));
  REQUIRE(second.exit_code == 0);
  auto j2 = nlohmann::json::parse(second.out);
  CHECK(j2["calibrations"] == 1);
  CHECK(j2["calibrations_cached"] == 1);
  CHECK(j2["points_cached"] == 4);
  CHECK(second.err.find("crossbar") == std::string::npos);  // no calibration stage ran
  CHECK(run_shell(py("check_sweep.py same ") + (d / "a.h5").string() + " " + (d / "b.h5").string()).exit_code == 0);
  // The cache folder is named in the output, and holds the tables and their resolved config.
  auto cache = j2["cache_dir"].get<std::string>();
  CHECK(cache == (d / "cache").string());
  int tables = 0;
  for (const auto& e : fs::directory_iterator(d / "cache")) tables += e.path().extension() == ".h5";
  CHECK(tables == 1);
  // RRAMSIM_CACHE_DIR when --cache is not given.
  auto env = run_shell("RRAMSIM_CACHE_DIR=" + (d / "cache").string() + " " + RRAMSIM_EXE + " sweep " +
                       (d / "small.toml").string() + " --out " + (d / "c.h5").string() + " -q --json 2>/dev/null");
  REQUIRE(env.exit_code == 0);
  CHECK(nlohmann::json::parse(env.out)["calibrations_cached"] == 1);
}

TEST_CASE("resume after SIGKILL is bit-identical whatever the threads") {
  fs::path d = small_sweep("sweep-resume");
  auto full = run_rramsim(sweep_args(d, "full.h5", "--threads 2"));
  INFO(full.err);
  REQUIRE(full.exit_code == 0);
  // Kill a run (one thread, its own cache: nothing precomputed) once its first point is in
  // the work folder, then resume it.
  const fs::path out = d / "killed.h5";
  std::string cmd = std::string(RRAMSIM_EXE) + " " + sweep_args(d, "killed.h5", "--threads 1", "cache2") + " & pid=$!; " +
                    "for i in $(seq 1 3000); do [ -e " + (out.string() + ".work/points/p0000000.h5") +
                    " ] && break; sleep 0.02; done; kill -9 $pid; wait $pid; echo killed";
  auto k = run_shell(cmd);
  INFO(k.out);
  REQUIRE(k.out.find("killed") != std::string::npos);
  REQUIRE_FALSE(fs::exists(out));
  REQUIRE(fs::exists(out.string() + ".work/points/p0000000.h5"));
  auto resumed = run_rramsim(sweep_args(d, "killed.h5", "--resume --threads 2 --json", "cache2"));
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(nlohmann::json::parse(resumed.out)["points_resumed"].get<int>() >= 1);
  CHECK(run_shell(py("check_sweep.py same ") + (d / "full.h5").string() + " " + out.string()).exit_code == 0);
  CHECK_FALSE(fs::exists(out.string() + ".work"));
}

TEST_CASE("plots are written with gnuplot") {
  if (run_shell("command -v gnuplot").exit_code != 0) return;
  fs::path d = small_sweep("sweep-plots");
  auto r = run_rramsim(sweep_args(d, "p.h5", "--plot " + (d / "plots").string()));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(d / "plots" / "accuracy-vs-wire_ohm.png"));
  CHECK(fs::exists(d / "plots" / "accuracy-heatmap-wire_ohm-adc_bits.png"));
  CHECK(fs::exists(d / "plots" / "pareto-accuracy-energy.png"));
}

TEST_CASE("a device.params axis calibrates each device from a parameter file of its own") {
  fs::path d = small_sweep("sweep-device-params");
  write(d / "dev.toml", "calibration = \"base.toml\"\nhardware = \"isaac\"\nnetwork = \"lenet5\"\nweights = \"" + kSrc +
                            "/data/weights/lenet5-mnist.h5\"\nscheme = \"baseline\"\nimages = 5\ncalibration_images = 5\n"
                            "[[axis]]\nkey = \"device.params.tox_m\"\nvalues = [4.5e-9, 5.5e-9]\n");
  auto r = run_rramsim("sweep " + (d / "dev.toml").string() + " --out " + (d / "dev.h5").string() + " --cache " +
                       (d / "cache").string() + " -q --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["points"].size() == 2);
  // Two devices: two parameter files and two calibrations in the cache.
  int device_files = 0, tables = 0;
  for (const auto& e : fs::directory_iterator(d / "cache")) {
    const auto name = e.path().filename().string();
    if (name.rfind("device-", 0) == 0) ++device_files;
    if (name.rfind("calibration-", 0) == 0 && e.path().extension() == ".h5") ++tables;
  }
  CHECK(device_files == 2);
  CHECK(tables == 2);
  // An out-of-range field is refused naming it.
  write(d / "bad.toml", "calibration = \"base.toml\"\nimages = 5\n[[axis]]\nkey = \"device.params.tox_m\"\nvalues = [1e300]\n");
  auto bad = run_rramsim("sweep " + (d / "bad.toml").string() + " --out " + (d / "bad.h5").string() + " --cache " +
                         (d / "cache").string() + " -q");
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("tox_m"));
  CHECK_FALSE(fs::exists(d / "bad.h5"));
}
