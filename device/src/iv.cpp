#include "rramsim/device/iv.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rramsim/common/error.hpp"
#include "rramsim/device/model.hpp"
#include "rramsim/device/spice_model.hpp"

namespace rramsim::device {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Applied voltage where the gap first covers `fraction` of its change within [i0, i1).
double onset_volt(const TransientResult& r, size_t i0, size_t i1, double fraction, double window_m) {
  double g_start = r.gap_m[i0];
  double extreme = g_start;
  for (size_t i = i0; i < i1; ++i)
    extreme = std::abs(r.gap_m[i] - g_start) > std::abs(extreme - g_start) ? r.gap_m[i] : extreme;
  if (std::abs(extreme - g_start) < 0.01 * window_m) return kNaN;
  double level = g_start + fraction * (extreme - g_start);
  for (size_t i = i0 + 1; i < i1; ++i) {
    double a = r.gap_m[i - 1] - level, b = r.gap_m[i] - level;
    if ((a <= 0) != (b <= 0) || b == 0) {
      double f = a == b ? 1.0 : a / (a - b);
      return r.applied_volt[i - 1] + f * (r.applied_volt[i] - r.applied_volt[i - 1]);
    }
  }
  return kNaN;
}
}  // namespace

void validate(const IvOptions& o) {
  auto finite_pos = [](double v) { return std::isfinite(v) && v > 0; };
  // Physical ranges: an oxide cell breaks down long before 100 V, and a sweep shorter than
  // 1 ps or longer than a day is outside what the model describes.
  require(finite_pos(o.vmax_volt) && o.vmax_volt <= 100, "device iv: --vmax must be in (0, 100] volts");
  require(finite_pos(o.vmin_volt) && o.vmin_volt <= 100,
          "device iv: --vmin must be in (0, 100] volts (the magnitude of the negative peak)");
  require(finite_pos(o.period_s) && o.period_s >= 1e-12 && o.period_s <= 86400,
          "device iv: --period must be in [1e-12, 86400] seconds");
  require(std::isfinite(o.start_gap_m) && o.start_gap_m >= 0, "device iv: the start gap must be >= 0");
  validate(o.compliance);
}

TransientResult run_iv(const Params& p, const IvOptions& o, Engine engine) {
  validate(p);
  validate(o);
  Waveform w = Waveform::triangle(o.vmax_volt, o.vmin_volt, o.period_s);
  TransientState s0{o.start_gap_m > 0 ? std::clamp(o.start_gap_m, p.gap_min_m, p.gap_max_m) : p.gap_max_m, p.t0_k};
  return engine == Engine::native ? simulate(p, w, o.compliance, o.transient, s0)
                                  : simulate_ngspice(p, w, o.compliance, o.transient, s0);
}

IvSummary summarize_iv(const Params& p, const IvOptions& o, const TransientResult& r) {
  IvSummary s;
  size_t n = r.time_s.size();
  size_t half = 0;
  while (half + 1 < n && r.time_s[half] < 0.5 * o.period_s) ++half;
  double window = p.gap_max_m - p.gap_min_m;
  s.set_volt = onset_volt(r, 0, half + 1, 0.1, window);
  s.reset_volt = onset_volt(r, half, n, 0.1, window);
  s.read_volt = p.read_volt;
  s.lrs_ohm = 1.0 / read_siemens(p, r.gap_m[half]);
  s.hrs_ohm = 1.0 / read_siemens(p, r.gap_m.back());
  s.final_gap_m = r.gap_m.back();
  return s;
}

double current_max_rel_dev(const TransientResult& a, const TransientResult& b, double floor_rel, int guard) {
  require(a.current_amp.size() == b.current_amp.size(), "engine comparison: traces on different grids");
  size_t n = a.current_amp.size();
  double peak = 0;
  for (size_t i = 0; i < n; ++i) peak = std::max({peak, std::abs(a.current_amp[i]), std::abs(b.current_amp[i])});
  // A sample is near a switching event if either gap moves fast around it.
  std::vector<bool> skip(n, false);
  for (size_t i = 1; i < n; ++i) {
    double dg = std::max(std::abs(a.gap_m[i] - a.gap_m[i - 1]), std::abs(b.gap_m[i] - b.gap_m[i - 1]));
    if (dg > 0.01e-9)
      for (long k = static_cast<long>(i) - guard; k <= static_cast<long>(i) + guard; ++k)
        if (k >= 0 && k < static_cast<long>(n)) skip[k] = true;
  }
  double worst = 0;
  for (size_t i = 0; i < n; ++i) {
    double m = std::max(std::abs(a.current_amp[i]), std::abs(b.current_amp[i]));
    if (skip[i] || m < floor_rel * peak) continue;
    worst = std::max(worst, std::abs(a.current_amp[i] - b.current_amp[i]) / m);
  }
  return worst;
}

}  // namespace rramsim::device
