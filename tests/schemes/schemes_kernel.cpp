// The plane kernel (1-bit inputs, 2-bit cells, <= 128 rows, no dynamic window) against the
// generic subword unit (taken by the most-significant-first order with a window no result
// can reach): same results bit for bit with calibrated draws, same statistics, and the same
// results whatever the number of threads; its AVX-512 loop against its scalar loop.
#include <catch2/catch.hpp>

#include <omp.h>
#include <random>
#include <vector>

#include "rramsim/schemes/datapath.hpp"
#include "rramsim/schemes/scheme.hpp"

using namespace rramsim;
using namespace rramsim::schemes;

namespace {

IntMatrix gaussian_weights(int m, int k, std::mt19937& g) {
  std::normal_distribution<double> n(0.0, 0.25);
  IntMatrix w(m, k);
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = int32_t(std::clamp(std::lround(n(g) * 32767), -32767L, 32767L));
  return w;
}

// Sparse, ReLU-like inputs, with a few rows at full scale so that inversion triggers.
IntMatrix sparse_inputs(int k, int p, std::mt19937& g) {
  std::normal_distribution<double> n(0.0, 0.3);
  IntMatrix x(k, p);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = int32_t(std::clamp(std::lround(n(g) * 65535), 0L, 65535L));
  for (int r = 0; r < k; r += 3) x(r, 0) = 65535;
  return x;
}

// Noisy codes: one low, exact or one high, and a deterministic row at psum 0.
calibration::ErrorTable noisy_table(int bits) {
  calibration::ErrorTable t;
  t.adc_bits = bits;
  t.max_psum = 128 * 3;
  const int top = (1 << bits) - 1;
  t.prob = Eigen::MatrixXd::Zero(t.max_psum + 1, top + 1);
  t.prob(0, 0) = 1.0;
  for (int s = 1; s <= t.max_psum; ++s) {
    const int c = std::min(s, top);
    t.prob(s, c) += 0.6;
    t.prob(s, std::max(c - 1, 0)) += 0.25;
    t.prob(s, std::min(c + 1, top)) += 0.15;
  }
  return t;
}

AccMatrix run(const SchemeOptions& s, const IntMatrix& w, const IntMatrix& x, const CalibratedAdc* adc,
              SubwordStats* st, bool histograms = true, DatapathRun::Loop loop = DatapathRun::Loop::fastest,
              const AdcPlan* plan = nullptr) {
  DatapathRun r;
  r.weights = &w;
  r.inputs = &x;
  r.adc = adc;
  r.seed = 17;
  r.histograms = histograms;
  r.loop = loop;
  r.plan = plan;
  return run_datapath(s, r, st);
}

}  // namespace

TEST_CASE("schemes: the plane kernel equals the generic datapath bit for bit, statistics included") {
  std::mt19937 g(21);
  const calibration::ErrorTable t8 = noisy_table(8), t9 = noisy_table(9);
  CalibratedAdc adc([&](int bits, int) -> const calibration::ErrorTable& { return bits == 9 ? t9 : t8; }, 128);
  for (int rows : {128, 64, 100}) {
    for (std::string name : {"baseline", "encoding", "baseline,noflip,adc=9", "differential,flip,invert"}) {
      SchemeOptions s = resolve_scheme(name);
      s.rows = rows;
      s.dynamic_quantization = false;
      SchemeOptions generic = s;
      generic.dynamic_quantization = true;
      generic.window_bits = 64;  // most-significant-first order, generic unit, nothing skipped
      const IntMatrix w = gaussian_weights(7, 300, g);
      const IntMatrix x = sparse_inputs(300, 11, g);
      for (const CalibratedAdc* a : std::vector<const CalibratedAdc*>{nullptr, &adc}) {
        INFO(name << ", " << rows << " rows, " << (a ? "calibrated" : "clipping"));
        SubwordStats k, u;
        const auto unit = DatapathRun::Loop::generic;
        CHECK(run(s, w, x, a, &k) == run(generic, w, x, a, &u, true, unit));
        CHECK(run(s, w, x, a, nullptr, false) == run(generic, w, x, a, nullptr, false, unit));  // one loop per chunk
        CHECK(k.computed == u.computed);
        CHECK(k.skipped_zero_input == u.skipped_zero_input);
        CHECK(k.skipped_zero_weight == u.skipped_zero_weight);
        CHECK(k.clipped == u.clipped);
        CHECK(k.active_rows == u.active_rows);
        CHECK(k.active_cells_by_level == u.active_cells_by_level);
        CHECK(k.conversions_by_bits == u.conversions_by_bits);
        CHECK(k.psum_hist == u.psum_hist);
        CHECK(k.computed + k.skipped_zero_input + k.skipped_zero_weight == k.nominal);
      }
    }
  }
}

TEST_CASE("schemes: calibrated results do not depend on the number of threads") {
  std::mt19937 g(4);
  const calibration::ErrorTable t = noisy_table(8);
  CalibratedAdc adc([&](int, int) -> const calibration::ErrorTable& { return t; }, 128);
  const IntMatrix w = gaussian_weights(16, 150, g);
  const IntMatrix x = sparse_inputs(150, 200, g);
  for (std::string name : {"baseline", "full"}) {
    INFO(name);
    const SchemeOptions s = resolve_scheme(name);
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    SubwordStats one, two;
    const AccMatrix a = run(s, w, x, &adc, &one);
    omp_set_num_threads(2);
    const AccMatrix b = run(s, w, x, &adc, &two);
    omp_set_num_threads(threads);
    CHECK(a == b);
    CHECK(one.computed == two.computed);
    CHECK(one.psum_hist == two.psum_hist);
    CHECK(one.active_cells_by_level == two.active_cells_by_level);
  }
}

// On a CPU with AVX-512 the kernel runs its vector loop; the scalar loop must give the same
// numbers: whole chunks and single slices (uniform and per-slice ADCs), tails of 1-7
// columns, one and two row words, clipping and calibrated draws, with and without histograms.
TEST_CASE("schemes: the plane kernel's vector loop equals its scalar loop") {
  std::mt19937 g(8);
  const calibration::ErrorTable t8 = noisy_table(8), t6 = noisy_table(6);
  CalibratedAdc adc([&](int bits, int) -> const calibration::ErrorTable& { return bits == 6 ? t6 : t8; }, 128);
  for (int rows : {128, 50}) {
    for (int weight_bits : {16, 10}) {
      for (int outputs : {7, 1, 16}) {
        SchemeOptions s = resolve_scheme("baseline");
        s.rows = rows;
        s.weight_bits = weight_bits;
        const IntMatrix w = gaussian_weights(outputs, 200, g).unaryExpr([&](int32_t v) {
          const int32_t q = (1 << (weight_bits - 1)) - 1;
          return std::clamp(v, -q, q);
        });
        const IntMatrix x = sparse_inputs(200, 9, g);
        AdcPlan mixed = AdcPlan::uniform(s, 8);
        for (size_t t = 0; t < mixed.bits.size(); t += 3) mixed.bits[t] = 6;
        for (const CalibratedAdc* a : std::vector<const CalibratedAdc*>{nullptr, &adc})
          for (const AdcPlan* plan : std::vector<const AdcPlan*>{nullptr, &mixed})
            for (bool hist : {false, true}) {
              INFO(rows << " rows, " << weight_bits << "-bit weights, " << outputs << " outputs, "
                        << (a ? "calibrated" : "clipping") << (plan ? ", mixed ADC" : "") << (hist ? ", histograms" : ""));
              SubwordStats v, c;
              CHECK(run(s, w, x, a, &v, hist, DatapathRun::Loop::fastest, plan) ==
                    run(s, w, x, a, &c, hist, DatapathRun::Loop::scalar, plan));
              CHECK(v.clipped == c.clipped);
              CHECK(v.psum_hist == c.psum_hist);
              CHECK(v.conversions_by_bits == c.conversions_by_bits);
              CHECK(v.active_cells_by_level == c.active_cells_by_level);
            }
      }
    }
  }
}

// Dynamic quantization on the ISAAC geometry runs the most-significant-first kernel (eight
// positions per vector with AVX-512, else one at a time); it must skip, draw and count
// exactly as the generic unit does, for windows that skip a lot or little, with 13
// positions (a full block of eight and a partial one).
TEST_CASE("schemes: the dynamic-quantization kernel equals the generic datapath bit for bit") {
  std::mt19937 g(33);
  const calibration::ErrorTable t8 = noisy_table(8), t6 = noisy_table(6);
  CalibratedAdc adc([&](int bits, int) -> const calibration::ErrorTable& { return bits == 6 ? t6 : t8; }, 128);
  for (std::string name : {"full", "full,differential", "full,noflip,noinvert"}) {
    for (int window : {2, 6, 10}) {
      for (int rows : {128, 40}) {
        SchemeOptions s = resolve_scheme(name);
        s.window_bits = window;
        s.rows = rows;
        const IntMatrix w = gaussian_weights(9, 170, g);
        const IntMatrix x = sparse_inputs(170, 13, g);
        AdcPlan mixed = AdcPlan::uniform(s, 8);
        for (size_t t = 1; t < mixed.bits.size(); t += 4) mixed.bits[t] = 6;
        for (const CalibratedAdc* a : std::vector<const CalibratedAdc*>{nullptr, &adc})
          for (const AdcPlan* plan : std::vector<const AdcPlan*>{nullptr, &mixed})
            for (bool hist : {false, true}) {
              INFO(name << ", W = " << window << ", " << rows << " rows, " << (a ? "calibrated" : "clipping")
                        << (plan ? ", mixed ADC" : "") << (hist ? ", histograms" : ""));
              SubwordStats k, u;
              CHECK(run(s, w, x, a, &k, hist, DatapathRun::Loop::fastest, plan) ==
                    run(s, w, x, a, &u, hist, DatapathRun::Loop::generic, plan));
              CHECK(k.computed == u.computed);
              CHECK(k.skipped_dynamic == u.skipped_dynamic);
              CHECK(k.skipped_zero_input == u.skipped_zero_input);
              CHECK(k.skipped_zero_weight == u.skipped_zero_weight);
              CHECK(k.clipped == u.clipped);
              CHECK(k.active_rows == u.active_rows);
              CHECK(k.reads_issued == u.reads_issued);
              CHECK(k.reads_window == u.reads_window);
              CHECK(k.read_conversions == u.read_conversions);
              CHECK(k.active_cells_by_level == u.active_cells_by_level);
              CHECK(k.conversions_by_bits == u.conversions_by_bits);
              CHECK(k.psum_hist == u.psum_hist);
              CHECK(run(s, w, x, a, nullptr, hist, DatapathRun::Loop::fastest, plan) ==
                    run(s, w, x, a, nullptr, hist, DatapathRun::Loop::generic, plan));  // no statistics
              SubwordStats one;  // one position at a time (the loop where AVX-512 does not run)
              CHECK(run(s, w, x, a, &one, hist, DatapathRun::Loop::scalar, plan) ==
                    run(s, w, x, a, nullptr, hist, DatapathRun::Loop::generic, plan));
              CHECK(one.active_cells_by_level == u.active_cells_by_level);
              CHECK(one.read_conversions == u.read_conversions);
            }
      }
    }
  }
}
