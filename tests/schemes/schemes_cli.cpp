#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "rramsim/schemes/layer_figures.hpp"
#include "rramsim/schemes/scheme.hpp"
#include "rramsim/schemes/study.hpp"
#include "rramsim/common/error.hpp"
#include "support.hpp"

using namespace rramsim;
using namespace rramsim::schemes;

TEST_CASE("schemes: named schemes, custom combinations and their effect on the options") {
  SchemeOptions b = resolve_scheme("baseline");
  CHECK(b.weight_encoding == WeightEncoding::biased);
  CHECK(b.column_flip);
  CHECK(b.adc_bits == 8);
  CHECK_FALSE(b.input_inversion);
  CHECK_FALSE(b.dynamic_quantization);
  SchemeOptions full = resolve_scheme("full");
  CHECK(full.adc_optimize);
  CHECK(full.dynamic_quantization);
  CHECK(full.input_inversion);
  SchemeOptions c = resolve_scheme("encoding, dynamic=6, wbits=8, abits=8");
  CHECK(c.input_inversion);
  CHECK(c.window_bits == 6);
  CHECK(c.weight_bits == 8);
  CHECK(c.weight_slices() == 4);
  CHECK(resolve_scheme("differential").weight_slices() == 8);  // 15 magnitude bits / 2
  CHECK(resolve_scheme("differential").polarities() == 2);
  for (const char* n : {"baseline", "encoding", "encoding+adc", "full"})
    CHECK(std::find(scheme_names().begin(), scheme_names().end(), n) != scheme_names().end());
}

TEST_CASE("schemes: bad scheme names or parameters give clear errors and a non-zero exit") {
  CHECK_THROWS_WITH(resolve_scheme("bogus"), Catch::Contains("unknown scheme component 'bogus'") &&
                                                 Catch::Contains("encoding+adc"));
  CHECK_THROWS_WITH(resolve_scheme("baseline,adc=99"), Catch::Contains("'adc=99': expected an integer in [1, 16]"));
  CHECK_THROWS_WITH(resolve_scheme("dynamic=wide"), Catch::Contains("'dynamic=wide'"));
  CHECK_THROWS_WITH(resolve_scheme("adc-opt=2"), Catch::Contains("clipping probability"));
  CHECK_THROWS_WITH(resolve_scheme("flip=1"), Catch::Contains("takes no value"));
  CHECK_THROWS_WITH(resolve_scheme("baseline,,invert"), Catch::Contains("empty component"));
  CHECK_THROWS_WITH(resolve_scheme("missing.toml"), Catch::Contains("does not exist"));
  auto dir = test::temp_dir("schemes-bad");
  std::ofstream(dir / "typo.toml") << "base = \"baseline\"\nadc_bitz = 6\n";
  CHECK_THROWS_WITH(resolve_scheme((dir / "typo.toml").string()), Catch::Contains("typo.toml:2: unknown key 'adc_bitz'"));
  std::ofstream(dir / "range.toml") << "bits_per_cell = 9\n";
  CHECK_THROWS_WITH(resolve_scheme((dir / "range.toml").string()), Catch::Contains("bits_per_cell"));
  std::ofstream(dir / "cycle.toml") << "base = \"cycle\"\n";
  CHECK_THROWS_AS(resolve_scheme("cycle", dir), InputError);

  auto out = dir / "report.txt";
  for (std::string bad : {"bogus", "adc=banana", "baseline,rows=0", "full,window=3"}) {
    auto r = test::run_rramsim("evaluate --arch isaac --network lenet5 --images 10 -q --scheme '" + bad + "' -o " +
                               out.string());
    INFO(bad << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("rramsim: error: ") != std::string::npos);
    CHECK(r.err.find("scheme") != std::string::npos);
    CHECK(!std::filesystem::exists(out));  // nothing half-written
  }
  // A scheme whose geometry the hardware does not have.
  auto r = test::run_rramsim("evaluate --arch isaac --network lenet5 -q --scheme baseline,rows=64");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("64 rows") != std::string::npos);
}

TEST_CASE("schemes: ADC sizing picks the fewest bits within the clipping budget") {
  SchemeOptions s = resolve_scheme("baseline");
  SubwordStats st;
  st.init(s);
  // (0, 0): partial sums up to 20, one in 1000 at 40; (1, 2): never above 3.
  for (int p = 0; p <= 20; ++p) st.psum_hist[p] = 1000;
  st.psum_hist[40] = 21;
  st.psum_hist[(size_t(1) * st.weight_slices + 2) * (st.max_psum + 1) + 3] = 50;
  AdcPlan strict = optimize_adc_plan(s, st, 0.0);
  CHECK(strict.at(0, 0) == 6);  // 40 needs 6 bits
  CHECK(strict.at(1, 2) == 2);
  AdcPlan loose = optimize_adc_plan(s, st, 1e-3);
  CHECK(loose.at(0, 0) == 5);   // 21 / 21021 clipped <= 1e-3: 31 holds the rest
  CHECK(loose.at(3, 3) == 1);   // never observed
  CHECK(loose.max_bits() <= s.worst_case_adc_bits());
}

TEST_CASE("schemes: evaluate --scheme --json reports the scheme, accuracy, skipped subwords, ADC bits and ratios") {
  auto r = test::run_rramsim("evaluate --arch isaac --network lenet5 --scheme full --images 100 "
                             "--calibration-images 50 --iso-bits 16,8 -q --json");
  REQUIRE(r.exit_code == 0);
  auto top = nlohmann::json::parse(r.out);
  // One layout for one scheme or many: the scheme is the last row of `comparison`.
  CHECK(!top.contains("scheme"));
  REQUIRE(top["comparison"].size() == 4);
  auto j = top["comparison"].back();
  CHECK(j["scheme"] == "full");
  CHECK(j["accuracy"].get<double>() > 0.9);
  CHECK(j["subwords_skipped_fraction"].get<double>() > 0.5);
  CHECK(j["subwords_skipped_fraction"].get<double>() < 1.0);
  CHECK(j["adc_bits"]["conv1"].get<int>() <= 8);
  for (const char* k : {"throughput", "energy_efficiency", "area_efficiency"}) CHECK(j["vs_isaac"][k].get<double>() > 1.0);
  CHECK(top["comparison"][0]["design"] == "ISAAC");
  CHECK(top["comparison"][0]["vs_isaac"]["throughput"].get<double>() == Approx(1.0));
  CHECK(top["comparison"][1]["design"] == "PRIME");
  CHECK(top["comparison"][2]["published"] == true);
  CHECK(j["layers"][0]["psum_distribution"].size() == 16 * 8);
  CHECK(j["report"]["layers"].size() > 0);  // the scheme's whole architecture report

  // Networks without weights: synthetic statistics, stated in the report.
  auto s = test::run_rramsim("evaluate --arch isaac --network alexnet --scheme baseline --scheme encoding+adc -q "
                             "--json");
  REQUIRE(s.exit_code == 0);
  auto k = nlohmann::json::parse(s.out);
  REQUIRE(k["comparison"].size() == 5);
  CHECK(k["comparison"][3]["accuracy"].is_null());
  CHECK(k["comparison"][3]["statistics"].get<std::string>().find("synthetic") != std::string::npos);
  CHECK(k["comparison"][3]["vs_isaac"]["energy_efficiency"].get<double>() == Approx(1.0).epsilon(0.02));
  CHECK(k["comparison"][3]["vs_iso_accuracy"].is_null());  // no labelled data, no iso-accuracy baseline
  CHECK(k["comparison"][4]["adc_bits_mean"].get<double>() < 8.0);
}
