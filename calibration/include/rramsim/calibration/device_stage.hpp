#pragma once
// Stage 1: write-verify programming of every cell level over many devices with variation,
// giving each level's read-conductance distribution (the cells the crossbar stage draws).
#include <cstdint>
#include <functional>
#include <vector>

#include "rramsim/calibration/options.hpp"
#include "rramsim/common/h5.hpp"

namespace rramsim::calibration {

struct DeviceLevels {
  double read_volt = 0;
  std::vector<double> target_siemens, mean_siemens, std_siemens, success_fraction, mean_pulses;
  std::vector<double> quantile_probs;
  std::vector<std::vector<double>> quantiles_siemens;  // level x quantile
  std::vector<std::vector<double>> samples_siemens;    // level x device
  bool overlap_3sigma = false;
  int levels() const { return static_cast<int>(mean_siemens.size()); }
};

// on_device_done: progress hook, called from worker threads once per device.
DeviceLevels run_device_stage(const DeviceStageOptions& opts, uint64_t seed, int threads,
                              std::function<void()> on_device_done = {});
void write_device_levels(h5::Group& g, const DeviceLevels& d);
DeviceLevels read_device_levels(const h5::Group& g);

}  // namespace rramsim::calibration
