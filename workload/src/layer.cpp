#include "rramsim/workload/layer.hpp"

#include <algorithm>
#include <cmath>

#include "rramsim/common/error.hpp"

namespace rramsim::workload {

const char* to_string(LayerKind k) {
  switch (k) {
    case LayerKind::conv: return "conv";
    case LayerKind::fc: return "fc";
    case LayerKind::pool: return "pool";
    case LayerKind::add: return "add";
    case LayerKind::mul: return "mul";
    case LayerKind::concat: return "concat";
    case LayerKind::act: return "act";
    case LayerKind::pad: return "pad";
    case LayerKind::softmax: return "softmax";
    case LayerKind::reshape: return "reshape";
    case LayerKind::constant: return "constant";
  }
  return "?";
}

const char* to_string(Activation a) {
  switch (a) {
    case Activation::none: return "none";
    case Activation::relu: return "relu";
    case Activation::clip: return "clip";
    case Activation::leaky_relu: return "leaky_relu";
    case Activation::hard_sigmoid: return "hard_sigmoid";
    case Activation::hard_swish: return "hard_swish";
    case Activation::sigmoid: return "sigmoid";
  }
  return "?";
}

float activate(Activation a, float alpha, float beta, float x) {
  switch (a) {
    case Activation::none: return x;
    case Activation::relu: return x > 0 ? x : 0.0f;
    case Activation::clip: return std::min(std::max(x, alpha), beta);
    case Activation::leaky_relu: return x < 0 ? alpha * x : x;
    case Activation::hard_sigmoid: return std::max(0.0f, std::min(1.0f, alpha * x + beta));
    case Activation::hard_swish: return x * std::max(0.0f, std::min(1.0f, x / 6.0f + 0.5f));
    case Activation::sigmoid: return 1.0f / (1.0f + std::exp(-x));
  }
  return x;
}

int64_t Layer::kernel_rows() const {
  if (kind == LayerKind::fc) return in_shape.elements();
  if (kind == LayerKind::conv) return int64_t{in_shape.channels / groups} * kernel_h * kernel_w;
  return 0;
}

int64_t Layer::weights() const {
  return is_weighted() ? kernel_rows() * out_channels : 0;
}

int64_t Layer::macs() const { return weights() * positions(); }

namespace {

void check_size(const Layer& s, const std::string& where) {
  const Shape& o = s.out_shape;
  if (o.channels <= 0 || o.height <= 0 || o.width <= 0)
    throw InputError(where + ": empty output shape");
  // Each factor is below 2^31, so the 64-bit products cannot overflow.
  const int64_t n = o.elements();
  if (n > kMaxElements || int64_t{o.height} * o.width > kMaxElements)
    throw InputError(where + ": output " + std::to_string(o.channels) + "x" + std::to_string(o.height) + "x" +
                     std::to_string(o.width) + " has " + std::to_string(n) + " values, more than the " +
                     std::to_string(kMaxElements) + " supported");
  if (s.is_weighted() && o.channels > kMaxOutputs)
    throw InputError(where + ": " + std::to_string(o.channels) + " outputs, more than the " +
                     std::to_string(kMaxOutputs) + " supported");
  if (s.is_weighted() && (s.kernel_rows() > kMaxElements || s.weights() > kMaxElements))
    throw InputError(where + ": " + std::to_string(s.weights()) + " weights, more than the " +
                     std::to_string(kMaxElements) + " supported");
}

}  // namespace

void infer_output_shape(Layer& s) {
  const std::string where = "layer '" + s.name + "'";
  const Shape& in = s.in_shape;
  if (s.kind == LayerKind::constant) return check_size(s, where);
  if (in.channels <= 0 || in.height <= 0 || in.width <= 0)
    throw InputError(where + ": empty input shape");
  if (in.elements() > kMaxElements)
    throw InputError(where + ": input has " + std::to_string(in.elements()) + " values, more than the " +
                     std::to_string(kMaxElements) + " supported");
  switch (s.kind) {
    case LayerKind::add:
    case LayerKind::mul:
    case LayerKind::concat:
      if (s.out_shape.elements() == 0) s.out_shape = in;
      s.out_channels = s.out_shape.channels;
      return check_size(s, where);
    case LayerKind::act:
    case LayerKind::softmax:
      s.out_shape = in;
      s.out_channels = in.channels;
      return check_size(s, where);
    case LayerKind::reshape:  // the builder's target shape, or flatten
      if (s.out_shape.elements() != in.elements()) s.out_shape = {static_cast<int>(in.elements()), 1, 1};
      s.out_channels = s.out_shape.channels;
      return check_size(s, where);
    case LayerKind::fc:
      if (s.out_channels <= 0) throw InputError(where + ": fc needs a positive number of outputs");
      s.out_shape = {s.out_channels, 1, 1};
      return check_size(s, where);
    default: break;
  }
  if (s.pad_top < 0 || s.pad_left < 0 || s.pad_bottom < 0 || s.pad_right < 0)
    throw InputError(where + ": padding must be non-negative");
  const int64_t ph = int64_t{in.height} + s.pad_top + s.pad_bottom;
  const int64_t pw = int64_t{in.width} + s.pad_left + s.pad_right;
  if (s.kind == LayerKind::pad) {
    if (ph > kMaxElements || pw > kMaxElements) throw InputError(where + ": padded size too large");
    s.out_shape = {in.channels, static_cast<int>(ph), static_cast<int>(pw)};
    s.out_channels = in.channels;
    return check_size(s, where);
  }
  if (s.kernel_h <= 0 || s.kernel_w <= 0 || s.stride_h <= 0 || s.stride_w <= 0 || s.dilation_h <= 0 ||
      s.dilation_w <= 0)
    throw InputError(where + ": kernel, stride and dilation must be positive");
  const int64_t eh = int64_t{s.dilation_h} * (s.kernel_h - 1) + 1, ew = int64_t{s.dilation_w} * (s.kernel_w - 1) + 1;
  const int64_t h = ph - eh, w = pw - ew;
  if (h < 0 || w < 0)
    throw InputError(where + ": " + std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) +
                     " window does not fit the " + std::to_string(in.height) + "x" +
                     std::to_string(in.width) + " input");
  if (s.kind == LayerKind::conv) {
    if (s.groups <= 0 || in.channels % s.groups || s.out_channels <= 0 || s.out_channels % s.groups)
      throw InputError(where + ": channels " + std::to_string(in.channels) + " -> " +
                       std::to_string(s.out_channels) + " do not divide into " +
                       std::to_string(s.groups) + " groups");
  } else {
    s.out_channels = in.channels;
  }
  s.out_shape = {s.out_channels, static_cast<int>(h / s.stride_h + 1), static_cast<int>(w / s.stride_w + 1)};
  check_size(s, where);
}

}  // namespace rramsim::workload
