#include <catch2/catch.hpp>

#include "rramsim/device/model.hpp"
#include "rramsim/device/variation.hpp"
#include "rramsim/device/write_verify.hpp"

using namespace rramsim;
using namespace rramsim::device;

TEST_CASE("write-verify: with the default variation at least 99 % of devices reach each level") {
  Params p = preset("stanford-pku");
  WriteVerifyOptions o;
  o.devices = 300;
  auto rep = write_verify(p, o);
  REQUIRE(rep.levels.size() == 4);
  double prev = 0;
  for (const auto& L : rep.levels) {
    INFO("target " << L.target_siemens);
    CHECK(L.success_fraction >= 0.99);
    CHECK(L.mean_siemens == Approx(L.target_siemens).epsilon(o.tolerance_rel));
    CHECK(L.target_siemens > prev);
    CHECK(L.quantiles_siemens.size() == rep.quantile_probs.size());
    CHECK(L.samples_siemens.size() == 300u);
    CHECK(L.mean_pulses > 0);
    prev = L.target_siemens;
  }
  // The overlap flag says what the statistics say.
  bool overlap = false;
  for (size_t k = 0; k + 1 < rep.levels.size(); ++k)
    overlap = overlap || rep.levels[k].mean_siemens + 3 * rep.levels[k].std_siemens >=
                             rep.levels[k + 1].mean_siemens - 3 * rep.levels[k + 1].std_siemens;
  CHECK(rep.levels_overlap_3sigma == overlap);
  CHECK_FALSE(rep.levels_overlap_3sigma);
}

TEST_CASE("write-verify: results do not depend on the number of threads, and variation is real") {
  Params p = preset("stanford-pku");
  WriteVerifyOptions o;
  o.devices = 24;
  o.levels = 3;
  o.threads = 1;
  auto a = write_verify(p, o);
  o.threads = 3;
  auto b = write_verify(p, o);
  for (size_t k = 0; k < a.levels.size(); ++k) CHECK(a.levels[k].samples_siemens == b.levels[k].samples_siemens);
  Params d1 = draw_device(p, 1), d2 = draw_device(p, 2);
  CHECK(d1.i0_amp != d2.i0_amp);
  CHECK(draw_device(p, 1).i0_amp == d1.i0_amp);
  CHECK(a.levels[0].std_siemens > 0);
}

TEST_CASE("write-verify: an impossible budget is reported as failures, not hidden") {
  Params p = preset("stanford-pku");
  WriteVerifyOptions o;
  o.devices = 10;
  o.max_pulses = 1;
  auto rep = write_verify(p, o);
  int failures = 0;
  for (const auto& L : rep.levels) failures += L.failures;
  CHECK(failures > 0);
}

TEST_CASE("write-verify: the ASU set with its pulse scheme reaches every level") {
  Params p = preset("asu");
  WriteVerifyOptions o = pulse_scheme_for(p);
  o.devices = 3;
  auto rep = write_verify(p, o);
  for (const auto& L : rep.levels) CHECK(L.success_fraction == 1.0);
}
