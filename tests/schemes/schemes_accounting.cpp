// Reads counted per crossbar, conversions per column (issue 9), the shift-mode ADC and the
// comparison's faithful figures.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <random>

#include "rramsim/schemes/datapath.hpp"
#include "rramsim/schemes/scheme.hpp"
#include "support.hpp"

using namespace rramsim;
using namespace rramsim::schemes;

namespace {
IntMatrix random_matrix(int r, int c, int lo, int hi, std::mt19937& g) {
  std::uniform_int_distribution<int> d(lo, hi);
  IntMatrix m(r, c);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = d(g);
  return m;
}
// Non-negative activations: draws below 0 become 0 (sparse, as after a ReLU).
IntMatrix random_inputs(int r, int c, int lo, int hi, std::mt19937& g) {
  IntMatrix m = random_matrix(r, c, lo, hi, g);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = std::max(0, m.data()[i]);
  return m;
}
}  // namespace

TEST_CASE("schemes: reads are counted per crossbar and conversions per column") {
  std::mt19937 g(3);
  for (bool dynamic : {false, true}) {
    SchemeOptions s = resolve_scheme(dynamic ? "encoding,dynamic=4" : "encoding");
    s.cols = 32;  // 4 outputs (8 slices each) per crossbar
    IntMatrix w = random_matrix(10, 300, -2000, 2000, g);
    IntMatrix x = random_inputs(300, 7, -40000, 65535, g);  // about 40 % zeros
    DatapathRun run;
    run.weights = &w;
    run.inputs = &x;
    SubwordStats st;
    run_datapath(s, run, &st);
    INFO((dynamic ? "dynamic" : "static"));
    // 3 row chunks x 3 crossbars x 7 positions x 16 planes.
    CHECK(st.reads_nominal == 3u * 3 * 7 * 16);
    CHECK(st.reads_issued + st.reads_zero_plane + st.reads_window == st.reads_nominal);
    uint64_t conversions = 0, issued = 0;
    for (size_t n = 0; n < st.read_conversions.size(); ++n) {
      conversions += n * st.read_conversions[n];
      issued += st.read_conversions[n];
    }
    CHECK(issued == st.reads_issued);
    CHECK(conversions == st.computed);  // every conversion belongs to an issued read
    if (!dynamic) CHECK(st.reads_window == 0);
    if (dynamic) {
      CHECK(st.skipped_dynamic > 0);
      // A read is dropped only if all columns of its crossbar skip it: far fewer reads than
      // conversions are saved.
      const double conv_saved = double(st.skipped_dynamic) / double(st.nominal);
      const double reads_saved = double(st.reads_window) / double(st.reads_nominal);
      CHECK(reads_saved < conv_saved);
    }
  }
}

TEST_CASE("schemes: a shift-mode ADC keeps the top bits of the worst-case range") {
  std::mt19937 g(5);
  SchemeOptions s = resolve_scheme("differential,noflip,shift");
  s.adc_bits = s.worst_case_adc_bits();  // nothing dropped: exact
  IntMatrix w = random_matrix(3, 100, -30000, 30000, g);
  IntMatrix x = random_inputs(100, 4, 0, 65535, g);
  DatapathRun run;
  run.weights = &w;
  run.inputs = &x;
  AccMatrix exact = w.cast<int64_t>() * x.cast<int64_t>();
  CHECK(run_datapath(s, run, nullptr) == exact);
  // With 1 bit kept, only partial sums in the top half of the range survive; 1-bit inputs on
  // 2-bit cells over 100 rows (at most 300 of 381) are truncated to 0 or 256.
  s.adc_bits = 1;
  CHECK(s.adc_shift() == s.worst_case_adc_bits() - 1);
  AccMatrix coarse = run_datapath(s, run, nullptr);
  CHECK(coarse != exact);
  CHECK(s.summary().find("top bits") != std::string::npos);
  // One bit dropped: every partial sum loses at most 1, so the error is bounded by the
  // subwords' weights (2 polarities x 16 input bits x 8 slices, each at most 2^(i + 2j)).
  s.adc_bits = s.worst_case_adc_bits() - 1;
  AccMatrix fine = run_datapath(s, run, nullptr);
  const double bound = 2.0 * ((1 << 16) - 1) * ((1 << 16) - 1) / 3.0;
  CHECK((fine - exact).cast<double>().cwiseAbs().maxCoeff() <= bound);
}

TEST_CASE("schemes: evaluate --scheme all reports reads issued, skips, bounded GOPS/W and both baselines") {
  auto r = test::run_rramsim("evaluate --arch isaac --network lenet5 --scheme all --images 30 --calibration-images 20 "
                             "--iso-bits 16,6 -q --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  int schemes = 0;
  for (const auto& row : j["comparison"]) {
    if (!row.contains("scheme")) continue;
    ++schemes;
    INFO(row["design"]);
    CHECK(row["throughput"]["inferences_per_s"].get<double>() > 0);
    CHECK(row["skips"]["zero_plane_fraction"].get<double>() >= 0);
    CHECK(row["skips"]["window_fraction"].get<double>() >= 0);
    CHECK(row["energy_efficiency_gops_per_w"].get<double>() <= row["peak"]["pe_gops_per_w"].get<double>());
    for (const char* base : {"vs_isaac", "vs_iso_accuracy"})
      for (const char* k : {"throughput", "energy_efficiency", "area_efficiency"}) CHECK(row[base][k].get<double>() > 0);
  }
  CHECK(schemes == 4);
  CHECK(j["comparison"][1]["design"] == "PRIME");
  CHECK(j["comparison"][1]["accuracy"].get<double>() >= 0);
  CHECK(j["comparison"][3]["skips"]["window_fraction"].get<double>() == 0);  // baseline: no window
  CHECK(j["comparison"][6]["skips"]["window_fraction"].get<double>() > 0);   // full

  // Every scheme runs on PRIME's geometry (256 rows, 4-bit cells) without overrides.
  auto p = test::run_rramsim("evaluate --arch prime --network lenet5 --scheme full --images 20 --calibration-images 20 "
                             "--iso-bits 16 -q --json");
  REQUIRE(p.exit_code == 0);
  auto k = nlohmann::json::parse(p.out)["comparison"].back();  // the scheme's row
  CHECK(k["hardware"] == "prime");
  CHECK(k["accuracy"].get<double>() >= 0);
}
