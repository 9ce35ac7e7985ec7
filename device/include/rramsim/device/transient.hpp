#pragma once
// Transient simulation of one cell under an applied voltage waveform.
//
// Deterministic runs use an adaptive Rosenbrock (stiff-capable) stepper from Boost.Odeint:
// near the F_min threshold and at the bounds the gap dynamics are stiff. The gap is
// clamped to [g_min, g_max] after every accepted step (besides the model's own windows).
// With noise on, the gap gets a Wiener increment sigma(T) sqrt(h) N(0,1) on a fixed grid
// of step h (Euler-Maruyama, the drift integrated adaptively within each step), so the
// variance does not depend on h.
#include <cstdint>
#include <vector>

#include "rramsim/device/compliance.hpp"
#include "rramsim/device/params.hpp"

namespace rramsim::device {

// Piecewise-linear applied voltage (held at the last value after the end).
struct Waveform {
  std::vector<double> time_s;
  std::vector<double> volt;
  double at(double t) const;
  double duration_s() const { return time_s.empty() ? 0 : time_s.back(); }
  // 0 -> +vmax -> 0 -> -vmin -> 0 over period_s (vmin given as a magnitude).
  static Waveform triangle(double vmax_volt, double vmin_volt, double period_s);
  // One trapezoidal pulse: rise, flat top at amplitude, fall.
  static Waveform pulse(double amplitude_volt, double width_s, double edge_s);
};

struct TransientOptions {
  int samples = 2001;             // output points, evenly spaced over the waveform
  double max_step_s = 0;          // 0: duration / 2000
  double rel_tol = 1e-6;
  double abs_tol_gap_m = 1e-15;
  double abs_tol_temp_k = 1e-3;
  bool noise = false;             // cycle-to-cycle variation (Wiener increment)
  double noise_step_s = 0;        // grid of the noise; 0: max_step_s
  uint64_t seed = 1;
  // Accepted plus rejected steps before the run is abandoned with a SolverError: a stiff
  // or unphysical parameter set must fail in seconds, not spin for minutes.
  long max_steps = 5'000'000;
};

struct TransientState {
  double gap_m = 0;
  double temp_k = 0;              // only a state of its own with the dynamic thermal model
};

struct TransientResult {
  std::vector<double> time_s, applied_volt, device_volt, current_amp, gap_m, temp_k;
  TransientState final_state;
  long steps = 0;
  long rejected_steps = 0;
  long forced_steps = 0;          // switching faster than 1e-14 x duration, taken as a jump
};

// Starts from `initial` (gap_init_m and T0 if initial.gap_m == 0).
TransientResult simulate(const Params& p, const Waveform& w, const Compliance& c, const TransientOptions& opts,
                         TransientState initial = {});

}  // namespace rramsim::device
