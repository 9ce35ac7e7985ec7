#pragma once
// Device-to-device variation: each device's parameters drawn from the nominal set.
#include <cstdint>

#include "rramsim/device/params.hpp"

namespace rramsim::device {

// Multiplies i0, vel0 and gap_min by lognormal factors of relative sigma
// d2d_sigma_rel_* (median 1), keeping gap_min below gap_max. Deterministic in `seed`.
Params draw_device(const Params& nominal, uint64_t seed);

// A well-mixed seed for (base, a, b, c): independent streams per device, level, pulse.
uint64_t mix_seed(uint64_t base, uint64_t a, uint64_t b = 0, uint64_t c = 0);

}  // namespace rramsim::device
