#pragma once
// Parameters of the gap-based oxide RRAM compact model (Stanford-PKU; ASU variant).
// SI units throughout, named in the field. See docs/device.md for the equations.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rramsim::device {

enum class ThermalModel { quasi_static, dynamic };   // Stanford: T = T0 + |VI| Rth; ASU: ODE
enum class GapModel { single_term, two_term };       // Stanford sinh form; ASU Eag/Ear form

struct Params {
  std::string name = "stanford-pku";
  // Conduction: I = I0 exp(-g/g0) sinh(V/V0)
  double i0_amp = 1e-3;
  double g0_m = 0.25e-9;
  double v0_volt = 0.25;
  // Gap dynamics
  GapModel gap_model = GapModel::single_term;
  double vel0_m_per_s = 10.0;
  double ea_ev = 0.6;         // single-term activation energy
  double eag_ev = 1.501;      // two-term: generation
  double ear_ev = 1.5;        // two-term: recombination
  double a0_m = 0.25e-9;
  double tox_m = 12e-9;
  double gamma0 = 16.0;
  double beta = 0.8;
  double fmin_volt_per_m = 1.4e9;
  double gap_min_m = 0.2e-9;
  double gap_max_m = 1.7e-9;
  double gap_init_m = 0.2e-9;
  // Temperature
  ThermalModel thermal = ThermalModel::quasi_static;
  double t0_k = 298.0;
  double rth_k_per_w = 2.1e3;
  double cth_j_per_k = 3.18e-16;
  double tau_th_s = 2.3e-10;
  double t_max_k = 2000.0;    // bound on the computed temperature (the formula has no limit)
  // Cycle-to-cycle variation (Wiener increment, active above T_crit)
  double t_crit_k = 450.0;
  double t_smooth_k = 500.0;
  double delta_gap0_m = 0.02e-9;  // per sqrt(reference time step); see docs/device.md
  double noise_ref_step_s = 1e-6;  // the reference time: sigma = delta_gap0 / sqrt(this)
  // Device-to-device variation: relative sigma of chosen parameters, drawn per device
  // (lognormal factors; draw_device() in variation.hpp). Nominal runs ignore them.
  double d2d_sigma_rel_i0 = 0.10;
  double d2d_sigma_rel_gap_min = 0.05;
  double d2d_sigma_rel_vel0 = 0.20;
  // Read
  double read_volt = 0.1;
  // Well-posedness (not in the published sets): the F_min switch-on is a tanh step of this
  // relative width, and the velocity towards a bound is multiplied by a C1 window that
  // falls to exactly 0 over this distance, so the state cannot cross g_min or g_max.
  double fmin_width_rel = 0.005;
  double window_width_m = 0.01e-9;
  double arg_max = 60.0;      // bound on every sinh/exp argument
};

// One double field of Params, for TOML overrides, validation, HDF5 and docs.
struct ParamField {
  const char* name;
  double Params::*member;
  const char* units;
  double min;            // allowed range [min, max] (min exclusive if min_exclusive)
  double max;
  bool min_exclusive;
};
const std::vector<ParamField>& param_fields();

// The published sets: "stanford-pku" (Jiang et al. 2014) and "asu" (Chen and Yu 2015).
// Throws InputError for an unknown name, listing the known ones.
Params preset(std::string_view name);
std::vector<std::string> preset_names();

// A preset (key `base`, default stanford-pku) with any field overridden from a TOML
// file; unknown keys, wrong types and out-of-range values are InputErrors.
Params load_params(const std::filesystem::path& toml_file);
// `spec` is a preset name or a path to a .toml file.
Params params_from_spec(const std::string& spec);

// Throws InputError naming the first invalid field (negative tox, g_min >= g_max, NaN...).
void validate(const Params& p);

}  // namespace rramsim::device
