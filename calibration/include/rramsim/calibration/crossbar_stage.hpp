#pragma once
// Stage 2: real column currents of programmed crossbars against the ideal partial sums.
//
// One work unit = one array (wire resistance, level mix, array index): cells drawn from the
// write-verify level distributions, programmed once, then solved for inputs_per_count random
// binary inputs at each active-row count (the batch path: factor once, solve many). The
// ideal partial sum of column j is s = sum_i x_i level_ij (integer, one unit per level step).
#include <cstdint>
#include <string>
#include <vector>

#include "rramsim/calibration/device_stage.hpp"
#include "rramsim/calibration/options.hpp"
#include "rramsim/circuit/crossbar.hpp"
#include "rramsim/common/h5.hpp"

namespace rramsim::calibration {

struct CrossbarUnitKey {
  int wire = 0, mix = 0, array = 0;
};
// All units, ordered by wire, then mix, then array.
std::vector<CrossbarUnitKey> crossbar_units(const CrossbarStageOptions& x);

struct UnitSamples {
  int batch = 0, cols = 0;
  std::vector<int64_t> active_idx;  // batch: index into active_rows
  std::vector<int64_t> psum;        // batch x cols: ideal partial sum
  std::vector<double> current_amp;  // batch x cols: real column current
  std::vector<double> ideal_amp;    // batch x cols: same cells, ideal wires (G^T v)
  // Supply power of the first power_inputs_per_count inputs of each active-row count, from
  // their node voltages: cells, wires (with driver and sense resistances), and the ideal
  // power of the same input and cells with ideal wires (V^2 sum G over the active rows).
  std::vector<int64_t> power_active_idx;
  std::vector<double> power_cell_watt, power_wire_watt, power_ideal_watt;
  std::string engine;
};

circuit::CrossbarSpec crossbar_spec(const CalibrationOptions& o, double wire_ohm, int rows, int cols);
// The bulk engine for one wire resistance: "ideal" when every parasitic is zero (exact then).
std::string bulk_engine(const CalibrationOptions& o, double wire_ohm);

// Power dissipated in the cells and in the wires (driver and sense resistances included) of
// one read, from its node voltages (rows x cols word- and bit-line grids); `cell_siemens` is
// each cell's conductance between its word- and bit-line nodes (nonlinear cells: at
// read_volt, an approximation below it). Their sum is the power the row drivers deliver.
struct ReadPower {
  double cell_watt = 0, wire_watt = 0, ideal_watt = 0;
};
ReadPower read_power(const circuit::CrossbarSpec& spec, const Eigen::MatrixXd& cell_siemens,
                     const Eigen::VectorXd& row_volt, const Eigen::MatrixXd& wordline_volt,
                     const Eigen::MatrixXd& bitline_volt);

UnitSamples run_crossbar_unit(const CalibrationOptions& o, const DeviceLevels& d, const CrossbarUnitKey& k,
                              uint64_t seed);
void write_unit_samples(h5::Group& g, const UnitSamples& u);
UnitSamples read_unit_samples(const h5::Group& g);

// Per-key statistics of the real current, key = (wire, active rows, column bucket, mix, psum).
struct CurrentStats {
  int W = 0, A = 0, C = 0, M = 0, P = 0, Q = 0;
  std::vector<int64_t> count;       // W x A x C x M x P
  std::vector<double> mean_amp, std_amp, ir_ratio_mean;  // same shape
  std::vector<double> quantiles_amp;                     // ... x Q
  std::vector<double> ir_ratio_pooled;                   // W x A: sum of real / sum of ideal current
  // Read power, W x A: mean over the sampled reads of the whole array (schema 3).
  std::vector<double> power_cell_watt, power_wire_watt, power_ideal_watt;
  std::vector<int64_t> power_samples;
  size_t index(int w, int a, int c, int m, int p) const {
    return ((((static_cast<size_t>(w) * A + a) * C + c) * M + m) * P) + p;
  }
};
int column_bucket(int col, int cols, int buckets);
CurrentStats aggregate_currents(const CalibrationOptions& o, int levels, const std::vector<CrossbarUnitKey>& keys,
                                const std::vector<UnitSamples>& samples);
void write_current_stats(h5::Group& g, const CalibrationOptions& o, int levels, const CurrentStats& s);

// The SPICE check of one wire resistance: a check_rows x check_cols array solved by the
// bulk engine and the reference engine for check_inputs random inputs.
struct EngineCheck {
  double wire_ohm = 0, max_rel_diff = 0, rms_rel_diff = 0, max_abs_diff_amp = 0, seconds = 0;
  std::string bulk, reference;
};
EngineCheck run_engine_check(const CalibrationOptions& o, const DeviceLevels& d, double wire_ohm, uint64_t seed);

}  // namespace rramsim::calibration
