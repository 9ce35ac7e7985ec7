#pragma once
// Patch extraction that turns a convolution into the matrix product of mac_hook.hpp.
// Serial: callers parallelise over the batch in one region (many small OpenMP regions
// stall badly on a shared, loaded machine).
// Activations: one image per column, HWC order. Patch rows (K) are ordered
// (kernel_y, kernel_x, input channel of the group), matching the weight layout
// [out_channel][kernel_y][kernel_x][in_channel]; patch columns (P) are ordered
// (image, output_y, output_x).
#include "rramsim/workload/layer.hpp"
#include "rramsim/nn/mac_hook.hpp"

namespace rramsim::nn {

using workload::Layer;
using workload::LayerKind;
using workload::Shape;

// cols (K x batch*positions) from activations (in_shape.elements() x batch) for one group.
void im2col(const Matrix& activations, const Layer& spec, int group, Matrix& cols);

// The adjoint of im2col: adds each patch gradient back onto the activation gradient
// (in_shape.elements() x batch), which the caller has sized and zeroed.
void col2im_add(const Matrix& cols, const Layer& spec, int group, Matrix& activations);

}  // namespace rramsim::nn
