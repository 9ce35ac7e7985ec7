#include "rramsim/device/params.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "rramsim/common/config.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::device {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

const std::vector<ParamField>& param_fields() {
  // Ranges reject values for which the equations are meaningless (a non-positive length,
  // energy or temperature) and values orders of magnitude outside any oxide RRAM (a 1 A
  // tunnelling prefactor, a 10 um oxide), which would only make the integrator spin.
  static const std::vector<ParamField> fields = {
      {"i0_amp", &Params::i0_amp, "A", 0, 1, true},
      {"g0_m", &Params::g0_m, "m", 1e-13, 1e-6, false},
      {"v0_volt", &Params::v0_volt, "V", 1e-4, 100, false},
      {"vel0_m_per_s", &Params::vel0_m_per_s, "m/s", 0, 1e6, true},
      {"ea_ev", &Params::ea_ev, "eV", 0, 20, false},
      {"eag_ev", &Params::eag_ev, "eV", 0, 20, false},
      {"ear_ev", &Params::ear_ev, "eV", 0, 20, false},
      {"a0_m", &Params::a0_m, "m", 1e-12, 1e-6, false},
      {"tox_m", &Params::tox_m, "m", 1e-10, 1e-5, false},
      {"gamma0", &Params::gamma0, "1", 0, 1e3, false},
      {"beta", &Params::beta, "1", 0, 1e3, false},
      {"fmin_volt_per_m", &Params::fmin_volt_per_m, "V/m", 0, 1e12, false},
      {"gap_min_m", &Params::gap_min_m, "m", 0, 1e-6, false},
      {"gap_max_m", &Params::gap_max_m, "m", 0, 1e-6, true},
      {"gap_init_m", &Params::gap_init_m, "m", 0, 1e-6, false},
      {"t0_k", &Params::t0_k, "K", 1, 2000, false},
      {"rth_k_per_w", &Params::rth_k_per_w, "K/W", 0, kInf, false},
      {"cth_j_per_k", &Params::cth_j_per_k, "J/K", 0, kInf, true},
      {"tau_th_s", &Params::tau_th_s, "s", 0, kInf, true},
      {"t_max_k", &Params::t_max_k, "K", 1, 1e4, false},
      {"t_crit_k", &Params::t_crit_k, "K", 0, 1e4, false},
      {"t_smooth_k", &Params::t_smooth_k, "K", 0, kInf, true},
      {"delta_gap0_m", &Params::delta_gap0_m, "m", 0, kInf, false},
      {"noise_ref_step_s", &Params::noise_ref_step_s, "s", 0, kInf, true},
      {"d2d_sigma_rel_i0", &Params::d2d_sigma_rel_i0, "1", 0, 1, false},
      {"d2d_sigma_rel_gap_min", &Params::d2d_sigma_rel_gap_min, "1", 0, 1, false},
      {"d2d_sigma_rel_vel0", &Params::d2d_sigma_rel_vel0, "1", 0, 1, false},
      {"read_volt", &Params::read_volt, "V", 0, 10, true},
      {"fmin_width_rel", &Params::fmin_width_rel, "1", 0, 1, true},
      {"window_width_m", &Params::window_width_m, "m", 0, kInf, true},
      {"arg_max", &Params::arg_max, "1", 1, 700, false},
  };
  return fields;
}

Params preset(std::string_view name) {
  Params p;  // the struct's defaults are the Stanford-PKU v1.0.0 set
  if (name == "stanford-pku") return p;
  if (name == "asu") {
    p.name = "asu";
    p.i0_amp = 6.14e-5;
    p.g0_m = 0.275e-9;
    p.v0_volt = 0.43;
    p.gap_model = GapModel::two_term;
    p.vel0_m_per_s = 150.0;
    p.eag_ev = 1.501;
    p.ear_ev = 1.5;
    p.a0_m = 0.25e-9;
    p.tox_m = 5e-9;
    p.gamma0 = 16.5;
    p.beta = 1.25;
    p.gap_min_m = 0.1e-9;
    p.gap_max_m = 1.7e-9;
    p.gap_init_m = 0.1e-9;
    p.thermal = ThermalModel::dynamic;
    p.cth_j_per_k = 3.18e-16;
    p.tau_th_s = 2.3e-10;
    p.t0_k = 298.0;
    // The dynamic model's steady state is T0 + P tau/Cth, i.e. Rth = tau/Cth.
    p.rth_k_per_w = p.tau_th_s / p.cth_j_per_k;
    return p;
  }
  std::string known;
  for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
  throw InputError("unknown device parameter set '" + std::string(name) + "' (known: " + known + ")");
}

std::vector<std::string> preset_names() { return {"stanford-pku", "asu"}; }

Params load_params(const std::filesystem::path& toml_file) {
  auto doc = ConfigDoc::from_file(toml_file);
  Config c = doc.root();
  Params p = preset(c.string("base", "stanford-pku", preset_names()));
  p.name = c.string("name", p.name + "+" + toml_file.filename().string());
  std::string gm = c.string("gap_model", p.gap_model == GapModel::two_term ? "two_term" : "single_term",
                            {"single_term", "two_term"});
  p.gap_model = gm == "two_term" ? GapModel::two_term : GapModel::single_term;
  std::string th = c.string("thermal", p.thermal == ThermalModel::dynamic ? "dynamic" : "quasi_static",
                            {"quasi_static", "dynamic"});
  p.thermal = th == "dynamic" ? ThermalModel::dynamic : ThermalModel::quasi_static;
  for (const auto& f : param_fields())
    p.*f.member = c.number(f.name, p.*f.member, {.min = f.min, .max = f.max, .min_exclusive = f.min_exclusive});
  doc.reject_unknown_keys();
  try {
    validate(p);
  } catch (const InputError& e) {
    throw InputError(toml_file.string() + ": " + e.what());
  }
  return p;
}

Params params_from_spec(const std::string& spec) {
  for (const auto& n : preset_names())
    if (spec == n) return preset(n);
  std::filesystem::path path(spec);
  if (path.extension() == ".toml") return load_params(path);
  return preset(spec);  // throws, listing the known names
}

void validate(const Params& p) {
  for (const auto& f : param_fields()) {
    double v = p.*f.member;
    if (!std::isfinite(v)) throw InputError(std::string("device parameter ") + f.name + " must be a finite number");
    bool low = f.min_exclusive ? !(v > f.min) : v < f.min;
    if (low || v > f.max)
      throw InputError(std::string("device parameter ") + f.name + " = " + fmt::format("{:g}", v) + " is out of range" +
                       (f.min_exclusive ? " (must be > " : " (must be >= ") + fmt::format("{:g}", f.min) +
                       (std::isinf(f.max) ? "" : " and <= " + fmt::format("{:g}", f.max)) + ")");
  }
  if (!(p.gap_min_m < p.gap_max_m))
    throw InputError("device parameters: gap_min_m (" + fmt::format("{:g}", p.gap_min_m) +
                     ") must be less than gap_max_m (" + fmt::format("{:g}", p.gap_max_m) + ")");
  if (p.gap_init_m < p.gap_min_m || p.gap_init_m > p.gap_max_m)
    throw InputError("device parameters: gap_init_m must lie in [gap_min_m, gap_max_m]");
  if (p.window_width_m * 2 > p.gap_max_m - p.gap_min_m)
    throw InputError("device parameters: window_width_m must be below half of gap_max_m - gap_min_m");
  if (p.t_max_k <= p.t0_k) throw InputError("device parameters: t_max_k must exceed t0_k");
}

}  // namespace rramsim::device
