#pragma once
// The scheme comparison behind `rramsim evaluate --scheme`: each scheme measured
// bit-accurately on a network (study.hpp), carried into the architecture model and put side
// by side with ISAAC and a second reference design (docs/schemes.md).
//
//   CompareOptions o;
//   o.arch = "isaac";
//   o.network = "lenet5";
//   o.schemes = {"all"};
//   Comparison c = compare(o);
//   std::cout << to_text(c);      // or to_json(c).dump(2)
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rramsim/arch/evaluate.hpp"
#include "rramsim/schemes/study.hpp"

namespace rramsim::schemes {

struct CompareOptions {
  std::string arch = "isaac";            // hardware the schemes run on
  std::string network = "lenet5";
  std::vector<std::string> schemes;      // names, files or comma lists; "all" = the four named ones
  std::string tables;                    // calibration tables (.h5); empty: ideal quantizer
  std::optional<double> wire_ohm;        // wire value of the tables to use (on their grid); empty: their nominal one
  // Crossbar read energy (arch::EvaluateOptions::read_energy); empty: circuit with tables, table without.
  std::optional<arch::ReadEnergy> read_energy;
  std::string adc_model = "isaac-survey";
  std::optional<int> adc_bits;           // ADC resolution of every layer of the reference designs
  std::filesystem::path weights;         // trained weights; empty: synthetic statistics
  std::string data;                      // labelled data: mnist, fashion-mnist, a folder; empty: the weights'
  int images = 1000;
  int calibration_images = 200;
  std::string compare_arch = "prime";    // second reference design
  double read_pulse_ns = 100;            // ISAAC's read cycle
  uint64_t seed = 1;
  bool power_gating = false;             // unused tiles draw no always-on power (arch::EvaluateOptions)
  // Iso-accuracy baseline (trained networks): ISAAC at these static precisions (weights and
  // activations), largest first; the walk stops below the least accurate scheme.
  std::vector<int> static_bits = {16, 8, 6, 5, 4, 3};
  ProgressCallback progress;             // optional: long stages report through it
};

// ISAAC at one static precision, measured bit-accurately (the iso-accuracy candidates).
struct StaticPoint {
  int bits = 16;
  double accuracy = 0;
  arch::Report report;
};

// One design of the comparison: a reference design (no study) or a scheme.
struct ComparisonRow {
  std::string design, hardware;
  arch::Report report;
  int study = -1;                        // index into Comparison::studies, -1 for a reference
  std::optional<double> accuracy;        // a reference design's own bit-accurate accuracy
  int iso_point = -1;                    // index into Comparison::static_points (iso-accuracy baseline)
  bool published = false;                // figures from a publication, not modelled
  double published_vs_isaac[3] = {0, 0, 0};  // throughput, energy efficiency, area efficiency
};

struct Comparison {
  std::string network;
  std::string hardware;                  // of the schemes
  std::string tables;                    // "" : ideal quantizer
  std::string adc_model;
  std::vector<ComparisonRow> rows;       // ISAAC, the second design, then one per scheme
  std::vector<StudyReport> studies;      // one per scheme, in order
  std::vector<arch::EvaluateOptions> scheme_options;  // the overrides each scheme produced
  std::vector<StaticPoint> static_points;  // ISAAC at static precisions (trained networks only)
  std::string reference_study_note;        // how the second design's accuracy was measured
  std::vector<double> read_energy_from_levels_j;  // per scheme: V^2 G t over the active cells, per read
  double read_energy_table_j = 0;          // the hardware's crossbar energy per read (ISAAC: Table I)
};

// InputError for unknown schemes, hardware or networks, a scheme whose geometry the
// hardware does not have, or tables whose rows, bits per cell or read voltage differ from
// the hardware or a scheme (naming both values), or a wire value not on the tables' grid.
Comparison compare(const CompareOptions& options);

std::string to_text(const Comparison& c);
// One object, the same layout for one scheme or many: `network`, `nonideality`,
// `comparison` (one entry per row, a scheme's with its keys and `report`, its whole
// architecture report), `iso_accuracy_candidates`.
nlohmann::json to_json(const Comparison& c);

}  // namespace rramsim::schemes
