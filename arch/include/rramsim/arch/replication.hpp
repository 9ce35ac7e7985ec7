#pragma once
// Replication to balance ISAAC's inter-layer pipeline: a layer copied r times processes
// r output positions at once, so its time per inference is ceil(positions / r) x
// position_time. The chip's crossbar budget is shared so the slowest stage is as fast as
// possible.
#include <cstdint>
#include <vector>

namespace rramsim::arch {

struct StageDemand {
  int64_t positions = 1;       // independent output positions (the most copies that help)
  double position_time_s = 0;  // one position on one copy
  int64_t crossbars = 0;       // crossbars of one copy
};

// Copies per stage minimising the slowest stage's time with sum(copies x crossbars) <= budget.
// Precondition: budget >= sum(crossbars) (one copy of everything fits).
std::vector<int64_t> balance_replication(const std::vector<StageDemand>& stages, int64_t budget);

}  // namespace rramsim::arch
