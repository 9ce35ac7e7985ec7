#include <catch2/catch.hpp>
#include <random>
#include <iostream>
#include "rramsim/arch/nn/backprop.hpp"
#include "rramsim/arch/nn/trainer.hpp"
using namespace rramsim::arch::nn;
static LayerSpec mk(LayerKind k, std::string n, Shape in, int oc, int kk, int st, int pad, int g, bool relu) {
  LayerSpec s; s.kind = k; s.name = n; s.in = in; s.out.channels = oc; s.kernel_h = s.kernel_w = kk; s.stride = st; s.pad = pad; s.groups = g; s.relu = relu; infer_output_shape(s); return s;
}
TEST_CASE("scratch", "[.]") {
  for (int variant = 3; variant < 6; ++variant) {
    std::vector<LayerSpec> L{mk(LayerKind::conv, "c1", {2, 7, 7}, 4, 3, 1, 1, 1, false)};
    if (variant != 4) L.push_back(mk(LayerKind::max_pool, "p1", L.back().out, 0, 2, 2, variant == 2 ? 0 : 1, 1, false));
    L.push_back(mk(LayerKind::conv, "c2", L.back().out, 4, 3, 2, 1, 1, variant == 3));
    L.push_back(mk(LayerKind::fc, "f2", L.back().out, 3, 1, 1, 0, 1, false));
    Model m("g", {2, 7, 7}, L);
    he_initialize(m, 7);
    std::mt19937_64 rng(3);
    std::normal_distribution<float> normal(0, 1);
    Matrix x(98, 4);
    for (long i = 0; i < x.size(); ++i) x(i) = normal(rng);
    const std::vector<int> labels{0, 2, 1, 2};
    std::vector<LayerParams> grads;
    loss_and_gradients(m, x, labels, grads);
    auto loss = [&] { return softmax_cross_entropy(m.forward(x), labels); };
    int bad = 0;
    for (long i = 0; i < m.params()[0].weights.size(); ++i) {
      float& w = m.params()[0].weights(i);
      float keep = w;
      double num[3];
      float hs[3] = {1e-2f, 1e-3f, 3e-4f};
      for (int j = 0; j < 3; ++j) { w = keep + hs[j]; double u = loss(); w = keep - hs[j]; double d = loss(); w = keep; num[j] = (u - d) / (2 * hs[j]); }
      if (std::abs(num[1] - grads[0].weights(i)) > 1e-3 + 0.05 * std::abs(num[1])) { ++bad; std::cout << variant << " i " << i << " num " << num[0] << " " << num[1] << " " << num[2] << " bp " << grads[0].weights(i) << "\n"; }
    }
    std::cout << "variant " << variant << " bad " << bad << "\n";
  }
}
