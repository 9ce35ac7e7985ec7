#pragma once
// Write-verify programming of multi-level cells: incremental set/reset pulses with a
// read-back after each, until the read conductance is within tolerance of the target or
// the pulse budget runs out. Run over many devices with device-to-device and
// cycle-to-cycle variation, it gives each level's achieved conductance distribution.
#include <cstdint>
#include <functional>
#include <vector>

#include "rramsim/device/compliance.hpp"
#include "rramsim/device/params.hpp"

namespace rramsim::device {

// The default access transistor for programming: k = 10 mA/V^2 (a wide device, so the
// compliance current reaches the LRS levels of the Stanford set at gate voltages < 2 V).
Compliance wide_access_transistor();

struct WriteVerifyOptions {
  int levels = 4;               // 2 bits per cell
  int devices = 1000;
  uint64_t seed = 1;
  double tolerance_rel = 0.05;  // |G - target| <= tolerance_rel * target counts as success
  int max_pulses = 300;
  int threads = 0;              // 0: all cores; results do not depend on it
  // Targets: evenly spaced in conductance between these read conductances of the nominal
  // device (0: 2 x its HRS and 0.5 x its LRS conductance).
  double min_target_siemens = 0;
  double max_target_siemens = 0;
  // Pulses. Set: fixed amplitude through a 1T1R access transistor whose gate voltage
  // steps up (it sets the compliance current). Reset: amplitude steps up, gate fully on.
  // On every change of direction both steps halve (the adaptive part).
  double pulse_width_s = 100e-9;
  double pulse_edge_s = 10e-9;
  double set_volt = 2.0;
  double set_gate_start_volt = 0.6;
  double set_gate_step_volt = 0.05;
  double reset_start_volt = 1.0;
  double reset_step_volt = 0.02;
  double reset_gate_volt = 2.5;
  double max_volt = 3.0;
  bool noise = true;            // cycle-to-cycle variation during pulses
  Compliance transistor = wide_access_transistor();  // k, Vth, lambda of the access device
  std::function<void()> on_device_done;  // progress hook, called from worker threads
};

struct LevelResult {
  double target_siemens = 0;
  double mean_siemens = 0;
  double std_siemens = 0;
  std::vector<double> quantiles_siemens;   // at WriteVerifyReport::quantile_probs
  std::vector<double> samples_siemens;     // one per device
  double success_fraction = 0;
  double mean_pulses = 0;
  int failures = 0;
};

struct WriteVerifyReport {
  std::vector<double> quantile_probs = {0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999};
  std::vector<LevelResult> levels;   // increasing conductance: level 0 = HRS side
  bool levels_overlap_3sigma = false;
  double seconds = 0;
};

// Programs one device (parameters already drawn) to `target_siemens` from its current gap;
// returns the pulses used (> max_pulses: failed) and updates gap_m.
struct ProgramResult {
  double siemens = 0;
  int pulses = 0;
  bool success = false;
};
ProgramResult program_device(const Params& device, double target_siemens, double& gap_m,
                             const WriteVerifyOptions& opts, uint64_t seed);

WriteVerifyReport write_verify(const Params& p, const WriteVerifyOptions& opts);

// The pulse scheme suited to a parameter set: the defaults above suit the Stanford set; the
// ASU (two-term) set switches more slowly and needs 2.5 V set pulses, resets from 1.4 V in
// 50 mV steps and a narrow access transistor (k = 1 mA/V^2, gate from 0.42 V in 10 mV steps).
WriteVerifyOptions pulse_scheme_for(const Params& p, WriteVerifyOptions base = {});

}  // namespace rramsim::device
