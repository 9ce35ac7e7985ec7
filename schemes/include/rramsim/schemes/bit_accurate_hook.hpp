#pragma once
// The bit-accurate crossbar inference of a network: a MacHook that quantizes each layer's
// weights and activations (per-layer scales), runs the integer datapath of the scheme and
// dequantizes. It keeps per-layer statistics of what the datapath did.
//
//   BitAccurateHook hook({.scheme = resolve_scheme("baseline")});
//   double acc = model.accuracy(test_set, &hook);
//   for (const LayerStats& l : hook.layers()) ...
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "rramsim/nn/mac_hook.hpp"
#include "rramsim/schemes/datapath.hpp"

namespace rramsim::schemes {

struct HookOptions {
  SchemeOptions scheme;
  std::map<int, AdcPlan> adc_plans;      // by layer index; absent: scheme.adc_bits everywhere
  const CalibratedAdc* adc = nullptr;    // calibrated nonideality; null: ideal quantizer
  uint64_t seed = 1;
  // Full-scale activation per layer index (e.g. from a calibration pass); absent: the
  // maximum of each call's inputs.
  std::map<int, double> activation_full_scale;
  bool collect_stats = true;
  bool collect_histograms = true;        // partial-sum histograms (ADC sizing, distributions)
};

struct LayerStats {
  std::string name;
  int layer_index = 0;
  int rows_m = 0, depth_k = 0;          // one group's M x K
  uint64_t calls = 0, positions = 0;    // P summed over calls
  double max_abs_input = 0;             // largest |activation| seen
  bool signed_inputs = false;
  SubwordStats stats;
};

// Symmetric quantization of weights to +-(2^(bits-1)-1) with scale max|W| / (2^(bits-1)-1).
IntMatrix quantize_weights(const nn::Matrix& w, int bits, double* scale);
// Activations to [0, 2^bits) (unsigned) or offset binary around 2^(bits-1) when some are
// negative; `full_scale` <= 0: max |x|. (The hook feeds signed inputs as two unsigned passes,
// positive and negative part, not in offset binary: see compute().)
IntMatrix quantize_activations(const nn::Matrix& x, int bits, double full_scale, double* scale,
                               int64_t* offset);

class BitAccurateHook : public nn::MacHook {
 public:
  explicit BitAccurateHook(HookOptions options);
  nn::Matrix compute(const nn::MacCall& call) override;
  std::vector<LayerStats> layers() const;  // by layer index
  void reset();
  const HookOptions& options() const { return opt_; }

 private:
  HookOptions opt_;
  mutable std::mutex mu_;
  std::map<int, LayerStats> layers_;
  std::map<int, std::set<int>> cells_counted_;  // groups whose cells are in the statistics
  std::map<int, IntMatrix> input_buffers_;      // per layer: quantized inputs of the last call (reused)
  uint64_t calls_ = 0;
};

}  // namespace rramsim::schemes
