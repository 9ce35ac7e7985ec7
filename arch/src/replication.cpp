#include "rramsim/arch/replication.hpp"

#include <algorithm>
#include <cmath>

namespace rramsim::arch {

namespace {

// Fewest copies that bring a stage to within `target` seconds.
int64_t copies_for(const StageDemand& s, double target) {
  if (s.crossbars == 0 || s.position_time_s <= 0) return 1;
  double per_copy_positions = std::floor(target / s.position_time_s * (1 + 1e-12));
  if (per_copy_positions < 1) return s.positions;  // cannot reach target; most copies that help
  return std::clamp<int64_t>((s.positions + static_cast<int64_t>(per_copy_positions) - 1) /
                                 static_cast<int64_t>(per_copy_positions),
                             1, s.positions);
}

double stage_time(const StageDemand& s, int64_t copies) {
  return static_cast<double>((s.positions + copies - 1) / copies) * s.position_time_s;
}

}  // namespace

std::vector<int64_t> balance_replication(const std::vector<StageDemand>& stages, int64_t budget) {
  // Binary search on the slowest stage's time; copies_for() is monotone in the target.
  double hi = 0, lo = 0;
  for (const auto& s : stages) {
    hi = std::max(hi, stage_time(s, 1));
    lo = std::max(lo, s.position_time_s);  // no stage beats one position
  }
  auto cost = [&](double target) {
    int64_t c = 0;
    for (const auto& s : stages) c += copies_for(s, target) * s.crossbars;
    return c;
  };
  if (cost(lo) <= budget) hi = lo;
  for (int it = 0; it < 100 && hi - lo > 1e-9 * hi; ++it) {
    double mid = 0.5 * (lo + hi);
    (cost(mid) <= budget ? hi : lo) = mid;
  }
  std::vector<int64_t> copies;
  copies.reserve(stages.size());
  for (const auto& s : stages) copies.push_back(copies_for(s, hi));
  return copies;
}

}  // namespace rramsim::arch
