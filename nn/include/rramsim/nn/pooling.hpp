#pragma once
// Max and average pooling over HWC activation columns (padding as in layer_spec.hpp).
#include <vector>

#include "rramsim/workload/layer.hpp"
#include "rramsim/nn/mac_hook.hpp"

namespace rramsim::nn {

using workload::Layer;
using workload::LayerKind;
using workload::Shape;

// out (out_shape.elements() x batch). For max pooling, `argmax` (if given) receives the input row of
// each output element's maximum, for the backward pass.
void pool_forward(const Matrix& in, const Layer& spec, Matrix& out, std::vector<int>* argmax);

// Gradient with respect to the input (in_shape.elements() x batch, overwritten).
void pool_backward(const Matrix& grad_out, const Layer& spec, const std::vector<int>& argmax,
                   Matrix& grad_in);

}  // namespace rramsim::nn
