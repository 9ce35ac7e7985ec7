// Conv, pooling and fc forward passes against small hand-computed cases, and the backward
// pass against central finite differences.
#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "rramsim/nn/backprop.hpp"
#include "rramsim/nn/model.hpp"
#include "rramsim/nn/trainer.hpp"
#include "rramsim/common/error.hpp"

using namespace rramsim;
using namespace rramsim::nn;
using rramsim::workload::infer_output_shape;

namespace {

Layer conv(std::string name, Shape in, int out_c, int k, int stride, int pad, int groups = 1,
               bool relu = false) {
  Layer s;
  s.kind = LayerKind::conv;
  s.name = std::move(name);
  s.in_shape = in;
  s.out_channels = out_c;
  s.kernel_h = s.kernel_w = k;
  s.set_stride(stride);
  s.set_padding(pad);
  s.groups = groups;
  s.activation = relu ? workload::Activation::relu : workload::Activation::none;
  infer_output_shape(s);
  return s;
}

Layer pool(std::string name, workload::PoolMode mode, Shape in, int k, int stride, int pad = 0) {
  Layer s;
  s.kind = LayerKind::pool;
  s.pool_mode = mode;
  s.name = std::move(name);
  s.in_shape = in;
  s.kernel_h = s.kernel_w = k;
  s.set_stride(stride);
  s.set_padding(pad);
  infer_output_shape(s);
  return s;
}

Layer fc(std::string name, Shape in, int out, bool relu = false) {
  Layer s;
  s.kind = LayerKind::fc;
  s.name = std::move(name);
  s.in_shape = in;
  s.out_channels = out;
  s.activation = relu ? workload::Activation::relu : workload::Activation::none;
  infer_output_shape(s);
  return s;
}

Matrix column(std::vector<float> v) { return Eigen::Map<Matrix>(v.data(), long(v.size()), 1); }

}  // namespace

TEST_CASE("nn: convolution forward equals a hand-computed case (stride, padding, channels, groups)") {
  const Matrix x = column({1, 2, 3, 4, 5, 6, 7, 8, 9});  // 3x3, one channel
  {
    Model m("t", {1, 3, 3}, {conv("c", {1, 3, 3}, 1, 2, 1, 0)});
    m.params()[0].weights = Matrix{{1, 2, 3, 4}};  // [ky][kx]: [[1,2],[3,4]]
    m.params()[0].bias << 1;
    Matrix y = m.forward(x);
    REQUIRE(y.rows() == 4);
    CHECK(y(0) == 38);  // 1*1 + 2*2 + 4*3 + 5*4 + 1
    CHECK(y(1) == 48);
    CHECK(y(2) == 68);
    CHECK(y(3) == 78);
  }
  {
    // Padding 1, stride 2: the corner windows see mostly zeros.
    Model m("t", {1, 3, 3}, {conv("c", {1, 3, 3}, 1, 2, 2, 1)});
    m.params()[0].weights = Matrix{{1, 2, 3, 4}};
    Matrix y = m.forward(x);
    REQUIRE(y.rows() == 4);
    CHECK(y(0) == 4);   // only x(0,0) under kernel(1,1)
    CHECK(y(1) == 18);  // 3*x(0,1) + 4*x(0,2)
    CHECK(y(2) == 36);  // 2*x(1,0) + 4*x(2,0)
    CHECK(y(3) == 77);
  }
  {
    // Two input channels (HWC: channel fastest), weights [out][ky][kx][in].
    const Matrix x2 = column({1, 10, 2, 20, 3, 30, 4, 40});  // c0 = 1..4, c1 = 10..40
    Model m("t", {2, 2, 2}, {conv("c", {2, 2, 2}, 2, 2, 1, 0)});
    m.params()[0].weights = Matrix{{1, 0, 1, 0, 1, 0, 1, 0}, {0, 0.5, 0, 0.5, 0, 0.5, 0, 0.5}};
    Matrix y = m.forward(x2);
    CHECK(y(0) == 10);  // sum of channel 0
    CHECK(y(1) == 50);  // half the sum of channel 1
  }
  {
    // Groups: each output channel sees only its own input channel.
    const Matrix x2 = column({1, 10, 2, 20, 3, 30, 4, 40});
    Model m("t", {2, 2, 2}, {conv("c", {2, 2, 2}, 2, 1, 1, 0, /*groups=*/2, /*relu=*/true)});
    m.params()[0].weights = Matrix{{2}, {-1}};
    m.params()[0].bias << 0, 15;
    Matrix y = m.forward(x2);  // HWC: (pos0 c0, pos0 c1, pos1 c0, ...)
    CHECK(y(0) == 2);
    CHECK(y(1) == 5);   // -10 + 15
    CHECK(y(3) == 0);   // -20 + 15 through the ReLU
    CHECK(y(6) == 8);
  }
}

TEST_CASE("nn: pooling and fully connected forward equal hand-computed cases") {
  Matrix x = column({1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 6, 7, -1, -2, 9, 2});  // 4x4
  Model mp("t", {1, 4, 4}, {pool("p", workload::PoolMode::max, {1, 4, 4}, 2, 2)});
  Matrix y = mp.forward(x);
  REQUIRE(y.rows() == 4);
  CHECK(y(0) == 5);
  CHECK(y(1) == 8);
  CHECK(y(2) == 0);
  CHECK(y(3) == 9);
  Model ap("t", {1, 4, 4}, {pool("p", workload::PoolMode::avg, {1, 4, 4}, 2, 2)});
  y = ap.forward(x);
  CHECK(y(0) == Approx(3.25));  // (1+5+3+4)/4
  CHECK(y(3) == Approx(6.0));   // (6+7+9+2)/4
  // Padded max pooling (ResNet's stem): 3x3 windows, stride 2, pad 1 over 4x4 -> 2x2.
  Model pp("t", {1, 4, 4}, {pool("p", workload::PoolMode::max, {1, 4, 4}, 3, 2, 1)});
  y = pp.forward(x);
  REQUIRE(y.rows() == 4);
  CHECK(y(0) == 5);
  CHECK(y(3) == 9);

  Model f("t", {3, 1, 1}, {fc("f", {3, 1, 1}, 2)});
  f.params()[0].weights = Matrix{{1, 2, 3}, {-1, 0, 1}};
  f.params()[0].bias << 0.5, -0.5;
  y = f.forward(column({1, 1, 2}));
  CHECK(y(0) == 9.5f);
  CHECK(y(1) == 0.5f);
  CHECK_THROWS_AS(f.forward(column({1, 2})), InputError);
  CHECK_THROWS_WITH(Model("t", {1, 3, 3}, {conv("c", {1, 4, 4}, 1, 2, 1, 0)}),
                    Catch::Contains("layer 'c' expects input"));
}

namespace {

// Checks every 2nd parameter of `m` against central differences; returns "" or the misses.
std::string gradient_misses(Model& m, const Matrix& x, const std::vector<int>& labels, int& checked) {
  std::vector<LayerParams> grads;
  loss_and_gradients(m, x, labels, grads);
  auto loss = [&] { return softmax_cross_entropy(m.forward(x), labels); };
  const float h = 1e-3f;
  std::ostringstream misses;
  for (size_t l = 0; l < m.params().size(); ++l) {
    auto& p = m.params()[l];
    for (long i = 0; i < p.weights.size() + p.bias.size(); i += 2) {
      float& w = i < p.weights.size() ? p.weights(i) : p.bias(i - p.weights.size());
      const float g = i < p.weights.size() ? grads[l].weights(i) : grads[l].bias(i - p.weights.size());
      const float keep = w;
      w = keep + h;
      const double up = loss();
      w = keep - h;
      const double down = loss();
      w = keep;
      const double numeric = (up - down) / (2 * h);
      ++checked;
      if (std::abs(numeric - g) > 1e-3 + 0.02 * std::abs(numeric))
        misses << "layer " << l << " parameter " << i << ": numeric " << numeric << ", backprop " << g << "\n";
    }
  }
  return misses.str();
}

Matrix random_inputs(long rows, long cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  Matrix x(rows, cols);
  for (long i = 0; i < x.size(); ++i) x(i) = normal(rng);
  return x;
}

}  // namespace

TEST_CASE("nn: backward pass matches central finite differences") {
  // Every layer kind: padded conv, padded max pool, strided grouped conv, avg pool, fc.
  // The piecewise-linear kinks (ReLU at 0, max-pool ties) make finite differences
  // meaningless where a perturbation crosses one, so ReLU is checked on its own below,
  // with pre-activations kept far from 0.
  std::vector<Layer> layers{conv("c1", {2, 7, 7}, 4, 3, 1, 1)};
  layers.push_back(pool("p1", workload::PoolMode::max, layers.back().out_shape, 2, 2, 1));
  layers.push_back(conv("c2", layers.back().out_shape, 4, 3, 2, 1, 2));
  layers.push_back(pool("p2", workload::PoolMode::avg, layers.back().out_shape, 2, 1));
  layers.push_back(fc("f1", layers.back().out_shape, 6));
  layers.push_back(fc("f2", layers.back().out_shape, 3));
  Model m("g", {2, 7, 7}, layers);
  he_initialize(m, 7);
  std::mt19937_64 rng(3);
  std::normal_distribution<float> normal(0, 1);
  for (auto& p : m.params())
    for (long i = 0; i < p.bias.size(); ++i) p.bias(i) = 0.1f * normal(rng);
  int checked = 0;
  std::string misses = gradient_misses(m, random_inputs(98, 4, 3), {0, 2, 1, 2}, checked);
  INFO(misses);
  CHECK(misses.empty());
  CHECK(checked > 100);

  // ReLU: units with bias +-1 and small weights stay on their side of 0 under +-h, so
  // the live units pass gradient and the dead ones block it.
  Model r("r", {5, 1, 1}, {fc("a", {5, 1, 1}, 8, true), fc("b", {8, 1, 1}, 3)});
  he_initialize(r, 11);
  r.params()[0].weights *= 0.1f;
  for (int u = 0; u < 8; ++u) r.params()[0].bias(u) = u % 2 ? 1.0f : -1.0f;
  checked = 0;
  misses = gradient_misses(r, random_inputs(5, 6, 5), {0, 1, 2, 0, 1, 2}, checked);
  INFO(misses);
  CHECK(misses.empty());
  std::vector<LayerParams> grads;
  loss_and_gradients(r, random_inputs(5, 6, 5), {0, 1, 2, 0, 1, 2}, grads);
  CHECK(grads[0].weights.row(0).cwiseAbs().maxCoeff() == 0.0f);  // dead unit
  CHECK(grads[0].weights.row(1).cwiseAbs().maxCoeff() > 0.0f);   // live unit
}
