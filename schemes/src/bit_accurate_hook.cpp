#include "rramsim/schemes/bit_accurate_hook.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <fmt/format.h>

#include "rramsim/common/error.hpp"

namespace rramsim::schemes {

namespace {
// std::lround without the library call (values here are far inside the long range).
inline long round_half_away(double v) { return long(v + (v >= 0 ? 0.5 : -0.5)); }
}  // namespace

IntMatrix quantize_weights(const nn::Matrix& w, int bits, double* scale) {
  const double qmax = double((1 << (bits - 1)) - 1);
  double m = w.size() ? double(w.cwiseAbs().maxCoeff()) : 0.0;
  if (!std::isfinite(m)) throw InputError("weights contain NaN or infinity");
  *scale = m > 0 ? m / qmax : 1.0;
  IntMatrix q(w.rows(), w.cols());
  for (Eigen::Index i = 0; i < w.size(); ++i)
    q.data()[i] = int32_t(std::clamp(round_half_away(w.data()[i] / *scale), -long(qmax), long(qmax)));
  return q;
}

namespace {
constexpr size_t kMaxKeptInputBytes = size_t(256) << 20;

// Smallest value and largest magnitude of a layer's inputs in one parallel pass (a batch of
// conv1 patches is tens of MB: one pass instead of three).
struct InputRange {
  float min = 0, max_abs = 0;
};
InputRange input_range(const nn::Matrix& x) {
  InputRange r;
  if (!x.size()) return r;
  float lo = x.data()[0], hi = 0;
  int nan = 0;
  const float* d = x.data();
  const Eigen::Index n = x.size();
#pragma omp parallel for reduction(min : lo) reduction(max : hi) reduction(| : nan) schedule(static)
  for (Eigen::Index i = 0; i < n; ++i) {
    lo = std::min(lo, d[i]);
    hi = std::max(hi, std::abs(d[i]));
    nan |= d[i] != d[i];  // NaN does not compare, so min and max alone would skip it
  }
  if (nan) hi = std::numeric_limits<float>::quiet_NaN();
  r.min = lo;
  r.max_abs = hi;
  return r;
}

void quantize_in_range(const nn::Matrix& x, const InputRange& range, int bits, double full_scale, double* scale,
                       int64_t* offset, IntMatrix& q) {
  const bool is_signed = x.size() && range.min < 0;
  double m = full_scale > 0 ? full_scale : double(range.max_abs);
  if (!std::isfinite(m) || !std::isfinite(range.max_abs)) throw InputError("activations contain NaN or infinity");
  const long qmax = is_signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
  *scale = m > 0 ? m / double(qmax) : 1.0;
  *offset = is_signed ? (int64_t(1) << (bits - 1)) : 0;
  q.resize(x.rows(), x.cols());  // no allocation when a buffer of this size is reused
  const double s = *scale;
  const int64_t off = *offset;
  const Eigen::Index n = x.size();
#pragma omp parallel for schedule(static)
  for (Eigen::Index i = 0; i < n; ++i)
    q.data()[i] = int32_t(std::clamp(round_half_away(x.data()[i] / s), -qmax, qmax) + off);
}

// Offset-binary inputs x (true value x - offset) into their positive part, in place, and
// their negative part's magnitude; both then lie in [0, offset).
void split_signed(IntMatrix& x, int64_t offset, IntMatrix& negative) {
  negative.resize(x.rows(), x.cols());
  const int32_t off = int32_t(offset);
  const Eigen::Index n = x.size();
  int32_t* d = x.data();
  int32_t* m = negative.data();
#pragma omp parallel for schedule(static)
  for (Eigen::Index i = 0; i < n; ++i) {
    const int32_t v = d[i] - off;
    d[i] = v > 0 ? v : 0;
    m[i] = v < 0 ? -v : 0;
  }
}
}  // namespace

IntMatrix quantize_activations(const nn::Matrix& x, int bits, double full_scale, double* scale, int64_t* offset) {
  IntMatrix q;
  quantize_in_range(x, input_range(x), bits, full_scale, scale, offset, q);
  return q;
}

BitAccurateHook::BitAccurateHook(HookOptions options) : opt_(std::move(options)) { opt_.scheme.validate(); }

nn::Matrix BitAccurateHook::compute(const nn::MacCall& call) {
  const SchemeOptions& s = opt_.scheme;
  double w_scale = 1, x_scale = 1;
  int64_t offset = 0;
  IntMatrix q = quantize_weights(call.weights, s.weight_bits, &w_scale);
  auto fs = opt_.activation_full_scale.find(call.layer_index);
  const InputRange range = input_range(call.inputs);
  // The quantized inputs go into this layer's buffer from the previous call, if free: a batch
  // of conv1 patches is tens of MB, and fresh pages cost a fault each.
  IntMatrix x;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto b = input_buffers_.find(call.layer_index);
    if (b != input_buffers_.end()) {
      x.swap(b->second);
      input_buffers_.erase(b);
    }
  }
  quantize_in_range(call.inputs, range, s.activation_bits, fs == opt_.activation_full_scale.end() ? 0.0 : fs->second,
                    &x_scale, &offset, x);
  // Negative inputs: offset binary would make every plane of a small negative input a one,
  // and the running sum of the planes -2^(b-1) sum_k q_k plus a near-cancelling remainder, far
  // above the output: a dynamic window measured on it drops the planes that carry the result.
  // They are fed as two unsigned passes instead (sign and magnitude), the positive part and
  // the negative part, subtracted digitally; exact like offset binary when nothing clips.
  IntMatrix negative;
  if (offset != 0) split_signed(x, offset, negative);
  uint64_t call_no;
  {
    std::lock_guard<std::mutex> lock(mu_);
    call_no = calls_;
    calls_ += offset != 0 ? 2 : 1;
  }
  DatapathRun run;
  run.weights = &q;
  run.inputs = &x;
  auto plan = opt_.adc_plans.find(call.layer_index);
  run.plan = plan == opt_.adc_plans.end() ? nullptr : &plan->second;
  run.adc = opt_.adc;
  run.seed = opt_.seed * 0x9e3779b97f4a7c15ULL + call_no;
  run.histograms = opt_.collect_histograms;
  SubwordStats st, st_negative;
  AccMatrix acc;
  try {
    acc = run_datapath(s, run, opt_.collect_stats ? &st : nullptr);
    if (offset != 0) {
      run.inputs = &negative;
      run.seed = opt_.seed * 0x9e3779b97f4a7c15ULL + call_no + 1;
      acc -= run_datapath(s, run, opt_.collect_stats ? &st_negative : nullptr);
      st_negative.cells = st_negative.cell_ones = st_negative.cell_level_sum = 0;  // the same cells
      if (opt_.collect_stats) st.merge(st_negative);
    }
  } catch (const InputError& e) {
    throw InputError(fmt::format("layer '{}': {}", call.layer, e.what()));
  }
  nn::Matrix out = (acc.cast<double>() * (w_scale * x_scale)).cast<float>();
  std::lock_guard<std::mutex> lock(mu_);
  // Kept only while the buffers stay small next to the batch's own tensors (a deep network
  // would otherwise hold one per layer).
  size_t kept = 0;
  for (const auto& [i, b] : input_buffers_) kept += size_t(b.size()) * sizeof(int32_t);
  if (kept + size_t(x.size()) * sizeof(int32_t) <= kMaxKeptInputBytes) input_buffers_[call.layer_index].swap(x);
  LayerStats& r = layers_[call.layer_index];
  r.name = call.layer;
  r.layer_index = call.layer_index;
  r.rows_m = int(call.weights.rows());
  r.depth_k = int(call.weights.cols());
  r.calls++;
  r.positions += call.inputs.cols();
  if (call.inputs.size()) r.max_abs_input = std::max(r.max_abs_input, double(range.max_abs));
  r.signed_inputs = r.signed_inputs || offset != 0;
  if (opt_.collect_stats) {
    // The stored cells are the same on every call: count them once per group.
    if (!cells_counted_[call.layer_index].insert(call.group).second) st.cells = st.cell_ones = st.cell_level_sum = 0;
    r.stats.merge(st);
  }
  return out;
}

std::vector<LayerStats> BitAccurateHook::layers() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LayerStats> v;
  for (const auto& [i, r] : layers_) v.push_back(r);
  return v;
}

void BitAccurateHook::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  layers_.clear();
  cells_counted_.clear();
  input_buffers_.clear();
  calls_ = 0;
}

}  // namespace rramsim::schemes
