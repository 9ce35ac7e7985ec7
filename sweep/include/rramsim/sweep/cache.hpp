#pragma once
// The calibration cache: tables by content hash of their resolved config, so a second
// sweep over the same device reuses them (docs/sweep.md, "Cache").
#include <filesystem>
#include <optional>

#include "rramsim/sweep/plan.hpp"

namespace rramsim::sweep {

// --cache DIR, else $RRAMSIM_CACHE_DIR, else $XDG_CACHE_HOME/rramsim, else ~/.cache/rramsim.
std::filesystem::path cache_dir(const std::optional<std::filesystem::path>& explicit_dir);

// True if the group's tables are in the cache and open cleanly.
bool cached(const CalibrationGroup& g);

// Runs the group's calibration into the cache (resuming a killed one); returns seconds.
double calibrate_group(const CalibrationGroup& g, const std::filesystem::path& base_config, int threads, bool quiet);

}  // namespace rramsim::sweep
