#pragma once
// The I-V characterization: a triangular sweep 0 -> +vmax -> 0 -> -vmin -> 0, run by the
// native integrator or by ngspice, and the figures read off it.
#include <string>

#include "rramsim/device/transient.hpp"

namespace rramsim::device {

enum class Engine { native, ngspice };

struct IvOptions {
  double vmax_volt = 2.0;
  double vmin_volt = 2.0;          // magnitude of the negative peak
  double period_s = 16e-3;
  Compliance compliance;            // none by default: the published sweep
  double start_gap_m = 0;           // 0: start in the HRS (g_max), so the sweep sets first
  TransientOptions transient;
};

struct IvSummary {
  // Applied voltage at the onset of switching: where the gap has covered 10 % of its
  // change over that half of the sweep (NaN if it moves less than 1 % of the window).
  double set_volt = 0;
  double reset_volt = 0;
  double lrs_ohm = 0;              // read resistance after the positive half
  double hrs_ohm = 0;              // read resistance at the end
  double read_volt = 0;
  double final_gap_m = 0;
};

void validate(const IvOptions& o);
TransientResult run_iv(const Params& p, const IvOptions& o, Engine engine);
IvSummary summarize_iv(const Params& p, const IvOptions& o, const TransientResult& r);

// Largest deviation of two current traces on the same grid, relative to the larger of the
// two magnitudes, ignoring samples whose current is below `floor_rel` of the peak current
// and samples within `guard` samples of a switching event (an abrupt set shifted by one
// sample would otherwise dominate); see docs/device.md.
double current_max_rel_dev(const TransientResult& a, const TransientResult& b, double floor_rel = 1e-3,
                           int guard = 2);

}  // namespace rramsim::device
