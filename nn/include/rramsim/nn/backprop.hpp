#pragma once
// Softmax cross-entropy loss and its gradient with respect to every weight and bias,
// by reverse-mode differentiation through the forward pass's trace.
#include <vector>

#include "rramsim/nn/model.hpp"

namespace rramsim::nn {

// Mean cross-entropy of softmax(logits) over the batch (columns) against `labels`.
// If `grad_logits` is given it receives d(loss)/d(logits).
double softmax_cross_entropy(const Matrix& logits, const std::vector<int>& labels,
                             Matrix* grad_logits = nullptr);

// Mean loss over the batch; `grads` gets one LayerParams per layer (empty for pooling),
// shaped like the model's parameters; `logits` (if given) receives the forward output.
double loss_and_gradients(const Model& model, const Matrix& images, const std::vector<int>& labels,
                          std::vector<LayerParams>& grads, Matrix* logits = nullptr);

}  // namespace rramsim::nn
