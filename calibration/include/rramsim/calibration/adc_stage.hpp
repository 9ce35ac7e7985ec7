#pragma once
// Stage 3: ADC reference thresholds placed from the calibrated currents, the error table
// P(code | ideal partial sum) under the calibrated nonideality, and the ADC's cost.
//
// The converted current is the column current minus n_active x read_volt x mean G(level 0)
// (the HRS offset, known digitally from the input popcount n). Calibrated: the ADC reference
// is set per (array, n, column bucket), after programming, from the mean converted current
// at each partial sum (made non-decreasing), with thresholds midway between adjacent means.
// The periphery knows n (it subtracts the offset with it); the current at a given partial
// sum depends on n (the wires attenuate the HRS cells too; the IR drop grows with the line
// currents) and on the array's weights (the word-line load): a curve pooled over n and
// arrays changes composition along the partial sum and is not monotone. Thresholds are shared by
// every resolution: a b-bit ADC uses the first 2^b - 1 of them and clips above.
#include <vector>

#include "rramsim/calibration/adc_cost.hpp"
#include "rramsim/calibration/crossbar_stage.hpp"
#include "rramsim/calibration/device_stage.hpp"
#include "rramsim/calibration/options.hpp"
#include "rramsim/common/h5.hpp"

namespace rramsim::calibration {

struct AdcTables {
  std::vector<int> bits;
  std::vector<AdcCost> costs;
  std::string cost_model, cost_source;
  int wires = 0;
  int active_keys = 0;     // active-row counts + 1 (the last key pools all counts)
  int column_buckets = 0;
  int psums = 0;           // partial sums 0..psums-1
  int thresholds = 0;      // 2^(largest bits) - 1, shared by every resolution
  int arrays_per_wire = 0; // crossbar units per wire resistance
  double lsb_amp = 0, offset_amp_per_row = 0;
  // Flat indices of the tables below.
  std::size_t refs_per_wire() const {
    return static_cast<std::size_t>(arrays_per_wire) * (active_keys - 1) * column_buckets;
  }
  // Reference of (array, active-row count index, column bucket) within one wire.
  std::size_t ref(int array, int active, int bucket) const {
    return (static_cast<std::size_t>(array) * (active_keys - 1) + active) * column_buckets + bucket;
  }
  std::size_t wire_psum(int wire, int psum) const { return static_cast<std::size_t>(wire) * psums + psum; }
  std::size_t wire_key_psum(int wire, int key, int psum) const {
    return (static_cast<std::size_t>(wire) * active_keys + key) * psums + psum;
  }
  // The reference per (wire, array, active-row count, column bucket), W x U x A x C x ...;
  // converted currents (HRS offset subtracted). Threshold k sits midway between the means
  // at k - 1 and k.
  std::vector<double> calibrated_mean_amp; // ... x P: the fitted reference mean current
  std::vector<double> reference_gain_amp;  // mean slope of the reference (the calibrated LSB)
  std::vector<double> residual_rms_lsb;    // rms of current - reference, in calibrated LSB
  std::vector<double> psum_weight;         // W x P: frequency of each partial sum (all samples)
  std::vector<int64_t> source;             // W x K x P: 0 keyed samples, 1 pooled samples, 2 Gaussian
  std::vector<std::vector<double>> prob;   // per bits: W x K x P x codes[b]
  std::vector<int> codes;                  // stored code-axis length per bits (<= 2^b, rest zero)
  std::vector<double> error_rate;          // bits x W
  std::vector<double> mean_abs_error_lsb;  // bits x W
};

AdcTables run_adc_stage(const CalibrationOptions& o, const DeviceLevels& d, const std::vector<CrossbarUnitKey>& keys,
                        const std::vector<UnitSamples>& samples);
void write_adc_tables(h5::Group& g, const CalibrationOptions& o, const AdcTables& t);

}  // namespace rramsim::calibration
