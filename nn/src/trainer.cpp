#include "rramsim/nn/trainer.hpp"

#include <array>
#include <chrono>
#include <exception>
#include <new>
#include <cmath>
#include <numeric>
#include <random>

#include "rramsim/nn/backprop.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/progress.hpp"

namespace rramsim::nn {
namespace {

// One optimizer step over every parameter tensor; state lives here, not in the model.
class Optimizer {
 public:
  Optimizer(const TrainOptions& o, const Model& m) : o_(o) {
    for (const auto& p : m.params()) {
      m1_.push_back({Matrix::Zero(p.weights.rows(), p.weights.cols()), Vector::Zero(p.bias.size())});
      m2_.push_back(m1_.back());
    }
  }

  void step(Model& m, std::vector<LayerParams>& g, double lr) {
    ++t_;
    for (size_t i = 0; i < g.size(); ++i) {
      if (!m.layers()[i].is_weighted()) continue;
      auto& p = m.params()[i];
      if (o_.weight_decay > 0) g[i].weights += static_cast<float>(o_.weight_decay) * p.weights;
      update(p.weights, g[i].weights, m1_[i].weights, m2_[i].weights, lr);
      update(p.bias, g[i].bias, m1_[i].bias, m2_[i].bias, lr);
    }
  }

 private:
  template <class T>
  void update(T& w, const T& g, T& m1, T& m2, double lr) {
    if (o_.optimizer == "sgd") {
      m1 = static_cast<float>(o_.momentum) * m1 + g;
      w -= static_cast<float>(lr) * m1;
      return;
    }
    constexpr float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    m1 = b1 * m1 + (1 - b1) * g;
    m2 = b2 * m2 + (1 - b2) * g.cwiseProduct(g);
    const float c1 = 1 - std::pow(b1, float(t_)), c2 = 1 - std::pow(b2, float(t_));
    const float step = static_cast<float>(lr) / c1;
    w.array() -= step * m1.array() / ((m2.array() / c2).sqrt() + eps);
  }

  const TrainOptions& o_;
  std::vector<LayerParams> m1_, m2_;
  long t_ = 0;
};

// The batch is split into a fixed number of shards whose gradients are computed in
// parallel (one OpenMP region per batch) and summed in shard order, so the result does
// not depend on the number of threads. Returns the batch's summed loss.
constexpr int kShards = 2;

struct Shard {
  std::vector<LayerParams> grads;
  Matrix logits;
  double loss = 0;
};

double sharded_gradients(const Model& model, const Matrix& batch, const std::vector<int>& labels,
                         std::vector<Shard>& shards, std::vector<LayerParams>& grads, long& correct) {
  const long n = batch.cols(), per = (n + kShards - 1) / kShards;
  // No exception may leave an OpenMP region (that is std::terminate): each shard keeps its
  // own, and the first one is rethrown after the region.
  std::array<std::exception_ptr, kShards> failed{};
#pragma omp parallel for schedule(static, 1)
  for (int s = 0; s < kShards; ++s) {
    try {
      const long first = s * per, count = std::min(per, n - first);
      shards[s].loss = 0;
      if (count <= 0) continue;
      std::vector<int> l(labels.begin() + first, labels.begin() + first + count);
      shards[s].loss = loss_and_gradients(model, batch.middleCols(first, count), l, shards[s].grads,
                                          &shards[s].logits) * count;
    } catch (...) {
      failed[s] = std::current_exception();
    }
  }
  for (const auto& e : failed) {
    if (!e) continue;
    try {
      std::rethrow_exception(e);
    } catch (const std::bad_alloc&) {
      throw InputError("train: out of memory computing the gradients of a batch of " + std::to_string(n) +
                       " images (lower --batch)");
    }
  }
  double loss = 0;
  grads = shards[0].grads;
  for (int s = 0; s < kShards; ++s) {
    const long first = s * per, count = std::min(per, n - first);
    if (count <= 0) continue;
    loss += shards[s].loss;
    // Each shard's gradient is of its own mean loss: weight by its share of the batch.
    const float w = static_cast<float>(count) / static_cast<float>(n);
    for (size_t i = 0; i < grads.size(); ++i) {
      if (grads[i].weights.size() == 0) continue;
      if (s == 0) {
        grads[i].weights *= w;
        grads[i].bias *= w;
      } else {
        grads[i].weights += w * shards[s].grads[i].weights;
        grads[i].bias += w * shards[s].grads[i].bias;
      }
    }
    for (long j = 0; j < count; ++j) {
      int top;
      shards[s].logits.col(j).maxCoeff(&top);
      correct += top == labels[first + j];
    }
  }
  return loss;
}

void check(const TrainOptions& o) {
  if (o.epochs < 1) throw InputError("train: epochs must be >= 1, got " + std::to_string(o.epochs));
  if (o.batch_size < 1) throw InputError("train: batch size must be >= 1, got " + std::to_string(o.batch_size));
  if (o.optimizer != "adam" && o.optimizer != "sgd")
    throw InputError("train: unknown optimizer '" + o.optimizer + "' (known: adam, sgd)");
  if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate))
    throw InputError("train: learning rate must be a positive finite number");
  if (!(o.lr_decay > 0 && o.lr_decay <= 1)) throw InputError("train: lr decay must be in (0, 1]");
  if (o.decay_epochs < 1) throw InputError("train: decay epochs must be >= 1");
  if (o.momentum < 0 || o.momentum >= 1) throw InputError("train: momentum must be in [0, 1)");
  if (o.weight_decay < 0) throw InputError("train: weight decay must be >= 0");
}

}  // namespace

void he_initialize(Model& m, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (auto& p : m.params()) {
    if (p.weights.size() == 0) continue;
    std::normal_distribution<float> normal(0.0f, std::sqrt(2.0f / static_cast<float>(p.weights.cols())));
    for (long j = 0; j < p.weights.cols(); ++j)
      for (long i = 0; i < p.weights.rows(); ++i) p.weights(i, j) = normal(rng);
    p.bias.setZero();
  }
}

double training_memory_bytes(const workload::Network& net, int batch_size) {
  double params = 0, per_image = 0;
  for (const auto& l : net.layers) {
    if (l.is_weighted()) params += double(l.weights()) + l.out_channels;
    // The activation and its gradient, and for a conv the im2col matrix and its gradient.
    per_image += 2.0 * double(l.out_shape.elements());
    if (l.kind == workload::LayerKind::conv) per_image += 2.0 * double(l.kernel_rows()) * l.positions();
  }
  per_image += double(net.input.elements());
  // Model, two optimizer moments, one gradient per shard and their sum: (4 + kShards) x.
  return sizeof(float) * ((4.0 + kShards) * params + per_image * std::max(batch_size, 1));
}

TrainReport train(Model& model, const Dataset& data, const TrainOptions& o) {
  check(o);
  if (data.images.rows() != model.input_shape().elements())
    throw InputError("train: data set " + data.name + " has " + std::to_string(data.images.rows()) +
                     " pixels per image; network '" + model.network_name() + "' takes " +
                     std::to_string(model.input_shape().elements()));
  const int n = o.limit > 0 ? std::min(o.limit, data.size()) : data.size();
  if (n == 0) throw InputError("train: no training images");
  const auto start = std::chrono::steady_clock::now();
  Optimizer opt(o, model);
  std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ull);
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  TrainReport report;
  std::vector<LayerParams> grads;
  Matrix batch(data.images.rows(), o.batch_size);
  std::vector<int> labels;
  std::vector<Shard> shards(kShards);
  for (int e = 0; e < o.epochs; ++e) {
    const auto t0 = std::chrono::steady_clock::now();
    // Fisher-Yates with our own index draw: std::shuffle's use of the engine is unspecified.
    for (int i = n - 1; i > 0; --i) std::swap(order[i], order[rng() % uint64_t(i + 1)]);
    const double lr = o.learning_rate * std::pow(o.lr_decay, e / o.decay_epochs);
    const int batches = (n + o.batch_size - 1) / o.batch_size;
    Progress progress("epoch " + std::to_string(e + 1) + "/" + std::to_string(o.epochs), batches, o.quiet);
    double loss_sum = 0;
    long correct = 0;
    for (int b = 0; b < batches; ++b) {
      const int first = b * o.batch_size, count = std::min(o.batch_size, n - first);
      batch.resize(Eigen::NoChange, count);
      labels.resize(count);
      for (int j = 0; j < count; ++j) {
        batch.col(j) = data.images.col(order[first + j]);
        labels[j] = data.labels[order[first + j]];
      }
      loss_sum += sharded_gradients(model, batch, labels, shards, grads, correct);
      opt.step(model, grads, lr);
      progress.advance();
    }
    progress.finish();
    EpochSummary es;
    es.mean_loss = loss_sum / n;
    es.train_accuracy = static_cast<double>(correct) / n;
    es.learning_rate = lr;
    es.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!std::isfinite(es.mean_loss))
      throw SolverError("train: the loss diverged in epoch " + std::to_string(e + 1) +
                        " (lower the learning rate)");
    report.epochs.push_back(es);
  }
  for (const auto& p : model.params())
    if (!p.weights.allFinite() || !p.bias.allFinite())
      throw SolverError("train: the weights diverged to non-finite values (learning rate " +
                        std::to_string(o.learning_rate) + ")");
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace rramsim::nn
