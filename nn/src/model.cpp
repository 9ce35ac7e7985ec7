#include "rramsim/nn/model.hpp"

#include <algorithm>

#include <omp.h>

#include "rramsim/nn/im2col.hpp"
#include "rramsim/nn/pooling.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::nn {
namespace {

std::string shape_text(const Shape& s) {
  return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" + std::to_string(s.channels);
}

// W_g * X through the hook or Eigen, checking the hook's answer has the contract's shape.
Matrix mac(const Layer& s, int mac_index, int group, const Matrix& w, const Matrix& x, MacHook* hook) {
  if (!hook) return w * x;
  Matrix out = hook->compute(MacCall{s.name, mac_index, group, w, x});
  if (out.rows() != w.rows() || out.cols() != x.cols())
    throw Error("MacHook returned " + std::to_string(out.rows()) + "x" + std::to_string(out.cols()) +
                " for layer '" + s.name + "', expected " + std::to_string(w.rows()) + "x" +
                std::to_string(x.cols()));
  return out;
}

}  // namespace

Model::Model(std::string network_name, Shape input, std::vector<Layer> layers)
    : name_(std::move(network_name)), input_(input), layers_(std::move(layers)) {
  if (layers_.empty()) throw InputError("network '" + name_ + "' has no layers");
  Shape cur = input_;
  int macs = 0;
  for (auto& s : layers_) {
    // A fc layer flattens whatever comes in; everything else needs the exact shape.
    bool ok = s.kind == LayerKind::fc ? s.in_shape.elements() == cur.elements() : s.in_shape == cur;
    if (!ok)
      throw InputError("network '" + name_ + "': layer '" + s.name + "' expects input " +
                       shape_text(s.in_shape) + " but receives " + shape_text(cur));
    LayerParams p;
    if (s.is_weighted()) {
      p.weights = Matrix::Zero(s.out_shape.channels, s.kernel_rows());
      p.bias = Vector::Zero(s.out_shape.channels);
    }
    params_.push_back(std::move(p));
    mac_index_.push_back(s.is_weighted() ? macs++ : -1);
    cur = s.out_shape;
  }
}

long Model::parameter_count() const {
  long n = 0;
  for (const auto& p : params_) n += p.weights.size() + p.bias.size();
  return n;
}

Matrix Model::forward(const Matrix& images, MacHook* hook, ForwardTrace* trace) const {
  if (images.rows() != input_.elements())
    throw InputError("network '" + name_ + "' takes " + std::to_string(input_.elements()) +
                     " input values per image, got " + std::to_string(images.rows()));
  const long batch = images.cols();
  const int threads = omp_get_max_threads();
  if (hook || trace || threads == 1 || batch < 32 || omp_in_parallel()) return forward_serial(images, hook, trace);
  Matrix out(num_classes(), batch);
  const long slice = (batch + threads - 1) / threads;
#pragma omp parallel for schedule(static, 1)
  for (int t = 0; t < threads; ++t) {
    const long first = t * slice, count = std::min(slice, batch - first);
    if (count > 0) out.middleCols(first, count) = forward_serial(images.middleCols(first, count), nullptr, nullptr);
  }
  return out;
}

Matrix Model::forward_serial(const Matrix& images, MacHook* hook, ForwardTrace* trace) const {
  const long batch = images.cols();
  if (trace) {
    trace->inputs.assign(layers_.size(), {});
    trace->outputs.assign(layers_.size(), {});
    trace->cols.assign(layers_.size(), {});
    trace->argmax.assign(layers_.size(), {});
  }
  Matrix a = images;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& s = layers_[i];
    const LayerParams& p = params_[i];
    Matrix out;
    if (s.kind == LayerKind::fc) {
      out = mac(s, mac_index_[i], 0, p.weights, a, hook);
      out.colwise() += p.bias;
    } else if (s.kind == LayerKind::conv) {
      const int M = s.out_channels_per_group(), P = s.positions();
      out.resize(s.out_shape.elements(), batch);
      if (trace) trace->cols[i].resize(s.groups);
      for (int g = 0; g < s.groups; ++g) {
        Matrix local, &cols = trace ? trace->cols[i][g] : local;
        im2col(a, s, g, cols);
        Matrix r = mac(s, mac_index_[i], g, p.weights.middleRows(g * M, M), cols, hook);
        r.colwise() += p.bias.segment(g * M, M);
        // Column j of r is output position j % P of image j / P: rows g*M.. of that
        // position's channel block (HWC).
        Eigen::Map<Matrix> view(out.data(), s.out_shape.channels, batch * P);
        view.middleRows(g * M, M) = r;
      }
    } else {
      pool_forward(a, s, out, trace ? &trace->argmax[i] : nullptr);
    }
    if (s.has_relu()) out = out.cwiseMax(0.0f);
    if (trace) {
      trace->inputs[i] = std::move(a);
      trace->outputs[i] = out;
    }
    a = std::move(out);
  }
  return a;
}

std::vector<int> Model::predict(const Matrix& images, MacHook* hook) const {
  Matrix logits = forward(images, hook);
  std::vector<int> out(logits.cols());
  for (long j = 0; j < logits.cols(); ++j) logits.col(j).maxCoeff(&out[j]);
  return out;
}

double Model::accuracy(const Dataset& data, MacHook* hook, int limit, int batch) const {
  if (batch <= 0) throw InputError("accuracy: batch size must be positive");
  const int n = limit > 0 ? std::min(limit, data.size()) : data.size();
  if (n == 0) throw InputError("accuracy: data set " + data.name + " is empty");
  long correct = 0;
  for (int start = 0; start < n; start += batch) {
    const int count = std::min(batch, n - start);
    auto pred = predict(data.images.middleCols(start, count), hook);
    for (int j = 0; j < count; ++j) correct += pred[j] == data.labels[start + j];
  }
  return static_cast<double>(correct) / n;
}

}  // namespace rramsim::nn
