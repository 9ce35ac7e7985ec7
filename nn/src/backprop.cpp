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
  const auto& layers = model.layers();
  for (const Layer& s : layers) {
    const bool kind_ok = s.kind == LayerKind::conv || s.kind == LayerKind::fc || s.kind == LayerKind::pool ||
                         s.kind == LayerKind::add || s.kind == LayerKind::act;
    if (!kind_ok || !(s.activation == workload::Activation::none || s.has_relu()))
      throw InputError("training: layer '" + s.name + "' (" + to_string(s.kind) + ", activation " +
                       to_string(s.activation) + ") has no backward pass; training supports conv, fc, pool, add "
                       "and ReLU");
  }
  ForwardTrace t;
  Matrix out = model.forward(images, nullptr, &t);
  Matrix g;
  const double loss = softmax_cross_entropy(out, labels, &g);
  if (logits) *logits = std::move(out);
  const long batch = images.cols();
  grads.assign(layers.size(), {});
  // Gradient with respect to each layer's output, summed over its readers.
  std::vector<Matrix> gout(layers.size());
  gout.back() = std::move(g);
  auto accumulate = [&](int j, Matrix&& d) {
    if (j < 0) return;
    if (gout[j].size() == 0) gout[j] = std::move(d);
    else gout[j] += d;
  };
  for (int i = static_cast<int>(layers.size()) - 1; i >= 0; --i) {
    const Layer& s = layers[i];
    const LayerParams& p = model.params()[i];
    if (gout[i].size() == 0) gout[i].setZero(s.out_shape.elements(), batch);
    Matrix g2 = std::move(gout[i]);
    if (s.has_relu()) g2 = (t.outputs[i].array() > 0.0f).select(g2, 0.0f);
    const int src = s.inputs[0];
    const bool need_input_grad = src >= 0 || s.kind == LayerKind::add;
    Matrix gin;
    if (s.kind == LayerKind::fc) {
      grads[i].weights.noalias() = g2 * t.inputs[i].transpose();
      grads[i].bias = g2.rowwise().sum();
      if (need_input_grad) gin.noalias() = p.weights.transpose() * g2;
    } else if (s.kind == LayerKind::conv) {
      const int M = s.out_channels_per_group();
      grads[i].weights.resize(p.weights.rows(), p.weights.cols());
      grads[i].bias.resize(p.bias.size());
      if (need_input_grad) gin.setZero(s.in_shape.elements(), batch);
      Eigen::Map<const Matrix> view(g2.data(), s.out_shape.channels, batch * s.positions());
      for (int grp = 0; grp < s.groups; ++grp) {
        Matrix go = view.middleRows(grp * M, M);
        const Matrix& cols = t.cols[i][grp];
        grads[i].weights.middleRows(grp * M, M).noalias() = go * cols.transpose();
        grads[i].bias.segment(grp * M, M) = go.rowwise().sum();
        if (need_input_grad) {
          Matrix gcols = p.weights.middleRows(grp * M, M).transpose() * go;
          col2im_add(gcols, s, grp, gin);
        }
      }
    } else if (s.kind == LayerKind::pool) {
      if (need_input_grad) pool_backward(g2, s, t.argmax[i], gin);
    } else if (s.kind == LayerKind::add) {
      for (size_t k = 1; k < s.inputs.size(); ++k) accumulate(s.inputs[k], Matrix(g2));
      gin = std::move(g2);
    } else {  // act (ReLU handled above)
      gin = std::move(g2);
    }
    if (s.is_weighted() && !s.bias) grads[i].bias.setZero();
    if (need_input_grad && gin.size()) accumulate(src, std::move(gin));
  }
  return loss;
}

}  // namespace rramsim::nn
