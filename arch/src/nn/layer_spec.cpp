#include "rramsim/arch/nn/layer_spec.hpp"

#include "rramsim/common/error.hpp"

namespace rramsim::arch::nn {

void infer_output_shape(LayerSpec& s) {
  const std::string where = "layer '" + s.name + "'";
  if (s.in.channels <= 0 || s.in.height <= 0 || s.in.width <= 0)
    throw InputError(where + ": empty input shape");
  if (s.kind == LayerKind::fc) {
    if (s.out.channels <= 0) throw InputError(where + ": fc needs a positive number of outputs");
    s.out.height = s.out.width = 1;
    return;
  }
  if (s.kernel_h <= 0 || s.kernel_w <= 0 || s.stride <= 0 || s.pad < 0)
    throw InputError(where + ": kernel and stride must be positive and padding non-negative");
  const int h = s.in.height + 2 * s.pad - s.kernel_h, w = s.in.width + 2 * s.pad - s.kernel_w;
  if (h < 0 || w < 0)
    throw InputError(where + ": " + std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) +
                     " window does not fit the " + std::to_string(s.in.height) + "x" +
                     std::to_string(s.in.width) + " input");
  s.out.height = h / s.stride + 1;
  s.out.width = w / s.stride + 1;
  if (s.kind == LayerKind::conv) {
    if (s.groups <= 0 || s.in.channels % s.groups || s.out.channels <= 0 || s.out.channels % s.groups)
      throw InputError(where + ": channels " + std::to_string(s.in.channels) + " -> " +
                       std::to_string(s.out.channels) + " do not divide into " +
                       std::to_string(s.groups) + " groups");
  } else {
    s.out.channels = s.in.channels;
  }
}

}  // namespace rramsim::arch::nn
