#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "rramsim/device/iv.hpp"
#include "rramsim/device/model.hpp"
#include "rramsim/device/spice_model.hpp"

using namespace rramsim;
using namespace rramsim::device;

TEST_CASE("iv: default sweep sets at a positive and resets at a negative voltage, pinched at the origin") {
  Params p = preset("stanford-pku");
  IvOptions o;
  auto r = run_iv(p, o, Engine::native);
  auto s = summarize_iv(p, o, r);
  CHECK(s.set_volt > 0);
  CHECK(s.reset_volt < 0);
  // The reference behaviour: abrupt set near +1.39 V (F_min), reset onset near -1.05 V.
  CHECK(s.set_volt == Approx(1.39).epsilon(0.03));
  CHECK(s.reset_volt == Approx(-1.05).epsilon(0.03));
  CHECK(s.lrs_ohm == Approx(540).epsilon(0.01));
  CHECK(s.hrs_ohm == Approx(218.6e3).epsilon(0.01));
  // Pinched: wherever the applied voltage is 0, so is the current, in both states.
  int zeros = 0;
  for (size_t i = 0; i < r.time_s.size(); ++i)
    if (r.applied_volt[i] == 0.0) {
      ++zeros;
      CHECK(r.current_amp[i] == 0.0);
    }
  CHECK(zeros == 3);  // start, middle (LRS), end (HRS)
  CHECK(r.gap_m[r.time_s.size() / 2] == Approx(p.gap_min_m).epsilon(0.01));
}

TEST_CASE("iv: native and ngspice agree on set and reset within 2 %, final gap within 1 %, traces within 1 %") {
  for (const std::string name : {"stanford-pku", "asu"}) {
    INFO(name);
    Params p = preset(name);
    IvOptions o;
    auto a = run_iv(p, o, Engine::native);
    auto b = run_iv(p, o, Engine::ngspice);
    auto sa = summarize_iv(p, o, a), sb = summarize_iv(p, o, b);
    CHECK(sb.set_volt == Approx(sa.set_volt).epsilon(0.02));
    CHECK(sb.reset_volt == Approx(sa.reset_volt).epsilon(0.02));
    CHECK(sb.final_gap_m == Approx(sa.final_gap_m).epsilon(0.01));
    // The documented tolerance on the I-V traces (docs/device.md): 1 % away from the
    // switching instants, for currents above 1e-3 of the peak.
    CHECK(current_max_rel_dev(a, b) < 0.01);
  }
}

TEST_CASE("transient: the gap never leaves [g_min, g_max], also with large steps, long pulses and noise") {
  for (const std::string name : {"stanford-pku", "asu"}) {
    Params p = preset(name);
    p.delta_gap0_m = 1e-9;  // violent noise
    for (double amp : {3.0, -3.0, 6.0, -6.0}) {
      TransientOptions o;
      o.samples = 101;
      o.max_step_s = 0.25;  // a quarter of the pulse
      o.noise = true;
      o.seed = 7;
      for (double g0 : {p.gap_min_m, p.gap_max_m, 0.5 * (p.gap_min_m + p.gap_max_m)}) {
        auto r = simulate(p, Waveform::pulse(amp, 1.0, 1e-3), Compliance{}, o, {g0, p.t0_k});
        for (double g : r.gap_m) {
          CHECK(g >= p.gap_min_m);
          CHECK(g <= p.gap_max_m);
        }
      }
      o.noise = false;
      auto r = simulate(p, Waveform::pulse(amp, 1.0, 1e-3), Compliance{}, o, {});
      CHECK(r.final_state.gap_m == Approx(amp > 0 ? p.gap_min_m : p.gap_max_m).margin(1e-12));
    }
  }
}

TEST_CASE("transient: with noise the gap variance after a fixed stress converges as the step shrinks 4x") {
  Params p = preset("stanford-pku");
  // A stress below the F_min threshold: no drift, so the variance is sigma(T)^2 * duration.
  Waveform w = Waveform::pulse(0.5, 10e-6, 1e-9);
  double g0 = 1.0e-9;
  auto variance = [&](double step, uint64_t seed0) {
    const int n = 3000;
    double sum = 0, sum2 = 0;
    for (int k = 0; k < n; ++k) {
      TransientOptions o;
      o.samples = 2;
      o.noise = true;
      o.max_step_s = step;
      o.seed = seed0 + k;
      double g = simulate(p, w, Compliance{}, o, {g0, p.t0_k}).final_state.gap_m - g0;
      sum += g;
      sum2 += g * g;
    }
    return sum2 / n - (sum / n) * (sum / n);
  };
  double v1 = variance(1e-6, 1000), v4 = variance(0.25e-6, 900000);
  double temp = temperature_k(p, 0.5, current_amp(p, 0.5, g0));
  double sigma = gap_noise_m_per_sqrt_s(p, temp);
  double expected = sigma * sigma * w.duration_s();
  // Statistical error of a 3000-sample variance is about 2.6 %; a per-step (unscaled)
  // noise would change the variance 4x here.
  CHECK(v4 / v1 == Approx(1.0).margin(0.12));
  CHECK(v1 == Approx(expected).epsilon(0.12));
  CHECK(v4 == Approx(expected).epsilon(0.12));
}

TEST_CASE("transient: seeded noise is reproducible") {
  Params p = preset("stanford-pku");
  TransientOptions o;
  o.noise = true;
  o.samples = 11;
  o.seed = 42;
  Waveform w = Waveform::pulse(1.2, 1e-6, 1e-8);
  auto a = simulate(p, w, Compliance{}, o, {1e-9, 0});
  auto b = simulate(p, w, Compliance{}, o, {1e-9, 0});
  CHECK(a.gap_m == b.gap_m);
  o.seed = 43;
  auto c = simulate(p, w, Compliance{}, o, {1e-9, 0});
  CHECK(a.gap_m != c.gap_m);
}

TEST_CASE("compliance: series resistor and 1T1R transistor limit the programming current") {
  Params p = preset("stanford-pku");
  // The loop equation holds: V_applied = V_device + I R.
  Compliance r = Compliance::resistor(1000);
  for (double va : {-2.0, -0.3, 0.5, 2.0}) {
    double vd = solve_device_volt(p, r, va, p.gap_min_m);
    CHECK(vd + current_amp(p, vd, p.gap_min_m) * 1000 == Approx(va).epsilon(1e-9));
  }
  // The transistor: below saturation like a resistor R_on, above it the current is capped.
  Compliance t = Compliance::transistor(1.0);
  CHECK(t.on_ohm() == Approx(1.0 / (t.k_amp_per_volt2 * 0.6)));
  double vd = solve_device_volt(p, t, 3.0, p.gap_min_m);
  double i = current_amp(p, vd, p.gap_min_m);
  CHECK(i <= t.saturation_amp() * (1 + t.lambda_per_volt * 3.0) * 1.0000001);
  CHECK(i == Approx(access_current_amp(t, 3.0 - vd)).epsilon(1e-9));
  // A set with a series resistor stops short of the full LRS (compliance), without it the
  // gap closes fully.
  IvOptions o;
  auto free = summarize_iv(p, o, run_iv(p, o, Engine::native));
  o.compliance = Compliance::resistor(2000);
  auto limited = summarize_iv(p, o, run_iv(p, o, Engine::native));
  CHECK(limited.lrs_ohm > 3 * free.lrs_ohm);
  // The 1T1R loop in SPICE gives the same operating point as the native solve.
  TransientOptions to;
  to.samples = 11;
  Waveform w{{0, 1e-9, 2e-9}, {0, 0.6, 0.6}};
  Params slow = p;
  slow.vel0_m_per_s = 1e-30;  // freeze the gap: compare the static loop only
  auto nat = simulate(slow, w, t, to, {0.8e-9, 0});
  auto spi = simulate_ngspice(slow, w, t, to, {0.8e-9, 0});
  CHECK(spi.device_volt.back() == Approx(nat.device_volt.back()).epsilon(1e-3));
  CHECK(spi.current_amp.back() == Approx(nat.current_amp.back()).epsilon(1e-3));
}

TEST_CASE("spice: the emitted subcircuit is a well-formed behavioural model") {
  Params p = preset("asu");
  auto sub = spice_subcircuit(p);
  REQUIRE(sub.size() > 4);
  CHECK(sub[1].rfind(".subckt rramsim_cell te be gap tk", 0) == 0);
  CHECK(sub.back() == ".ends rramsim_cell");
  bool cap = false;
  for (const auto& l : sub) cap = cap || l.rfind("Cg gap 0 1", 0) == 0;
  CHECK(cap);
}
