#pragma once
// A scheme measured on a network: bit-accurate inference on real test images when trained
// weights exist, otherwise on synthetic layer data; per-layer figures, accuracy, and the
// per-layer overrides that carry the scheme into the architecture model (evaluate.hpp).
//
//   StudyOptions o{.scheme = resolve_scheme("full"), .network = "lenet5",
//                  .weights = "data/weights/lenet5-mnist.h5"};
//   StudyReport r = run_study(o);
//   EvaluateOptions e = evaluate_options(r, &baseline_report);
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rramsim/arch/evaluate.hpp"
#include "rramsim/schemes/layer_figures.hpp"

namespace rramsim::schemes {

// Progress of a long stage: called with done = 0 when it starts, after each step, and once
// with finished = true. The library never writes to the terminal; a command line turns
// these into a progress display.
struct ProgressEvent {
  std::string stage;
  std::size_t done = 0, total = 0;
  bool finished = false;
};
using ProgressCallback = std::function<void(const ProgressEvent&)>;

struct StudyOptions {
  SchemeOptions scheme;
  std::string network = "lenet5";         // name in data/networks or a .toml path
  std::filesystem::path weights;          // trained weights; empty: synthetic statistics
  std::string dataset;                    // empty: the one recorded in the weights file
  int images = 1000;                      // test images for accuracy (0: the whole test set)
  int calibration_images = 200;           // training images for activation ranges and ADC sizing
  const CalibratedAdc* adc = nullptr;     // calibrated nonideality, or an ideal quantizer
  std::optional<ReadEnergyModel> read_energy;
  // Synthetic statistics (no weights): sampled output positions and outputs per layer.
  int synthetic_positions = 32;
  int synthetic_outputs = 64;
  uint64_t seed = 1;
  ProgressCallback progress;              // optional
};

// The accuracy-loss ADC criterion's search (SchemeOptions::adc_accuracy_delta).
struct AdcEpsilonSearch {
  double delta = 0;
  double epsilon = 0;          // the clipping budget chosen
  double accuracy = 0;         // bit-accurate accuracy on the sizing images with it
  double ideal_accuracy = 0;   // the same scheme with an ideal full-resolution ADC
  int images = 0;              // sizing (training) images
  std::vector<std::pair<double, double>> tried;  // (epsilon, accuracy), largest epsilon first
};

struct StudyReport {
  SchemeOptions scheme;
  std::string network;
  std::string statistics;                 // how the weights and activations were obtained
  std::optional<double> accuracy;         // bit-accurate, on `images` labelled test images
  std::optional<double> float_accuracy;   // the float model on the same images
  int images = 0;
  std::vector<LayerFigures> layers;
  std::vector<LayerStats> stats;          // raw statistics (partial-sum histograms)
  std::map<int, AdcPlan> adc_plans;       // by layer index, when the ADC was optimized
  std::optional<AdcEpsilonSearch> adc_epsilon_search;  // when sized by accuracy loss
  uint64_t nominal_subwords = 0, computed_subwords = 0;
  double subwords_skipped_fraction = 0;   // dynamic schemes: 1 - computed / nominal; else 0
  double seconds = 0;
};

StudyReport run_study(const StudyOptions& options);

// The scheme's effect per layer as the architecture model's overrides. `baseline` (the
// same network under the baseline scheme) gives the reference read energy per subword;
// without it the read-energy scale stays 1.
arch::EvaluateOptions evaluate_options(const StudyReport& report, const StudyReport* baseline);

}  // namespace rramsim::schemes
