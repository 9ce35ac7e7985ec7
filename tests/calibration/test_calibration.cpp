#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <thread>

#include "rramsim/calibration/options.hpp"
#include "rramsim/calibration/pipeline.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "support.hpp"

using namespace rramsim;
namespace fs = std::filesystem;

namespace {

const std::string kSmoke = std::string(RRAMSIM_SOURCE_DIR) + "/data/calibration/smoke.toml";

void write_text(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }

// A small, fast configuration for the property tests; `extra` is appended per section.
std::string small_config(const std::string& device, const std::string& crossbar, const std::string& adc,
                         const std::string& geometry = "rows = 16\ncols = 16\nactive_rows = [2, 4, 8, 16]\n"
                                                       "inputs_per_count = 8\narrays_per_mix = 1\n") {
  return "seed = 3\n[device]\ndevices = 32\n" + device + "\n[crossbar]\n" + geometry + "column_buckets = 2\n" + crossbar +
         "\n[crossbar.check]\nengine = \"none\"\n[adc]\nbits = [2, 4, 6]\nmin_samples = 5\n" + adc + "\n";
}

calibration::Tables run_config(const fs::path& dir, const std::string& text) {
  write_text(dir / "c.toml", text);
  auto o = calibration::load_calibration_options((dir / "c.toml").string());
  calibration::run_calibration(o, {.out = dir / "t.h5", .threads = 2, .quiet = true});
  return calibration::Tables::open(dir / "t.h5");
}

// Every dataset under /crossbar and /adc of two files, element by element.
void require_same_tables(const fs::path& a, const fs::path& b) {
  auto fa = h5::File::open(a), fb = h5::File::open(b);
  std::function<void(const h5::Group&, const h5::Group&)> cmp = [&](const h5::Group& ga, const h5::Group& gb) {
    auto ca = ga.children();
    REQUIRE(ca == gb.children());
    for (const auto& n : ca) {
      if (ga.has_group(n)) {
        cmp(ga.group(n), gb.group(n));
      } else if (n != "mix_names" && n != "engine_per_wire" && n != "bulk_engine" && n != "seconds") {
        INFO(ga.path() << "/" << n);
        REQUIRE(ga.dataset(n).read_doubles() == gb.dataset(n).read_doubles());
      }
    }
  };
  for (const char* g : {"device", "crossbar", "adc"}) cmp(fa.group(g), fb.group(g));
}

}  // namespace

TEST_CASE("calibrate: smoke.toml end to end, h5dump reads it, h5py agrees with inspect --json") {
  auto dir = test::temp_dir("calib-smoke");
  auto out = dir / "smoke.h5";
  auto r = test::run_rramsim("calibrate " + kSmoke + " --out " + out.string() + " --threads 2");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(out));
  CHECK(!fs::exists(dir / "smoke.h5.work"));  // the work units are gone once the file is complete
  CHECK(test::run_shell("h5dump " + out.string() + " > /dev/null").exit_code == 0);

  auto js = test::run_rramsim("inspect --json " + out.string());
  REQUIRE(js.exit_code == 0);
  write_text(dir / "inspect.json", js.out);
  auto py = test::run_shell("/usr/bin/python3 " + std::string(RRAMSIM_SOURCE_DIR) +
                            "/tests/calibration/check_tables.py " + out.string() + " " + (dir / "inspect.json").string());
  INFO(py.out);
  CHECK(py.exit_code == 0);
  CHECK(py.out.find("ok") != std::string::npos);

  auto txt = test::run_rramsim("inspect " + out.string());
  REQUIRE(txt.exit_code == 0);
  CHECK(txt.out.find("schema version 3") != std::string::npos);
  CHECK(txt.out.find("ngspice") != std::string::npos);

  // The reader contract the architecture layer codes against.
  auto t = calibration::Tables::open(out);
  CHECK(t.rows() == 32);
  CHECK(t.bits_per_cell() == 2);
  CHECK(t.adc_bits().size() == 8);
  CHECK(t.adc_cost(8).energy_pj == Approx(1.67));
  const auto& e = t.error_table(8);
  CHECK(e.prob.rows() == 97);
  CHECK(e.prob.cols() == 256);
  CHECK((e.prob.rowwise().sum().array() - 1).abs().maxCoeff() < 1e-9);
  // The stored SPICE check agrees with the native solver.
  auto f = h5::File::open(out);
  for (double d : f.group("crossbar").group("check").dataset("max_rel_diff").read_doubles()) CHECK(d < 1e-3);
}

TEST_CASE("calibrate: the ideal case (wire 0, no variation) gives an identity error table") {
  auto dir = test::temp_dir("calib-ideal");
  auto t = run_config(dir, small_config("variation = false\nideal_levels = true", "wire_ohm = [0.0]\nnominal_wire_ohm = 0.0", ""));
  const int max_psum = 16 * 3;
  for (int active : {-1, 2, 16}) {
    const auto& e = t.error_table(6, 0.0, active);  // 64 codes >= 49 partial sums
    for (int s = 0; s <= max_psum; ++s) CHECK(e.prob(s, s) == Approx(1.0).margin(1e-12));
  }
  const auto& e4 = t.error_table(4);  // 4 bits: identity up to 15, then clipped at code 15
  for (int s = 0; s <= max_psum; ++s) CHECK(e4.prob(s, std::min(s, 15)) == Approx(1.0).margin(1e-12));
}

TEST_CASE("calibrate: more wire resistance and more active rows move the ADC error the physical way") {
  auto dir = test::temp_dir("calib-direction");
  // Thresholds at the ideal currents, so the error shows the raw IR drop. Long bit lines and
  // short word lines, so the column current (which grows with the active rows) sets the drop.
  const std::string geometry =
      "rows = 32\ncols = 4\nactive_rows = [2, 4, 8, 16]\ninputs_per_count = 16\narrays_per_mix = 4\n";
  auto t = run_config(dir, small_config("variation = false\nideal_levels = true",
                                        "wire_ohm = [0.5, 2.0, 8.0]\nnominal_wire_ohm = 2.0", "thresholds = \"ideal\"",
                                        geometry));
  auto f = h5::File::open(dir / "t.h5");
  const int W = 3, A = 4, C = 2, P = 32 * 3 + 1;
  // Less of the ideal current arrives as the wire resistance grows, at every active-row count.
  auto ratio = f.group("crossbar").dataset("ir_ratio_pooled").read_doubles();  // wire x active
  for (int a = 0; a < A; ++a) {
    CHECK(ratio[0 * A + a] < 1.0);
    CHECK(ratio[1 * A + a] < ratio[0 * A + a]);
    CHECK(ratio[2 * A + a] < ratio[1 * A + a]);
  }
  // Mean |code - psum| in LSB over the sampled partial sums of each active-row count: grows
  // with the wire resistance and with the active rows (more current, more absolute drop).
  auto count = f.group("crossbar").dataset("current_count").read_ints();  // W x A x C x M x P (M = 1)
  auto active = f.group("crossbar").dataset("active_rows").read_ints();
  std::vector<double> mae(W * A, 0);
  for (int w = 0; w < W; ++w)
    for (int a = 0; a < A; ++a) {
      const auto& e = t.error_table(6, t.wire_ohms()[w], static_cast<int>(active[a]));
      double sum = 0, n = 0;
      for (int s = 0; s < P; ++s) {
        double k = 0;
        for (int c = 0; c < C; ++c) k += count[((w * A + a) * C + c) * P + s];
        for (int code = 0; code < e.prob.cols(); ++code) sum += k * e.prob(s, code) * std::abs(code - std::min(s, 63));
        n += k;
      }
      mae[w * A + a] = sum / n;
    }
  for (int w = 0; w < W; ++w)
    for (int a = 0; a < A; ++a) {
      INFO("wire " << w << " active " << a << ": " << mae[w * A + a]);
      if (w > 0) CHECK(mae[w * A + a] > mae[(w - 1) * A + a]);
      if (a > 0) CHECK(mae[w * A + a] > mae[w * A + a - 1]);
    }
  CHECK(mae[2 * A + 3] > 1.0);
  // Calibrated thresholds absorb the systematic part of the drop.
  auto dir2 = test::temp_dir("calib-direction-cal");
  run_config(dir2, small_config("variation = false\nideal_levels = true",
                                "wire_ohm = [0.5, 2.0, 8.0]\nnominal_wire_ohm = 2.0", "", geometry));
  auto mae_ideal = f.group("adc").dataset("mean_abs_error_lsb").read_doubles();  // bits x wire
  auto mae_cal = h5::File::open(dir2 / "t.h5").group("adc").dataset("mean_abs_error_lsb").read_doubles();
  for (int w = 0; w < W; ++w) CHECK(mae_cal[2 * W + w] < mae_ideal[2 * W + w]);
}

TEST_CASE("calibrate: bad configurations name the key and the line and exit non-zero") {
  auto dir = test::temp_dir("calib-badcfg");
  struct Case {
    std::string text, expect;
  };
  std::vector<Case> cases = {
      {"seed = 1\n[crossbar]\nrows = 32\ncolums = 32\n", "bad.toml:4: unknown key 'crossbar.colums'"},
      {"[crossbar]\n\nrows = \"many\"\n", "bad.toml:3: crossbar.rows: expected an integer"},
      {"[adc]\nbits = [1, 2, 40]\n", "bad.toml:2: adc.bits"},
      {"[crossbar]\nwire_ohm = [1.0, -2.0]\n", "bad.toml:2: crossbar.wire_ohm"},
      {"[device]\nbits_per_cell = 2\n[[crossbar.mix]]\nname = \"x\"\nlevel_probs = [0.5, 0.5]\n",
       "bad.toml:5: crossbar.mix[0].level_probs: needs 4 probabilities"},
      {"[adc]\ncost_model = \"no-such-adc\"\n", "bad.toml:2: adc.cost_model: unknown ADC cost model"},
      {"[device]\nparams = \"no-such-preset\"\n", "bad.toml:2: device.params"},
  };
  for (const auto& c : cases) {
    write_text(dir / "bad.toml", c.text);
    auto r = test::run_rramsim("calibrate " + (dir / "bad.toml").string() + " --out " + (dir / "x.h5").string());
    INFO(c.text << "\n" << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("rramsim: error: ") != std::string::npos);
    CHECK(r.err.find(c.expect) != std::string::npos);
    CHECK(!fs::exists(dir / "x.h5"));
  }
  auto r = test::run_rramsim("calibrate " + (dir / "missing.toml").string() + " --out " + (dir / "x.h5").string());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot open configuration file") != std::string::npos);
}

TEST_CASE("inspect: corrupt, truncated, foreign and unknown-version files are refused clearly") {
  auto dir = test::temp_dir("calib-corrupt");
  run_config(dir, small_config("variation = false", "wire_ohm = [1.0]", ""));
  auto good = dir / "t.h5";
  REQUIRE(test::run_rramsim("inspect " + good.string()).exit_code == 0);
  auto size = fs::file_size(good);

  auto expect_refused = [&](const fs::path& p, const std::string& words) {
    auto r = test::run_rramsim("inspect " + p.string());
    INFO(p << ": " << r.err);
    CHECK(r.exit_code == 1);  // a clean error, not a crash (2) or a signal (>128)
    CHECK(r.err.find("rramsim: error: ") != std::string::npos);
    CHECK(r.err.find(words) != std::string::npos);
    CHECK_THROWS_AS(calibration::Tables::open(p), InputError);
  };
  fs::copy_file(good, dir / "trunc.h5");
  fs::resize_file(dir / "trunc.h5", size / 2);
  expect_refused(dir / "trunc.h5", "trunc.h5");
  fs::copy_file(good, dir / "corrupt.h5");
  {
    std::fstream io(dir / "corrupt.h5", std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(512, '\x5a');
    io.seekp(0);
    io.write(junk.data(), junk.size());
  }
  expect_refused(dir / "corrupt.h5", "not an HDF5 file");
  write_text(dir / "text.h5", "hello");
  expect_refused(dir / "text.h5", "not an HDF5 file");
  { h5::File::create(dir / "foreign.h5").create_group("data"); }
  expect_refused(dir / "foreign.h5", "not a rramsim calibration file");
  fs::copy_file(good, dir / "v99.h5");
  { h5::File::open(dir / "v99.h5", true).attr("schema_version", int64_t{99}); }
  expect_refused(dir / "v99.h5", "schema version 99");
  fs::copy_file(good, dir / "noadc.h5");
  { h5::File::open(dir / "noadc.h5", true).remove("adc"); }
  expect_refused(dir / "noadc.h5", "incomplete");
  expect_refused(dir / "absent.h5", "not found");
}

TEST_CASE("calibrate: a run killed mid-stage resumes to the same tables as an uninterrupted run") {
  auto dir = test::temp_dir("calib-resume");
  // Enough crossbar units that the kill lands inside the stage.
  const int units = 48;
  std::string cfg = small_config("", "wire_ohm = [1.0, 3.0]", "",
                                 "rows = 48\ncols = 48\nactive_rows = [4, 16, 48]\narrays_per_mix = 24\n"
                                 "inputs_per_count = 16\n");
  write_text(dir / "c.toml", cfg);
  auto killed = dir / "killed.h5";
  auto work = dir / "killed.h5.work" / "crossbar";
  auto bg = test::run_shell("( " + std::string(RRAMSIM_EXE) + " calibrate " + (dir / "c.toml").string() + " --out " +
                            killed.string() + " --threads 2 -q > /dev/null 2>&1 & echo $! )");
  int pid = std::stoi(bg.out);
  auto count_units = [&] {
    int n = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator(work, ec); !ec && it != fs::directory_iterator(); ++it)
      n += it->path().extension() == ".h5";
    return n;
  };
  auto t0 = std::chrono::steady_clock::now();
  while (count_units() < 4 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  int done_before_kill = count_units();
  ::kill(pid, SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(done_before_kill >= 4);
  REQUIRE(done_before_kill < units);  // killed inside the crossbar stage
  CHECK(!fs::exists(killed));     // nothing that looks complete

  auto r = test::run_rramsim("calibrate " + (dir / "c.toml").string() + " --out " + killed.string() +
                             " --resume --threads 1");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("resuming:") != std::string::npos);
  auto fresh = dir / "fresh.h5";
  REQUIRE(test::run_rramsim("calibrate " + (dir / "c.toml").string() + " --out " + fresh.string() + " --threads 1 -q")
              .exit_code == 0);
  require_same_tables(killed, fresh);

  // --resume refuses finished units of a different configuration.
  write_text(dir / "c2.toml", cfg + "# changed\n");
  fs::create_directories(dir / "other.h5.work");
  fs::copy_file(dir / "c.toml", dir / "other.h5.work" / "config.toml");
  write_text(dir / "other.h5.work" / ".rramsim-work", "");  // a work folder of ours
  auto bad = test::run_rramsim("calibrate " + (dir / "c2.toml").string() + " --out " + (dir / "other.h5").string() +
                               " --resume");
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("different configuration") != std::string::npos);
}

TEST_CASE("calibrate: calibrated ADC codes rise with the partial sum and the error is bounded by the spread") {
  auto dir = test::temp_dir("calib-monotone");
  // A passive 32x32 array at 1 ohm with write-verify variation and two level mixes, as in
  // default.toml but small: the per-array reference must absorb the mix- and count-dependent
  // IR drop, leaving only the spread about each array's mean.
  const std::string geometry =
      "rows = 32\ncols = 32\nactive_rows = [4, 8, 16, 32]\ninputs_per_count = 32\narrays_per_mix = 2\n";
  auto t = run_config(dir, small_config("min_target_siemens = 5.0e-6\nmax_target_siemens = 1.6667e-4",
                                        "wire_ohm = [1.0]\nnominal_wire_ohm = 1.0\n[[crossbar.mix]]\nname = \"low\"\n"
                                        "level_probs = [0.55, 0.25, 0.15, 0.05]\n[[crossbar.mix]]\nname = \"high\"\n"
                                        "level_probs = [0.05, 0.15, 0.25, 0.55]",
                                        "", geometry));
  auto f = h5::File::open(dir / "t.h5");
  auto adc = f.group("adc");
  auto weight = adc.dataset("psum_weight").read_doubles();   // wire x psum
  auto source = adc.dataset("table_source").read_ints();     // wire x active_key x psum
  auto bits = adc.dataset("bits").read_ints();
  auto mae = adc.dataset("mean_abs_error_lsb").read_doubles();  // bits x wire
  auto resid = adc.dataset("residual_rms_lsb").read_doubles();  // wire x array x active x bucket
  const int P = 32 * 3 + 1, K = 5;
  // Mean code at every partial sum with its own samples (pooled key): non-decreasing, and
  // within a third of an LSB of the ideal code (6 bits: no clipping below 64).
  const auto& e = t.error_table(6);
  double prev = -1, worst = 0;
  for (int s = 0; s < P; ++s) {
    if (source[(K - 1) * P + s] != 0) continue;
    double mean = 0;
    for (int c = 0; c < e.prob.cols(); ++c) mean += c * e.prob(s, c);
    INFO("psum " << s << ": mean code " << mean);
    CHECK(mean >= prev);
    if (s < 56) worst = std::max(worst, std::abs(mean - s));  // clear of the clipping at code 63
    prev = mean;
  }
  INFO("largest |mean code - psum| below psum 56: " << worst);
  CHECK(worst < 1.0 / 3);
  // The mean |code - s| is bounded by the spread about the reference: |round(r)| <= |r| + 1/2
  // and E|r| <= rms(r), so mae <= rms residual + 1/2 (codes clip only towards the ideal).
  double rms = 0, wsum = 0;
  for (double r : resid) rms += r * r;
  rms = std::sqrt(rms / resid.size());
  for (double w : weight) wsum += w;
  CHECK(wsum == Approx(1.0));
  for (size_t b = 0; b < bits.size(); ++b) {
    INFO(bits[b] << " bits: mae " << mae[b] << ", rms residual " << rms);
    CHECK(mae[b] <= rms + 0.5);
  }
  // At this size (32 rows, 1 ohm) the spread is small: under one LSB at 6 bits.
  CHECK(mae.back() < 1.0);
}
