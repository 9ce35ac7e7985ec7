#pragma once
// Forward passes of the digital (non-crossbar) layer kinds over HWC activation columns
// (one image per column): elementwise add/mul with broadcasting, channel concat, constant
// padding, softmax over channels, reshape (ONNX CHW order semantics) and activations.
#include <vector>

#include "rramsim/nn/mac_hook.hpp"
#include "rramsim/workload/layer.hpp"

namespace rramsim::nn {

// out = in[0] op in[1] op ...; each input's shape broadcasts (size-1 channel/height/width)
// to spec.out_shape; an input with one column broadcasts over the batch.
void elementwise_forward(const std::vector<const Matrix*>& in, const std::vector<workload::Shape>& shapes,
                         const workload::Layer& spec, Matrix& out);
void concat_forward(const std::vector<const Matrix*>& in, const std::vector<workload::Shape>& shapes,
                    const workload::Layer& spec, Matrix& out);
void pad_forward(const Matrix& in, const workload::Layer& spec, Matrix& out);
void softmax_forward(const Matrix& in, const workload::Layer& spec, Matrix& out);
void reshape_forward(const Matrix& in, const workload::Layer& spec, Matrix& out);
// In place: the layer's activation (none: nothing).
void activation_forward(const workload::Layer& spec, Matrix& x);

}  // namespace rramsim::nn
