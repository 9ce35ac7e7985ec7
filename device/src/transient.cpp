#include "rramsim/device/transient.hpp"

#include <algorithm>
#include <array>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "rramsim/common/error.hpp"
#include "rramsim/device/model.hpp"
#include "rosenbrock2.hpp"

namespace rramsim::device {

namespace {

namespace odeint = boost::numeric::odeint;
using Vec = std::array<double, 2>;
using Mat = std::array<std::array<double, 2>, 2>;

// The state is (gap in nm, temperature in K): nm keeps both components near unity.
struct Cell {
  const Params& p;
  const Waveform& w;
  const Compliance& c;

  struct Point {
    double vdev, current, gap_m, temp_k;
  };
  Point point(const Vec& x, double t) const {
    double g = std::clamp(x[0] * 1e-9, p.gap_min_m, p.gap_max_m);
    double vdev = solve_device_volt(p, c, w.at(t), g);
    double i = current_amp(p, vdev, g);
    double temp = p.thermal == ThermalModel::quasi_static ? temperature_k(p, vdev, i)
                                                          : std::clamp(x[1], 1.0, p.t_max_k);
    return {vdev, i, g, temp};
  }
  void rhs(const Vec& x, Vec& dxdt, double t) const {
    Point q = point(x, t);
    dxdt[0] = confined_gap_velocity_m_per_s(p, q.vdev, q.gap_m, q.temp_k) * 1e9;
    dxdt[1] = p.thermal == ThermalModel::dynamic ? temperature_rate_k_per_s(p, q.vdev, q.current, x[1]) : 0.0;
  }
  // Finite-difference Jacobian: the loop solve has no closed-form derivative.
  void jacobian(const Vec& x, Mat& jac, double t, Vec& dfdt) const {
    Vec f0, f1, xp = x;
    rhs(x, f0, t);
    for (int j = 0; j < 2; ++j) {
      double h = 1e-7 * std::max(std::abs(x[j]), j == 0 ? 1e-2 : 1.0);
      xp = x;
      xp[j] += h;
      rhs(xp, f1, t);
      for (int i = 0; i < 2; ++i) jac[i][j] = (f1[i] - f0[i]) / h;
    }
    double ht = 1e-9 * std::max(std::abs(t), 1e-9);
    rhs(x, f1, t + ht);
    for (int i = 0; i < 2; ++i) dfdt[i] = (f1[i] - f0[i]) / ht;
  }
};

// Stop times: output samples, waveform corners and (with noise) the noise grid.
std::vector<double> stop_times(const Waveform& w, const TransientOptions& o, double duration, double noise_step) {
  std::vector<double> stops;
  for (int k = 0; k < o.samples; ++k) stops.push_back(duration * k / (o.samples - 1));
  for (double tc : w.time_s)
    if (tc > 0 && tc < duration) stops.push_back(tc);
  long noise_points = o.noise ? static_cast<long>(std::ceil(duration / noise_step - 1e-9)) : 0;
  require(noise_points < 200'000'000, "transient: the noise step is too small for this duration");
  for (long k = 1; k <= noise_points; ++k) stops.push_back(std::min(k * noise_step, duration));
  std::sort(stops.begin(), stops.end());
  stops.erase(std::unique(stops.begin(), stops.end(), [](double a, double b) { return std::abs(a - b) <= 1e-15 * std::max(1.0, std::abs(b)); }),
              stops.end());
  return stops;
}

}  // namespace

TransientResult simulate(const Params& p, const Waveform& w, const Compliance& c, const TransientOptions& o,
                         TransientState initial) {
  validate(p);
  validate(c);
  double duration = w.duration_s();
  require(duration > 0 && std::isfinite(duration), "transient: the waveform has no duration");
  require(o.samples >= 2, "transient: need at least 2 output samples");
  double max_step = o.max_step_s > 0 ? o.max_step_s : duration / 2000;
  double noise_step = o.noise_step_s > 0 ? o.noise_step_s : max_step;
  require(std::isfinite(max_step) && std::isfinite(noise_step), "transient: steps must be finite");

  Cell cell{p, w, c};
  auto rhs = [&](const Vec& x, Vec& dxdt, double t) { cell.rhs(x, dxdt, t); };
  auto jac = [&](const Vec& x, Mat& j, double t, Vec& dfdt) { cell.jacobian(x, j, t, dfdt); };
  // Quasi-static temperature: one non-stiff-enough state, Odeint's adaptive Dormand-Prince.
  // Dynamic temperature (tau_th ~ 0.2 ns against us..ms drives): stiff, Rosenbrock ROS2.
  // (Odeint's rosenbrock4 would do, but its uBLAS types do not compile as C++20 with
  // Boost 1.74: std::allocator::construct is gone.)
  auto dopri = odeint::make_controlled<odeint::runge_kutta_dopri5<Vec>>(o.abs_tol_gap_m * 1e9, o.rel_tol);
  Rosenbrock2 ros{o.abs_tol_gap_m * 1e9, o.abs_tol_temp_k, o.rel_tol};
  bool stiff = p.thermal == ThermalModel::dynamic;
  auto try_step = [&](Vec& x, double& t, double& dt) {
    if (stiff) return ros.try_step(rhs, jac, x, t, dt);
    return dopri.try_step(rhs, x, t, dt) == odeint::success;
  };

  Vec x;
  x[0] = (initial.gap_m > 0 ? initial.gap_m : p.gap_init_m) * 1e9;
  x[1] = initial.temp_k > 0 ? initial.temp_k : p.t0_k;

  const std::vector<double> stops = stop_times(w, o, duration, noise_step);

  TransientResult r;
  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  auto record = [&](double t) {
    auto q = cell.point(x, t);
    r.time_s.push_back(t);
    r.applied_volt.push_back(w.at(t));
    r.device_volt.push_back(q.vdev);
    r.current_amp.push_back(q.current);
    r.gap_m.push_back(q.gap_m);
    r.temp_k.push_back(q.temp_k);
  };
  auto confine = [&] {
    x[0] = std::clamp(x[0], p.gap_min_m * 1e9, p.gap_max_m * 1e9);
    // The temperature state is left free: the formulas see it capped at t_max_k, and
    // clamping the state against a steady state above the cap would stall the stepper.
  };

  double t = 0, dt = std::min(max_step, duration * 1e-6);
  const double min_step = 1e-14 * duration;
  double next_noise = noise_step, sigma_prev = 0, t_noise_prev = 0;
  if (o.noise) sigma_prev = gap_noise_m_per_sqrt_s(p, cell.point(x, 0).temp_k);
  record(0);
  size_t next_sample = 1;
  // Every stop needs at least one step; the budget bounds the work beyond that.
  const long step_budget = std::max<long>(o.max_steps, 4 * static_cast<long>(stops.size()));
  for (size_t s = 1; s < stops.size(); ++s) {
    double target = stops[s];
    while (t < target) {
      if (r.steps + r.rejected_steps > step_budget)
        throw SolverError(fmt::format(
            "transient: step budget of {} steps exhausted at t = {:g} s of {:g} s (parameters '{}'); "
            "the parameter set or waveform is outside the model's physical range",
            step_budget, t, duration, p.name));
      double h = std::min({dt, max_step, target - t});
      if (target - t - h < 1e-12 * h) h = target - t;  // land exactly on the stop
      double t_try = t, h_try = h;
      if (try_step(x, t_try, h_try)) {
        t = (target - t_try < 1e-12 * std::max(target, 1e-30)) ? target : t_try;
        confine();
        ++r.steps;
        dt = h_try;  // the controller's proposal for the next step
      } else {
        ++r.rejected_steps;
        dt = h_try;
        if (dt < min_step) {
          // A switching event faster than min_step (e.g. 1e6 m/s at the temperature cap):
          // resolve it as instantaneous with one explicit step; the clamp keeps the state
          // in bounds. Counted, so callers can see it happened.
          Vec f;
          double hf = std::min(min_step, target - t);
          rhs(x, f, t);
          for (int i = 0; i < 2; ++i) x[i] += hf * f[i];
          if (!std::isfinite(x[0]) || !std::isfinite(x[1]))
            throw SolverError(fmt::format("transient: the state diverged at t = {:g} s", t));
          t = (target - t - hf <= 0) ? target : t + hf;
          confine();
          ++r.forced_steps;
          dt = min_step * 16;
        }
      }
    }
    if (o.noise && std::abs(t - std::min(next_noise, duration)) <= 1e-12 * std::max(t, 1e-30)) {
      // Ito: the increment over [t_prev, t] uses sigma at t_prev.
      x[0] += sigma_prev * 1e9 * std::sqrt(t - t_noise_prev) * normal(rng);
      confine();
      t_noise_prev = t;
      next_noise += noise_step;
      sigma_prev = gap_noise_m_per_sqrt_s(p, cell.point(x, t).temp_k);
    }
    if (next_sample < static_cast<size_t>(o.samples) &&
        std::abs(t - duration * next_sample / (o.samples - 1)) <= 1e-12 * std::max(duration, 1e-30)) {
      record(t);
      ++next_sample;
    }
  }
  while (next_sample < static_cast<size_t>(o.samples)) {  // rounding at the very end
    record(t);
    ++next_sample;
  }
  r.final_state = {std::clamp(x[0] * 1e-9, p.gap_min_m, p.gap_max_m), cell.point(x, t).temp_k};
  return r;
}

}  // namespace rramsim::device
