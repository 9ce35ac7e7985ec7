#include "rramsim/nn/model.hpp"

#include <algorithm>

#include <omp.h>

#include "rramsim/nn/im2col.hpp"
#include "rramsim/nn/layer_ops.hpp"
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
  int macs = 0;
  last_use_.assign(layers_.size(), -1);
  for (size_t i = 0; i < layers_.size(); ++i) {
    Layer& s = layers_[i];
    if (s.inputs.empty() && s.kind != LayerKind::constant) s.inputs.push_back(static_cast<int>(i) - 1);
    for (int j : s.inputs) {
      if (j >= static_cast<int>(i)) throw InputError("network '" + name_ + "': layer '" + s.name + "' reads a later layer");
      if (j >= 0) last_use_[j] = static_cast<int>(i);
    }
    if (s.kind != LayerKind::constant) {
      const Shape cur = s.inputs[0] < 0 ? input_ : layers_[s.inputs[0]].out_shape;
      // A fc layer flattens whatever comes in; everything else needs the exact shape.
      bool ok = s.kind == LayerKind::fc ? s.in_shape.elements() == cur.elements() : s.in_shape == cur;
      if (!ok)
        throw InputError("network '" + name_ + "': layer '" + s.name + "' expects input " +
                         shape_text(s.in_shape) + " but receives " + shape_text(cur));
    }
    LayerParams p;
    if (s.is_weighted()) {
      p.weights = Matrix::Zero(s.out_shape.channels, s.kernel_rows());
      p.bias = Vector::Zero(s.out_shape.channels);
    } else if (s.kind == LayerKind::constant) {
      p.weights = Matrix::Zero(s.out_shape.elements(), 1);
    }
    params_.push_back(std::move(p));
    mac_index_.push_back(s.is_weighted() ? macs++ : -1);
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
  const size_t n = layers_.size();
  if (trace) {
    trace->inputs.assign(n, {});
    trace->outputs.assign(n, {});
    trace->cols.assign(n, {});
    trace->argmax.assign(n, {});
  }
  std::vector<Matrix> values(n);
  auto value = [&](int j) -> const Matrix& { return j < 0 ? images : values[j]; };
  auto shape = [&](int j) { return j < 0 ? input_ : layers_[j].out_shape; };
  for (size_t i = 0; i < n; ++i) {
    const Layer& s = layers_[i];
    const LayerParams& p = params_[i];
    Matrix out;
    const Matrix* a = s.inputs.empty() ? nullptr : &value(s.inputs[0]);
    switch (s.kind) {
      case LayerKind::fc:
        out = mac(s, mac_index_[i], 0, p.weights, *a, hook);
        out.colwise() += p.bias;
        break;
      case LayerKind::conv: {
        const int M = s.out_channels_per_group(), P = s.positions();
        out.resize(s.out_shape.elements(), batch);
        if (trace) trace->cols[i].resize(s.groups);
        for (int g = 0; g < s.groups; ++g) {
          Matrix local, &cols = trace ? trace->cols[i][g] : local;
          im2col(*a, s, g, cols);
          Matrix r = mac(s, mac_index_[i], g, p.weights.middleRows(g * M, M), cols, hook);
          r.colwise() += p.bias.segment(g * M, M);
          // Column j of r is output position j % P of image j / P: rows g*M.. of that
          // position's channel block (HWC).
          Eigen::Map<Matrix> view(out.data(), s.out_shape.channels, batch * P);
          view.middleRows(g * M, M) = r;
        }
        break;
      }
      case LayerKind::pool: pool_forward(*a, s, out, trace ? &trace->argmax[i] : nullptr); break;
      case LayerKind::add:
      case LayerKind::mul:
      case LayerKind::concat: {
        std::vector<const Matrix*> in;
        std::vector<Shape> shapes;
        for (int j : s.inputs) in.push_back(&value(j)), shapes.push_back(shape(j));
        if (s.kind == LayerKind::concat) concat_forward(in, shapes, s, out);
        else elementwise_forward(in, shapes, s, out);
        if (out.cols() != batch) out = out.replicate(1, batch).eval();
        break;
      }
      case LayerKind::act: out = *a; break;
      case LayerKind::pad: pad_forward(*a, s, out); break;
      case LayerKind::softmax: softmax_forward(*a, s, out); break;
      case LayerKind::reshape: reshape_forward(*a, s, out); break;
      case LayerKind::constant: out = p.weights.replicate(1, batch); break;
    }
    activation_forward(s, out);
    if (trace) {
      if (a) trace->inputs[i] = *a;
      trace->outputs[i] = out;
    }
    values[i] = std::move(out);
    // Free what no later layer reads (the last layer is the output).
    if (!trace)
      for (int j : s.inputs)
        if (j >= 0 && last_use_[j] == static_cast<int>(i) && j + 1 != static_cast<int>(n)) values[j] = Matrix();
  }
  return std::move(values.back());
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
