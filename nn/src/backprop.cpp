#include "rramsim/nn/backprop.hpp"

#include <cmath>

#include "rramsim/nn/im2col.hpp"
#include "rramsim/nn/pooling.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::nn {

double softmax_cross_entropy(const Matrix& logits, const std::vector<int>& labels, Matrix* grad) {
  const long batch = logits.cols();
  if (static_cast<long>(labels.size()) != batch)
    throw InputError("loss: " + std::to_string(labels.size()) + " labels for a batch of " +
                     std::to_string(batch));
  if (grad) grad->resize(logits.rows(), batch);
  double loss = 0;
  for (long j = 0; j < batch; ++j) {
    if (labels[j] < 0 || labels[j] >= logits.rows())
      throw InputError("loss: label " + std::to_string(labels[j]) + " out of range");
    // Shift by the maximum so exp never overflows.
    const float top = logits.col(j).maxCoeff();
    double sum = 0;
    for (long r = 0; r < logits.rows(); ++r) sum += std::exp(double(logits(r, j) - top));
    loss += std::log(sum) - double(logits(labels[j], j) - top);
    if (grad) {
      for (long r = 0; r < logits.rows(); ++r)
        (*grad)(r, j) = static_cast<float>(std::exp(double(logits(r, j) - top)) / sum / batch);
      (*grad)(labels[j], j) -= 1.0f / batch;
    }
  }
  return loss / batch;
}

double loss_and_gradients(const Model& model, const Matrix& images, const std::vector<int>& labels,
                          std::vector<LayerParams>& grads, Matrix* logits) {
  ForwardTrace t;
  Matrix out = model.forward(images, nullptr, &t);
  Matrix g;
  const double loss = softmax_cross_entropy(out, labels, &g);
  if (logits) *logits = std::move(out);
  const auto& layers = model.layers();
  const long batch = images.cols();
  grads.assign(layers.size(), {});
  for (int i = static_cast<int>(layers.size()) - 1; i >= 0; --i) {
    const Layer& s = layers[i];
    const LayerParams& p = model.params()[i];
    if (s.has_relu()) g = (t.outputs[i].array() > 0.0f).select(g, 0.0f);
    const bool need_input_grad = i > 0;
    Matrix gin;
    if (s.kind == LayerKind::fc) {
      grads[i].weights.noalias() = g * t.inputs[i].transpose();
      grads[i].bias = g.rowwise().sum();
      if (need_input_grad) gin.noalias() = p.weights.transpose() * g;
    } else if (s.kind == LayerKind::conv) {
      const int M = s.out_channels_per_group();
      grads[i].weights.resize(p.weights.rows(), p.weights.cols());
      grads[i].bias.resize(p.bias.size());
      if (need_input_grad) gin.setZero(s.in_shape.elements(), batch);
      Eigen::Map<const Matrix> view(g.data(), s.out_shape.channels, batch * s.positions());
      for (int grp = 0; grp < s.groups; ++grp) {
        Matrix gout = view.middleRows(grp * M, M);
        const Matrix& cols = t.cols[i][grp];
        grads[i].weights.middleRows(grp * M, M).noalias() = gout * cols.transpose();
        grads[i].bias.segment(grp * M, M) = gout.rowwise().sum();
        if (need_input_grad) {
          Matrix gcols = p.weights.middleRows(grp * M, M).transpose() * gout;
          col2im_add(gcols, s, grp, gin);
        }
      }
    } else if (need_input_grad) {
      pool_backward(g, s, t.argmax[i], gin);
    }
    if (s.is_weighted() && !s.bias) grads[i].bias.setZero();
    g = std::move(gin);
  }
  return loss;
}

}  // namespace rramsim::nn
