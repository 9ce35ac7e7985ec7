#include "rramsim/schemes/study.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <iterator>
#include <random>

#include "rramsim/workload/network.hpp"
#include "rramsim/workload/onnx.hpp"
#include "rramsim/nn/dataset.hpp"
#include "rramsim/nn/from_network.hpp"
#include "rramsim/nn/weights.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::schemes {

using arch::EvaluateOptions;
using workload::Layer;
using workload::Network;

namespace {

// Reports one stage's progress through the optional callback.
class StageProgress {
 public:
  StageProgress(const ProgressCallback& cb, std::string stage, size_t total) : cb_(cb), ev_{std::move(stage), 0, total} {
    if (cb_) cb_(ev_);
  }
  void advance(size_t n = 1) {
    ev_.done += n;
    if (cb_) cb_(ev_);
  }
  void finish() {
    ev_.finished = true;
    if (cb_) cb_(ev_);
  }

 private:
  const ProgressCallback& cb_;
  ProgressEvent ev_;
};

// Float products that remember each layer's largest |input|: the static per-layer
// activation full scale, fixed ahead of inference like a deployed accelerator's.
class RangeRecorder : public nn::MacHook {
 public:
  nn::Matrix compute(const nn::MacCall& c) override {
    double m = c.inputs.size() ? double(c.inputs.cwiseAbs().maxCoeff()) : 0.0;
    double& r = full_scale[c.layer_index];
    r = std::max(r, m);
    return c.weights * c.inputs;
  }
  std::map<int, double> full_scale;
};

void finish(StudyReport& r, const BitAccurateHook& hook, const StudyOptions& o) {
  r.stats = hook.layers();
  for (const LayerStats& l : r.stats) {
    r.layers.push_back(layer_figures(r.scheme, l, o.read_energy ? &*o.read_energy : nullptr));
    r.nominal_subwords += l.stats.nominal;
    r.computed_subwords += l.stats.computed;
  }
  // Only dynamic quantization skips reads in the hardware; without it the simulator's zero
  // planes are still read and converted (they just produce zero).
  r.subwords_skipped_fraction = r.scheme.dynamic_quantization && r.nominal_subwords
                                    ? 1.0 - double(r.computed_subwords) / double(r.nominal_subwords)
                                    : 0.0;
}

// ADC sizing pass: the same data through an ideal full-resolution ADC; its partial-sum
// statistics give, per (layer, input slice, weight slice), the fewest bits clipping at most
// epsilon of the partial sums (plans_for).
template <class RunFn>
std::vector<LayerStats> sizing_stats(const SchemeOptions& scheme, const std::map<int, double>& full_scale, RunFn run) {
  SchemeOptions ideal = scheme;
  ideal.adc_bits = 0;
  ideal.dynamic_quantization = false;
  HookOptions ho;
  ho.scheme = ideal;
  ho.activation_full_scale = full_scale;
  BitAccurateHook sizing(ho);
  run(sizing);
  return sizing.layers();
}

std::map<int, AdcPlan> plans_for(const SchemeOptions& scheme, const std::vector<LayerStats>& stats, double epsilon) {
  std::map<int, AdcPlan> plans;
  for (const LayerStats& l : stats) plans[l.layer_index] = optimize_adc_plan(scheme, l.stats, epsilon);
  return plans;
}

// Accuracy of the bit-accurate datapath configured by `ho` on labelled images.
double bit_accurate_accuracy(const nn::Model& model, const nn::Dataset& d, const HookOptions& ho) {
  BitAccurateHook hook(ho);
  std::vector<int> pred = model.predict(d.images, &hook);
  int correct = 0;
  for (int i = 0; i < d.size(); ++i) correct += pred[i] == d.labels[i];
  return d.size() ? double(correct) / d.size() : 0.0;
}

// The accuracy-loss criterion: the reference is the same scheme with an ideal full-resolution
// ADC (same nonideality and seed); walking the ladder from the largest budget, the first
// within delta of it wins. The last rung (0) holds every partial sum seen while sizing, so
// its loss on these images is only the calibrated ADC's; if even that misses delta, 0 stays.
AdcEpsilonSearch search_epsilon(const StudyOptions& o, const nn::Model& model, const nn::Dataset& calib,
                                const std::vector<LayerStats>& stats, const HookOptions& base) {
  AdcEpsilonSearch s;
  s.delta = o.scheme.adc_accuracy_delta;
  s.images = calib.size();
  HookOptions ideal = base;
  ideal.scheme.adc_bits = 0;
  ideal.scheme.adc_optimize = false;
  ideal.scheme.adc_accuracy_delta = 0;
  s.ideal_accuracy = bit_accurate_accuracy(model, calib, ideal);
  StageProgress progress(o.progress, "ADC budget search " + model.network_name(), std::size(kAdcEpsilonLadder));
  for (double eps : kAdcEpsilonLadder) {
    HookOptions ho = base;
    ho.adc_plans = plans_for(o.scheme, stats, eps);
    double acc = bit_accurate_accuracy(model, calib, ho);
    s.tried.push_back({eps, acc});
    progress.advance();
    s.epsilon = eps;
    s.accuracy = acc;
    if (acc >= s.ideal_accuracy - s.delta) break;
  }
  progress.finish();
  return s;
}

// One split of the study's labelled data: a named set, a .toml, or an image folder whose
// preprocessing is its own preprocess.toml or the TOML next to an ONNX model. InputError when
// the images do not have the model's input shape.
nn::Dataset load_study_data(const StudyOptions& o, const std::string& name, const std::string& split, int limit,
                            const nn::Model& model) {
  nn::DatasetOptions d;
  d.name = name;
  d.split = split;
  d.limit = limit;
  if (workload::is_onnx_file(o.network)) {
    std::string file = o.network.substr(0, o.network.find(".onnx") + 5);
    d.preprocess = std::filesystem::path(file).replace_extension(".toml");
  }
  nn::Dataset data = nn::load_dataset(d);
  const workload::Shape& in = model.input_shape();
  const bool spatial = in.height > 1 || in.width > 1;  // a flat input only needs the same count
  if (int64_t(data.images.rows()) != in.elements() ||
      (spatial && (data.channels != in.channels || data.height != in.height || data.width != in.width)))
    throw InputError(fmt::format("data set {}: images are {}x{}x{} (CxHxW) but network '{}' takes {}x{}x{}", name,
                                 data.channels, data.height, data.width, model.network_name(), in.channels,
                                 in.height, in.width));
  return data;
}

StudyReport trained_study(const StudyOptions& o) {
  StudyReport r;
  r.scheme = o.scheme;
  nn::Model model = nn::load_model(o.network, o.weights);
  r.network = model.network_name();
  std::string ds = o.dataset.empty() ? nn::read_training_record(o.weights).dataset : o.dataset;
  nn::Dataset test = load_study_data(o, ds, "test", o.images, model);
  nn::Dataset calib = load_study_data(o, ds, "train", std::max(o.calibration_images, 1), model);
  r.images = test.size();
  r.statistics = fmt::format("trained weights {}; activations of {} {} test images; ranges and ADC sizing "
                             "from {} {} images",
                             o.weights.filename().string(), r.images, ds, calib.size(),
                             calib.split == "all" ? "of the same" : "training");
  RangeRecorder ranges;
  model.forward(calib.images, &ranges);
  std::map<int, AdcPlan> plans;
  HookOptions ho;
  ho.scheme = o.scheme;
  ho.adc = o.adc;
  ho.seed = o.seed;
  ho.activation_full_scale = ranges.full_scale;
  if (o.scheme.adc_optimize) {
    auto stats = sizing_stats(o.scheme, ranges.full_scale, [&](BitAccurateHook& h) { model.forward(calib.images, &h); });
    if (o.scheme.adc_accuracy_delta > 0) {
      AdcEpsilonSearch search = search_epsilon(o, model, calib, stats, ho);
      plans = plans_for(o.scheme, stats, search.epsilon);
      r.adc_epsilon_search = search;
      r.statistics += fmt::format("; ADC clipping budget {:g} chosen for accuracy loss <= {:g} on the sizing images",
                                  search.epsilon, o.scheme.adc_accuracy_delta);
    } else {
      plans = plans_for(o.scheme, stats, o.scheme.adc_clip_epsilon);
    }
  }
  r.adc_plans = plans;
  ho.adc_plans = plans;
  BitAccurateHook hook(ho);
  r.float_accuracy = model.accuracy(test);
  // Batches with progress: the bit-accurate pass is where the run time goes.
  const int batch = 250;
  StageProgress progress(o.progress, "bit-accurate " + r.network + " (" + o.scheme.name + ")", size_t(test.size()));
  int correct = 0;
  for (int start = 0; start < test.size(); start += batch) {
    int n = std::min(batch, test.size() - start);
    std::vector<int> pred = model.predict(test.images.middleCols(start, n), &hook);
    for (int i = 0; i < n; ++i) correct += pred[i] == test.labels[start + i];
    progress.advance(n);
  }
  progress.finish();
  r.accuracy = test.size() ? double(correct) / test.size() : 0.0;
  finish(r, hook, o);
  return r;
}

// Networks without trained weights: per conv/fc layer, He-initialised Gaussian weights
// (sigma = sqrt(2/K)) and inputs drawn as rectified unit Gaussians (a ReLU network's
// activations; 50 % zeros), uniform [0, 1] pixels for a layer reading the image.
StudyReport synthetic_study(const StudyOptions& o) {
  StudyReport r;
  r.scheme = o.scheme;
  Network net = workload::load_network(o.network);
  r.network = net.name;
  r.statistics = fmt::format(
      "synthetic: He-initialised Gaussian weights, rectified-Gaussian activations (uniform [0,1] for the "
      "image), {} sampled output positions x up to {} outputs per layer",
      o.synthetic_positions, o.synthetic_outputs);
  struct Sample {
    std::string name;
    int index;
    nn::Matrix w, x;
  };
  std::vector<Sample> samples;
  std::mt19937_64 g(o.seed);
  int index = 0;
  for (const Layer& l : net.layers) {
    if (!l.is_weighted()) continue;
    const int K = int(l.kernel_rows());
    const int M = std::min(l.out_channels_per_group(), o.synthetic_outputs);
    const int P = int(std::min<int64_t>(l.positions(), o.synthetic_positions));
    std::normal_distribution<float> wd(0.0f, float(std::sqrt(2.0 / K))), xd(0.0f, 1.0f);
    std::uniform_real_distribution<float> pix(0.0f, 1.0f);
    Sample s{l.name, index++, nn::Matrix(M, K), nn::Matrix(K, P)};
    for (Eigen::Index i = 0; i < s.w.size(); ++i) s.w.data()[i] = wd(g);
    const bool image = !l.inputs.empty() && l.inputs[0] < 0;
    for (Eigen::Index i = 0; i < s.x.size(); ++i) s.x.data()[i] = image ? pix(g) : std::max(0.0f, xd(g));
    samples.push_back(std::move(s));
  }
  auto run_all = [&](BitAccurateHook& h) {
    for (const Sample& s : samples) h.compute({s.name, s.index, 0, s.w, s.x});
  };
  std::map<int, double> full_scale;  // per call maximum of the sample
  if (o.scheme.adc_optimize)
    r.adc_plans = plans_for(o.scheme, sizing_stats(o.scheme, full_scale, run_all), o.scheme.adc_clip_epsilon);
  HookOptions ho;
  ho.scheme = o.scheme;
  ho.adc_plans = r.adc_plans;
  ho.adc = o.adc;
  ho.seed = o.seed;
  BitAccurateHook hook(ho);
  StageProgress progress(o.progress, "synthetic " + r.network + " (" + o.scheme.name + ")", samples.size());
  for (const Sample& s : samples) {
    hook.compute({s.name, s.index, 0, s.w, s.x});
    progress.advance();
  }
  progress.finish();
  finish(r, hook, o);
  return r;
}

}  // namespace

StudyReport run_study(const StudyOptions& o) {
  o.scheme.validate();
  if (o.images < 0) throw InputError("images must be >= 0");
  if (o.scheme.adc_accuracy_delta > 0 && o.weights.empty())
    throw InputError(fmt::format("scheme '{}': adc_accuracy_delta needs trained weights and labelled images, and "
                                 "network '{}' has none (size its ADC with adc_clip_epsilon / adc-opt=EPS instead)",
                                 o.scheme.name, o.network));
  auto t0 = std::chrono::steady_clock::now();
  StudyReport r = o.weights.empty() ? synthetic_study(o) : trained_study(o);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

arch::EvaluateOptions evaluate_options(const StudyReport& r, const StudyReport* baseline) {
  const SchemeOptions& s = r.scheme;
  EvaluateOptions e;
  // Differential pairs store each weight in twice the columns (polarities).
  e.weight_bits = s.weight_slices() * s.bits_per_cell;
  e.weight_polarities = s.polarities();
  e.input_bits = s.activation_bits;
  std::map<std::string, const LayerFigures*> base;
  if (baseline)
    for (const LayerFigures& f : baseline->layers) base[f.name] = &f;
  for (const LayerFigures& f : r.layers) {
    arch::LayerOverride& o = e.per_layer[f.name];
    o.adc_bits = s.adc_optimize ? std::max(1, int(std::ceil(f.mean_adc_bits - 1e-9)))
                 : s.adc_bits == 0 ? s.worst_case_adc_bits() : s.adc_bits;
    // Without dynamic quantization every subword is read and converted, zero inputs too.
    // With it, conversions are counted per column, reads per crossbar (a read is dropped only
    // when no column of the crossbar needs the plane), and time per read from both.
    if (s.dynamic_quantization) {
      o.subword_fraction = std::max(f.subword_fraction, 1e-9);
      o.read_fraction = std::max(f.read_fraction, 1e-9);
      o.read_conversions = f.read_conversions;
    }
    o.extra_columns_per_crossbar = s.extra_columns_per_crossbar();
    auto b = base.find(f.name);
    if (b != base.end()) {
      // Read energy per performed read relative to the baseline's, from the calibrated
      // conductances (or, without them, the summed levels of the active cells).
      auto per_read = [](const LayerFigures& x, bool dyn) {
        double reads = double(dyn ? x.computed_subwords : x.nominal_subwords);
        double e = x.read_energy_j > 0 ? x.read_energy_j : x.level_weighted_reads;
        return reads > 0 ? e / reads : 0.0;
      };
      double ref = per_read(*b->second, baseline->scheme.dynamic_quantization);
      if (ref > 0) o.crossbar_read_energy_scale = per_read(f, s.dynamic_quantization) / ref;
    }
  }
  return e;
}

}  // namespace rramsim::schemes
