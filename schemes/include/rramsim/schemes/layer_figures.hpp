#pragma once
// What a scheme does to one layer, from the datapath statistics: ones densities, active
// rows, partial-sum distribution, ADC bits needed, crossbar read energy, subwords skipped;
// and the ADC-resolution optimization that turns a partial-sum distribution into bits.
#include <optional>
#include <string>
#include <vector>

#include "rramsim/schemes/bit_accurate_hook.hpp"

namespace rramsim::schemes {

// Crossbar read energy of one subword: sum over active rows of V^2 G(level) t.
struct ReadEnergyModel {
  std::vector<double> level_siemens;  // mean conductance per cell level (calibration tables)
  double read_volt = 0;
  double read_pulse_s = 0;
  std::string source;                 // where the conductances come from
};

struct LayerFigures {
  std::string name;
  int layer_index = 0;
  double cell_ones_density = 0;     // fraction of stored cell bits that are 1
  double cell_level_mean = 0;       // mean stored level / top level
  double input_ones_density = 0;    // fraction of fed input bits that are 1
  double mean_active_rows = 0;      // per performed subword computation
  uint64_t nominal_subwords = 0, computed_subwords = 0;
  double subword_fraction = 1;      // computed / nominal
  double skipped_zero_input = 0, skipped_zero_weight = 0, skipped_dynamic = 0;  // of nominal
  double clip_rate = 0;             // clipped / computed
  // Crossbar reads (position, row chunk, crossbar, input plane), as fractions of nominal.
  uint64_t reads_nominal = 0, reads_issued = 0;
  double read_fraction = 1;         // issued / nominal
  double zero_plane_fraction = 0;   // all-zero input plane (a baseline could skip these too)
  double window_fraction = 0;       // every column of the crossbar below the dynamic window
  std::vector<double> read_conversions;  // [n]: issued reads with n conversions / nominal reads
  int max_psum_seen = 0;
  int adc_bits_worst_case = 0;      // the encoding's guarantee
  int adc_bits_observed = 0;        // to hold the largest partial sum seen
  double mean_adc_bits = 0;         // conversion-weighted bits of the ADC plan used
  double read_energy_j = 0;         // crossbar read energy of the computed subwords (if a model)
  double read_energy_per_subword_j = 0;
  double level_weighted_reads = 0;  // sum of active-cell levels (proxy without a model)
};

LayerFigures layer_figures(const SchemeOptions& s, const LayerStats& l, const ReadEnergyModel* energy);

// Partial-sum histogram of one (input slice, weight slice) as probabilities 0..max_psum.
std::vector<double> psum_distribution(const SubwordStats& st, int input_slice, int weight_slice);

// Fewest bits (>= min_bits) whose full scale 2^b - 1 is exceeded by at most `epsilon` of the
// partial sums of each (input slice, weight slice); slices never observed get min_bits.
AdcPlan optimize_adc_plan(const SchemeOptions& s, const SubwordStats& st, double epsilon, int min_bits = 1);

}  // namespace rramsim::schemes
