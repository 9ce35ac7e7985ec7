#include "rramsim/device/compliance.hpp"

#include <algorithm>
#include <cmath>

#include "rramsim/common/error.hpp"
#include "rramsim/device/model.hpp"

namespace rramsim::device {

Compliance Compliance::resistor(double ohm) {
  Compliance c;
  c.kind = ohm > 0 ? Kind::resistor : Kind::none;
  c.series_ohm = ohm;
  return c;
}

Compliance Compliance::transistor(double gate) {
  Compliance c;
  c.kind = Kind::transistor;
  c.gate_volt = gate;
  return c;
}

double Compliance::on_ohm() const { return 1.0 / (k_amp_per_volt2 * std::max(gate_volt - threshold_volt, 1e-12)); }
double Compliance::saturation_amp() const {
  double vov = std::max(gate_volt - threshold_volt, 0.0);
  return 0.5 * k_amp_per_volt2 * vov * vov;
}

double access_current_amp(const Compliance& c, double volt) {
  switch (c.kind) {
    case Compliance::Kind::none:
      return 0;  // unused: the device sees the applied voltage
    case Compliance::Kind::resistor:
      return volt / c.series_ohm;
    case Compliance::Kind::transistor: {
      double vov = std::max(c.gate_volt - c.threshold_volt, 0.0);
      double u = std::abs(volt);
      double i = u < vov ? c.k_amp_per_volt2 * (vov * u - 0.5 * u * u) : 0.5 * c.k_amp_per_volt2 * vov * vov;
      return std::copysign(i * (1.0 + c.lambda_per_volt * u), volt);
    }
  }
  return 0;
}

double solve_device_volt(const Params& p, const Compliance& c, double va, double gap_m) {
  if (c.kind == Compliance::Kind::none || va == 0.0) return va;
  // x: voltage across the access element. f(x) = I_dev(va - x) - I_acc(x) decreases
  // monotonically from f(0) to f(va), so the root is bracketed; Newton with bisection.
  double lo = std::min(0.0, va), hi = std::max(0.0, va);
  auto f = [&](double x) { return current_amp(p, va - x, gap_m) - access_current_amp(c, x); };
  double x = 0.5 * (lo + hi);
  for (int it = 0; it < 200; ++it) {
    double fx = f(x);
    if (fx == 0) break;
    // f decreasing: f > 0 means the root lies above x.
    if (fx > 0) lo = x; else hi = x;
    double h = 1e-7 * std::max(std::abs(va), 1e-3);
    double dfdx = (f(x + h) - fx) / h;
    double next = dfdx < 0 ? x - fx / dfdx : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - x) <= 1e-14 * std::abs(va) + 1e-18 || hi - lo <= 1e-15 * std::abs(va)) {
      x = next;
      break;
    }
    x = next;
  }
  return va - x;
}

void validate(const Compliance& c) {
  for (double v : {c.series_ohm, c.gate_volt, c.threshold_volt, c.k_amp_per_volt2, c.lambda_per_volt})
    if (!std::isfinite(v)) throw InputError("compliance: every value must be a finite number");
  if (c.series_ohm < 0) throw InputError("compliance: series resistance must be >= 0 ohm");
  if (c.kind == Compliance::Kind::resistor && c.series_ohm <= 0)
    throw InputError("compliance: a series resistor needs a resistance > 0 ohm");
  if (c.kind == Compliance::Kind::transistor) {
    if (c.gate_volt <= c.threshold_volt) throw InputError("compliance: gate voltage must exceed the threshold voltage");
    if (c.k_amp_per_volt2 <= 0 || c.lambda_per_volt < 0)
      throw InputError("compliance: transistor k must be > 0 and lambda >= 0");
  }
}

}  // namespace rramsim::device
