#include <algorithm>

#include "rramsim/device/transient.hpp"

namespace rramsim::device {

double Waveform::at(double t) const {
  if (time_s.empty()) return 0;
  if (t <= time_s.front()) return volt.front();
  if (t >= time_s.back()) return volt.back();
  auto it = std::upper_bound(time_s.begin(), time_s.end(), t);
  size_t i = static_cast<size_t>(it - time_s.begin());
  double f = (t - time_s[i - 1]) / (time_s[i] - time_s[i - 1]);
  return volt[i - 1] + f * (volt[i] - volt[i - 1]);
}

Waveform Waveform::triangle(double vmax, double vmin, double period) {
  return {{0, 0.25 * period, 0.5 * period, 0.75 * period, period}, {0, vmax, 0, -vmin, 0}};
}

Waveform Waveform::pulse(double amplitude, double width, double edge) {
  return {{0, edge, edge + width, 2 * edge + width}, {0, amplitude, amplitude, 0}};
}

}  // namespace rramsim::device
