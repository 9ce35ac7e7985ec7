#include "rramsim/device/variation.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace rramsim::device {

uint64_t mix_seed(uint64_t base, uint64_t a, uint64_t b, uint64_t c) {
  // splitmix64 over the tuple
  auto mix = [](uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  return mix(mix(mix(mix(base) ^ a) ^ b) ^ c);
}

Params draw_device(const Params& nominal, uint64_t seed) {
  Params d = nominal;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n(0.0, 1.0);
  // sigma of ln(x) chosen so that the relative standard deviation is sigma_rel.
  auto factor = [&](double sigma_rel) {
    double z = n(rng);
    if (sigma_rel <= 0) return 1.0;
    double s = std::sqrt(std::log1p(sigma_rel * sigma_rel));
    return std::exp(s * z);
  };
  d.i0_amp *= factor(nominal.d2d_sigma_rel_i0);
  d.vel0_m_per_s *= factor(nominal.d2d_sigma_rel_vel0);
  d.gap_min_m = std::min(nominal.gap_min_m * factor(nominal.d2d_sigma_rel_gap_min),
                         nominal.gap_max_m - 4 * nominal.window_width_m);
  d.gap_init_m = std::clamp(d.gap_init_m, d.gap_min_m, d.gap_max_m);
  d.d2d_sigma_rel_i0 = d.d2d_sigma_rel_gap_min = d.d2d_sigma_rel_vel0 = 0;
  return d;
}

}  // namespace rramsim::device
