#include "rramsim/workload/layer.hpp"

#include "rramsim/common/error.hpp"

namespace rramsim::workload {

const char* to_string(LayerKind k) {
  switch (k) {
    case LayerKind::conv: return "conv";
    case LayerKind::fc: return "fc";
    case LayerKind::pool: return "pool";
    case LayerKind::add: return "add";
  }
  return "?";
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

void infer_output_shape(Layer& s) {
  const std::string where = "layer '" + s.name + "'";
  const Shape& in = s.in_shape;
  if (in.channels <= 0 || in.height <= 0 || in.width <= 0)
    throw InputError(where + ": empty input shape");
  if (s.kind == LayerKind::add) {
    s.out_channels = in.channels;
    s.out_shape = in;
    return;
  }
  if (s.kind == LayerKind::fc) {
    if (s.out_channels <= 0) throw InputError(where + ": fc needs a positive number of outputs");
    s.out_shape = {s.out_channels, 1, 1};
    return;
  }
  if (s.kernel_h <= 0 || s.kernel_w <= 0 || s.stride <= 0 || s.padding < 0)
    throw InputError(where + ": kernel and stride must be positive and padding non-negative");
  const int h = in.height + 2 * s.padding - s.kernel_h, w = in.width + 2 * s.padding - s.kernel_w;
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
  s.out_shape = {s.out_channels, h / s.stride + 1, w / s.stride + 1};
}

}  // namespace rramsim::workload
