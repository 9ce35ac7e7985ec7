#pragma once
// Current compliance during programming: nothing, a series resistor, or a 1T1R access
// transistor. The device and its access element form one series loop, solved at every
// evaluation of the model for the voltage across the device.
#include "rramsim/device/params.hpp"

namespace rramsim::device {

struct Compliance {
  enum class Kind { none, resistor, transistor };
  Kind kind = Kind::none;
  double series_ohm = 0;
  // Access transistor, square law, symmetric in drain and source (no body effect):
  // on-resistance 1/(k (Vg - Vth)), saturation current k (Vg - Vth)^2 / 2.
  double gate_volt = 1.2;
  double threshold_volt = 0.4;
  double k_amp_per_volt2 = 2e-3;
  double lambda_per_volt = 0.05;   // channel-length modulation keeps saturation monotone

  static Compliance resistor(double ohm);
  static Compliance transistor(double gate_volt);
  double on_ohm() const;
  double saturation_amp() const;
};

// Current through the access element at `volt` across it (odd in volt).
double access_current_amp(const Compliance& c, double volt);
// Voltage across the device when `applied_volt` drives device + access element in series.
double solve_device_volt(const Params& p, const Compliance& c, double applied_volt, double gap_m);
// Throws InputError for a negative resistance, a non-finite value or a gate below threshold.
void validate(const Compliance& c);

}  // namespace rramsim::device
