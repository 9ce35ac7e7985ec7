#pragma once
// Max and average pooling over HWC activation columns (padding as in layer_spec.hpp).
#include <vector>

#include "rramsim/arch/nn/layer_spec.hpp"
#include "rramsim/arch/nn/mac_hook.hpp"

namespace rramsim::arch::nn {

// out (out.size() x batch). For max pooling, `argmax` (if given) receives the input row of
// each output element's maximum, for the backward pass.
void pool_forward(const Matrix& in, const LayerSpec& spec, Matrix& out, std::vector<int>* argmax);

// Gradient with respect to the input (in.size() x batch, overwritten).
void pool_backward(const Matrix& grad_out, const LayerSpec& spec, const std::vector<int>& argmax,
                   Matrix& grad_in);

}  // namespace rramsim::arch::nn
