#include "rramsim/device/model.hpp"

#include <algorithm>
#include <cmath>

namespace rramsim::device {

namespace {
double bounded(const Params& p, double arg) { return std::clamp(arg, -p.arg_max, p.arg_max); }
double temp_bounded(const Params& p, double t) { return std::clamp(t, 1.0, p.t_max_k); }
}  // namespace

double current_amp(const Params& p, double volt, double gap_m) {
  return p.i0_amp * std::exp(bounded(p, -gap_m / p.g0_m)) * std::sinh(bounded(p, volt / p.v0_volt));
}

double temperature_k(const Params& p, double volt, double current) {
  return temp_bounded(p, p.t0_k + std::abs(volt * current) * p.rth_k_per_w);
}

double gamma_factor(const Params& p, double gap_m) {
  double g_nm = gap_m / 1e-9;
  return p.gamma0 - p.beta * g_nm * g_nm * g_nm;
}

double gap_velocity_m_per_s(const Params& p, double volt, double gap_m, double temp_k) {
  double kt_volt = kBoltzmannEvPerK * temp_bounded(p, temp_k);
  double gamma = std::max(gamma_factor(p, gap_m), 0.0);
  // The switching term is off below the critical field; a narrow tanh step instead of the
  // original hard cut keeps dg/dt continuous (and identical in the SPICE form).
  double field = gamma * std::abs(volt) / p.tox_m;
  double on = 0.5 * (1.0 + std::tanh((field - p.fmin_volt_per_m) / (p.fmin_width_rel * p.fmin_volt_per_m)));
  double arg = gamma * p.a0_m / p.tox_m * volt / kt_volt;
  if (p.gap_model == GapModel::single_term)
    return -p.vel0_m_per_s * std::exp(bounded(p, -p.ea_ev / kt_volt)) * std::sinh(bounded(p, arg)) * on;
  return -p.vel0_m_per_s *
         (std::exp(bounded(p, -p.eag_ev / kt_volt)) * std::exp(bounded(p, arg)) -
          std::exp(bounded(p, -p.ear_ev / kt_volt)) * std::exp(bounded(p, -arg))) *
         on;
}

double bound_window(const Params& p, double distance_m) {
  double x = std::clamp(distance_m / p.window_width_m, 0.0, 1.0);
  return x * x * (3.0 - 2.0 * x);
}

double confined_gap_velocity_m_per_s(const Params& p, double volt, double gap_m, double temp_k) {
  double v = gap_velocity_m_per_s(p, volt, gap_m, temp_k);
  return v > 0 ? v * bound_window(p, p.gap_max_m - gap_m) : v * bound_window(p, gap_m - p.gap_min_m);
}

double temperature_rate_k_per_s(const Params& p, double volt, double current, double temp_k) {
  return std::abs(volt * current) / p.cth_j_per_k - (temp_k - p.t0_k) / p.tau_th_s;
}

double gap_noise_m_per_sqrt_s(const Params& p, double temp_k) {
  double activation = 1.0 / (1.0 + std::exp(bounded(p, (p.t_crit_k - temp_k) / p.t_smooth_k)));
  return p.delta_gap0_m / std::sqrt(p.noise_ref_step_s) * activation;
}

double read_siemens(const Params& p, double gap_m) { return current_amp(p, p.read_volt, gap_m) / p.read_volt; }

double gap_for_siemens(const Params& p, double siemens) {
  // G = I0 exp(-g/g0) sinh(Vr/V0) / Vr, so g = -g0 ln(G Vr / (I0 sinh(Vr/V0))).
  if (!(siemens > 0)) return p.gap_max_m;
  double g = -p.g0_m * std::log(siemens * p.read_volt / (p.i0_amp * std::sinh(p.read_volt / p.v0_volt)));
  return std::clamp(g, p.gap_min_m, p.gap_max_m);
}

}  // namespace rramsim::device
