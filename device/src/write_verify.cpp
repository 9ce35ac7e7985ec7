#include "rramsim/device/write_verify.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "rramsim/common/error.hpp"
#include "rramsim/device/model.hpp"
#include "rramsim/device/transient.hpp"
#include "rramsim/device/variation.hpp"

namespace rramsim::device {

Compliance wide_access_transistor() {
  Compliance c = Compliance::transistor(2.5);
  c.k_amp_per_volt2 = 10e-3;
  return c;
}

WriteVerifyOptions pulse_scheme_for(const Params& p, WriteVerifyOptions o) {
  if (p.gap_model == GapModel::two_term) {
    o.set_volt = 2.5;
    o.reset_start_volt = 1.4;
    o.reset_step_volt = 0.05;
    o.set_gate_start_volt = 0.42;
    o.set_gate_step_volt = 0.01;
    o.transistor.k_amp_per_volt2 = 1e-3;
  }
  return o;
}

namespace {

void validate(const WriteVerifyOptions& o) {
  require(o.levels >= 2 && o.levels <= 64, "write-verify: levels must be in [2, 64]");
  require(o.devices >= 1 && o.devices <= 10'000'000, "write-verify: devices must be in [1, 1e7]");
  require(std::isfinite(o.tolerance_rel) && o.tolerance_rel > 0 && o.tolerance_rel < 1,
          "write-verify: tolerance_rel must be in (0, 1)");
  require(o.max_pulses >= 1, "write-verify: max_pulses must be >= 1");
  for (double v : {o.pulse_width_s, o.pulse_edge_s, o.set_volt, o.set_gate_start_volt, o.set_gate_step_volt,
                   o.reset_start_volt, o.reset_step_volt, o.reset_gate_volt, o.max_volt})
    require(std::isfinite(v) && v > 0, "write-verify: pulse settings must be positive numbers");
  require(std::isfinite(o.min_target_siemens) && std::isfinite(o.max_target_siemens) && o.min_target_siemens >= 0 &&
              o.max_target_siemens >= 0,
          "write-verify: target conductances must be >= 0");
}

double quantile(const std::vector<double>& sorted, double q) {
  double pos = q * (sorted.size() - 1);
  size_t i = static_cast<size_t>(std::floor(pos));
  size_t j = std::min(i + 1, sorted.size() - 1);
  return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
}

}  // namespace

ProgramResult program_device(const Params& dev, double target, double& gap_m, const WriteVerifyOptions& o,
                             uint64_t seed) {
  TransientOptions topt;
  topt.samples = 2;
  topt.max_step_s = o.pulse_width_s / 10;
  topt.noise = o.noise && dev.delta_gap0_m > 0;
  topt.noise_step_s = o.pulse_width_s / 10;
  Compliance c = o.transistor;
  double vg = o.set_gate_start_volt, dvg = o.set_gate_step_volt;
  double vr = o.reset_start_volt, dvr = o.reset_step_volt;
  double vg_used = -1, vr_used = -1;
  int last_dir = 0;
  ProgramResult r;
  for (int pulse = 0;; ++pulse) {
    double g = read_siemens(dev, gap_m);
    r.siemens = g;
    r.pulses = pulse;
    if (std::abs(g - target) <= o.tolerance_rel * target) {
      r.success = true;
      return r;
    }
    if (pulse >= o.max_pulses) return r;
    int dir = g < target ? +1 : -1;
    // Adaptive: on a reversal, halve the step and go back half-way (a bisection on the
    // knob that overshot); otherwise keep climbing.
    if (dir > 0) {
      if (last_dir < 0 && vg_used > 0) {
        dvg *= 0.5;
        dvr *= 0.5;
        vg = vg_used - dvg;
      }
      c.gate_volt = std::clamp(vg, c.threshold_volt + 1e-3, o.max_volt);
      Waveform w = Waveform::pulse(o.set_volt, o.pulse_width_s, o.pulse_edge_s);
      topt.seed = mix_seed(seed, static_cast<uint64_t>(pulse));
      gap_m = simulate(dev, w, c, topt, {gap_m, dev.t0_k}).final_state.gap_m;
      vg_used = c.gate_volt;
      vg = vg_used + dvg;
    } else {
      if (last_dir > 0 && vr_used > 0) {
        dvg *= 0.5;
        dvr *= 0.5;
        vr = vr_used - dvr;
      }
      c.gate_volt = o.reset_gate_volt;
      double amp = std::clamp(vr, 0.0, o.max_volt);
      Waveform w = Waveform::pulse(-amp, o.pulse_width_s, o.pulse_edge_s);
      topt.seed = mix_seed(seed, static_cast<uint64_t>(pulse));
      gap_m = simulate(dev, w, c, topt, {gap_m, dev.t0_k}).final_state.gap_m;
      vr_used = amp;
      vr = vr_used + dvr;
    }
    last_dir = dir;
  }
}

WriteVerifyReport write_verify(const Params& p, const WriteVerifyOptions& o) {
  validate(p);
  validate(o);
  validate(o.transistor);
  auto start = std::chrono::steady_clock::now();
  double g_lo = o.min_target_siemens > 0 ? o.min_target_siemens : 2.0 * read_siemens(p, p.gap_max_m);
  double g_hi = o.max_target_siemens > 0 ? o.max_target_siemens : 0.5 * read_siemens(p, p.gap_min_m);
  require(g_lo < g_hi, "write-verify: the lowest target conductance must be below the highest");

  WriteVerifyReport rep;
  rep.levels.resize(o.levels);
  for (int k = 0; k < o.levels; ++k) {
    rep.levels[k].target_siemens = g_lo + (g_hi - g_lo) * k / (o.levels - 1);
    rep.levels[k].samples_siemens.assign(o.devices, 0.0);
  }
  std::vector<int> pulses(static_cast<size_t>(o.devices) * o.levels, 0);
  std::vector<char> ok(pulses.size(), 0);

  // Every device owns its random streams (seeded by its index), so the result does not
  // depend on the number of threads or on scheduling.
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int d; (d = next.fetch_add(1)) < o.devices;) {
      Params dev = draw_device(p, mix_seed(o.seed, 0xD2D, static_cast<uint64_t>(d)));
      for (int k = 0; k < o.levels; ++k) {
        double gap = dev.gap_max_m;  // each level is written from a fully reset cell
        auto res = program_device(dev, rep.levels[k].target_siemens, gap, o,
                                  mix_seed(o.seed, static_cast<uint64_t>(d), static_cast<uint64_t>(k) + 1));
        size_t idx = static_cast<size_t>(d) * o.levels + k;
        rep.levels[k].samples_siemens[d] = res.siemens;
        pulses[idx] = res.pulses;
        ok[idx] = res.success;
      }
      if (o.on_device_done) o.on_device_done();
    }
  };
  int threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, o.devices);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  for (int k = 0; k < o.levels; ++k) {
    auto& L = rep.levels[k];
    double sum = 0, sum2 = 0, psum = 0;
    int good = 0;
    for (int d = 0; d < o.devices; ++d) {
      double g = L.samples_siemens[d];
      sum += g;
      sum2 += g * g;
      size_t idx = static_cast<size_t>(d) * o.levels + k;
      psum += pulses[idx];
      good += ok[idx];
    }
    L.mean_siemens = sum / o.devices;
    L.std_siemens = std::sqrt(std::max(0.0, sum2 / o.devices - L.mean_siemens * L.mean_siemens));
    L.mean_pulses = psum / o.devices;
    L.failures = o.devices - good;
    L.success_fraction = static_cast<double>(good) / o.devices;
    auto sorted = L.samples_siemens;
    std::sort(sorted.begin(), sorted.end());
    for (double q : rep.quantile_probs) L.quantiles_siemens.push_back(quantile(sorted, q));
  }
  for (int k = 0; k + 1 < o.levels; ++k) {
    const auto &a = rep.levels[k], &b = rep.levels[k + 1];
    if (a.mean_siemens + 3 * a.std_siemens >= b.mean_siemens - 3 * b.std_siemens) rep.levels_overlap_3sigma = true;
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return rep;
}

}  // namespace rramsim::device
