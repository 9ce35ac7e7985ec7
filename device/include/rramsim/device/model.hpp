#pragma once
// The compact model's instantaneous equations: current, temperature, gap velocity.
// Arguments of sinh/exp are bounded and the temperature is capped (params.t_max_k), so
// every function is finite for any finite input.
#include "rramsim/device/params.hpp"

namespace rramsim::device {

// I = I0 exp(-g/g0) sinh(V/V0). Odd in V; I(0) = 0.
double current_amp(const Params& p, double volt, double gap_m);
// Quasi-static local temperature T0 + |V I| Rth (capped at t_max_k).
double temperature_k(const Params& p, double volt, double current_amp);
// dg/dt at (V, g, T) before confinement to [g_min, g_max].
double gap_velocity_m_per_s(const Params& p, double volt, double gap_m, double temp_k);
// Small-signal read conductance I(read_volt)/read_volt at gap g.
double read_siemens(const Params& p, double gap_m);
// Inverse of read_siemens within [g_min, g_max] (clamped).
double gap_for_siemens(const Params& p, double siemens);

}  // namespace rramsim::device

namespace rramsim::device {

constexpr double kBoltzmannEvPerK = 8.617333262e-5;

// Field enhancement gamma0 - beta (g / 1 nm)^3.
double gamma_factor(const Params& p, double gap_m);
// dg/dt with the state confined: the velocity towards a bound is multiplied by a C1
// window that is exactly 0 at the bound (so the exact flow never leaves [g_min, g_max]).
double confined_gap_velocity_m_per_s(const Params& p, double volt, double gap_m, double temp_k);
// The window: 0 at `distance_m` <= 0, 1 beyond p.window_width_m, smoothstep between.
double bound_window(const Params& p, double distance_m);
// ASU thermal ODE: dT/dt = |V I|/Cth - (T - T0)/tau_th.
double temperature_rate_k_per_s(const Params& p, double volt, double current_amp, double temp_k);
// Noise amplitude of the Wiener increment: dg = sigma(T) dW, in m/sqrt(s).
double gap_noise_m_per_sqrt_s(const Params& p, double temp_k);

}  // namespace rramsim::device
