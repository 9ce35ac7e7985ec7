#pragma once
// A scheme: how signed weights and activations become cell levels and input bits, how the
// ADC is sized, and whether subword computations are skipped at run time (dynamic
// quantization). Everything the bit-accurate datapath and the architecture model need.
//
//   SchemeOptions s = resolve_scheme("encoding+adc");          // data/schemes/<name>.toml
//   SchemeOptions c = resolve_scheme("baseline,invert,dynamic=6");  // custom combination
//
// Names and the comma-list grammar are documented in docs/schemes.md.
#include <filesystem>
#include <string>
#include <vector>

namespace rramsim {
class Config;
}

namespace rramsim::schemes {

enum class WeightEncoding {
  biased,        // ISAAC: w + 2^(b-1) stored as non-negative cells, bias removed digitally
  differential,  // sign-magnitude: |w| in a positive or a negative column of a pair
};

// What the ADC keeps of a partial sum.
enum class AdcMode {
  clip,   // the low `adc_bits` bits; larger sums saturate at 2^bits - 1 (ISAAC's SAR ADC)
  shift,  // the top `adc_bits` bits of the worst-case range: psum with its low bits dropped
          // (PRIME's precision-controlled sense amplifier)
};

inline constexpr int kUnboundedWindow = 1 << 20;  // dynamic window that never skips
// Clipping budgets tried, largest (fewest bits) first, by the accuracy-loss criterion.
inline constexpr double kAdcEpsilonLadder[] = {0.3, 0.1, 0.03, 0.01, 3e-3, 1e-3, 3e-4, 1e-4, 0.0};

struct SchemeOptions {
  std::string name = "baseline";
  std::string description;
  int weight_bits = 16;        // signed weights, symmetric range +-(2^(b-1)-1)
  int activation_bits = 16;    // unsigned (ReLU) activations; signed: sign + (b-1)-bit magnitude
  int bits_per_cell = 2;
  int dac_bits = 1;            // input bits applied per crossbar read
  int rows = 128;              // crossbar rows: K is cut into chunks of this many
  int cols = 128;              // crossbar data columns: outputs x slices share one crossbar's reads
  // Geometry (rows, cols, bits_per_cell, dac_bits) set by the scheme itself; otherwise a
  // comparison takes it from the hardware (compare.hpp).
  bool geometry_explicit = false;
  WeightEncoding weight_encoding = WeightEncoding::biased;
  bool column_flip = true;     // ISAAC: store a column complemented when its cells are high
  bool input_inversion = false;  // feed a bit-plane's complement when over half its bits are 1
  int adc_bits = 8;            // 0: ideal full-resolution ADC (never clips)
  AdcMode adc_mode = AdcMode::clip;
  bool adc_optimize = false;   // size the ADC per (layer, input bit, weight slice)
  double adc_clip_epsilon = 1e-4;  // ... to the fewest bits clipping at most this often
  // > 0: instead pick epsilon from kAdcEpsilonLadder, the largest whose bit-accurate accuracy
  // on the sizing images is within this (absolute fraction) of an ideal ADC's. 0: off.
  double adc_accuracy_delta = 0;
  bool dynamic_quantization = false;
  int window_bits = kUnboundedWindow;  // skip subwords this far below the leading one

  // Derived geometry.
  int weight_slices() const;   // cells per weight per column group
  int input_slices() const;    // crossbar reads per input (bit-serial cycles)
  int polarities() const { return weight_encoding == WeightEncoding::differential ? 2 : 1; }
  int max_cell_level() const { return (1 << bits_per_cell) - 1; }
  int max_input_level() const { return (1 << dac_bits) - 1; }
  // Largest partial sum a full column can produce under this encoding (ADC worst case).
  int worst_case_psum() const;
  // Bits an ADC needs to never clip that worst case.
  int worst_case_adc_bits() const;
  // Outputs whose columns (polarities x slices) share one crossbar, hence its reads.
  int outputs_per_crossbar() const;
  // shift mode: low bits the ADC drops (worst-case bits - adc_bits, at least 0).
  int adc_shift() const;
  // Extra crossbar columns per crossbar (ISAAC's unit column for the flip correction).
  int extra_columns_per_crossbar() const { return column_flip ? 1 : 0; }

  // InputError naming the offending parameter.
  void validate() const;
  // One line, e.g. "biased+flip, 8-bit ADC, 16b/16b, 2 b/cell, 1-bit DAC, 128 rows".
  std::string summary() const;
};

// Reads the keys of a scheme TOML table on top of `base` (unknown keys are the caller's to
// reject through ConfigDoc::reject_unknown_keys()).
SchemeOptions scheme_from_config(const Config& cfg, SchemeOptions base);

// The directory of named schemes shipped in data/schemes/.
std::filesystem::path default_schemes_dir();
// Named schemes available in `dir` (file stems of *.toml).
std::vector<std::string> scheme_names(const std::filesystem::path& dir = default_schemes_dir());

// A scheme from a name in `dir`, a path to a .toml file, or a comma list of components
// applied on top of the baseline (a component is a scheme name or one of: biased,
// differential, flip, noflip, invert, noinvert, adc=N|ideal, adc-opt[=EPS],
// adc-delta=D, dynamic=W|unbounded, nodynamic, wbits=N, abits=N, cell=N, dac=N, rows=N).
// InputError naming the bad component and listing what is known.
SchemeOptions resolve_scheme(const std::string& spec,
                             const std::filesystem::path& dir = default_schemes_dir());

}  // namespace rramsim::schemes
