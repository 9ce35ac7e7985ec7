#include <catch2/catch.hpp>

#include <random>

#include "rramsim/schemes/bit_accurate_hook.hpp"
#include "rramsim/schemes/datapath.hpp"
#include "rramsim/schemes/scheme.hpp"
#include "rramsim/common/error.hpp"

using namespace rramsim;
using namespace rramsim::schemes;

namespace {

// Random signed weights (Gaussian, as trained layers) and ReLU-like sparse inputs.
IntMatrix random_weights(int m, int k, int bits, std::mt19937& g) {
  std::normal_distribution<double> n(0.0, 0.25);
  const int qmax = (1 << (bits - 1)) - 1;
  IntMatrix w(m, k);
  for (Eigen::Index i = 0; i < w.size(); ++i)
    w.data()[i] = int32_t(std::clamp(std::lround(n(g) * qmax), -long(qmax), long(qmax)));
  return w;
}

IntMatrix random_inputs(int k, int p, int bits, std::mt19937& g) {
  std::normal_distribution<double> n(0.0, 0.2);
  const long xmax = (1L << bits) - 1;
  IntMatrix x(k, p);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = int32_t(std::clamp(std::lround(n(g) * xmax), 0L, xmax));
  return x;
}

AccMatrix exact(const IntMatrix& w, const IntMatrix& x) { return w.cast<int64_t>() * x.cast<int64_t>(); }

AccMatrix run(const SchemeOptions& s, const IntMatrix& w, const IntMatrix& x, SubwordStats* st = nullptr,
              const CalibratedAdc* adc = nullptr, uint64_t seed = 1) {
  DatapathRun r;
  r.weights = &w;
  r.inputs = &x;
  r.adc = adc;
  r.seed = seed;
  return run_datapath(s, r, st);
}

std::vector<SchemeOptions> every_encoding(SchemeOptions base) {
  std::vector<SchemeOptions> v;
  for (auto enc : {WeightEncoding::biased, WeightEncoding::differential})
    for (bool flip : {false, true})
      for (bool inv : {false, true}) {
        SchemeOptions s = base;
        s.weight_encoding = enc;
        s.column_flip = flip;
        s.input_inversion = inv;
        v.push_back(s);
      }
  return v;
}

}  // namespace

TEST_CASE("schemes: an ideal full-resolution ADC gives the exact integer product") {
  std::mt19937 g(7);
  struct Geo { int wbits, abits, cell, dac, rows, m, k, p; };
  for (Geo geo : {Geo{16, 16, 2, 1, 128, 5, 300, 9}, Geo{8, 8, 2, 1, 128, 4, 25, 7}, Geo{8, 8, 3, 2, 64, 3, 150, 5},
                  Geo{16, 16, 1, 1, 128, 3, 129, 4}, Geo{16, 16, 4, 4, 256, 2, 400, 3}}) {
    SchemeOptions s;
    s.weight_bits = geo.wbits;
    s.activation_bits = geo.abits;
    s.bits_per_cell = geo.cell;
    s.dac_bits = geo.dac;
    s.rows = geo.rows;
    s.adc_bits = 0;
    IntMatrix w = random_weights(geo.m, geo.k, geo.wbits, g);
    IntMatrix x = random_inputs(geo.k, geo.p, geo.abits, g);
    AccMatrix want = exact(w, x);
    for (const SchemeOptions& e : every_encoding(s)) {
      INFO(e.summary());
      SubwordStats st;
      AccMatrix got = run(e, w, x, &st);
      CHECK(got == want);
      CHECK(st.clipped == 0);
      CHECK(st.computed + st.skipped_zero_input + st.skipped_zero_weight == st.nominal);
    }
  }
}

TEST_CASE("schemes: signed activations (offset binary) are exact too") {
  std::mt19937 g(3);
  SchemeOptions s;
  s.adc_bits = 0;
  IntMatrix w = random_weights(4, 200, 16, g);
  rramsim::nn::Matrix xf = rramsim::nn::Matrix::Random(200, 6);  // in [-1, 1]
  double scale;
  int64_t offset;
  IntMatrix x = quantize_activations(xf, 16, 0, &scale, &offset);
  REQUIRE(offset == 32768);
  DatapathRun r;
  r.weights = &w;
  r.inputs = &x;
  r.input_offset = offset;
  AccMatrix want = w.cast<int64_t>() * (x.cast<int64_t>().array() - offset).matrix();
  for (const SchemeOptions& e : every_encoding(s)) CHECK(run_datapath(e, r, nullptr) == want);
}

TEST_CASE("schemes: every encoding is lossless with an ideal ADC and equals the baseline") {
  std::mt19937 g(11);
  SchemeOptions base = resolve_scheme("baseline");
  base.adc_bits = 0;
  IntMatrix w = random_weights(6, 260, 16, g);
  IntMatrix x = random_inputs(260, 12, 16, g);
  AccMatrix ref = run(base, w, x);
  REQUIRE(ref == exact(w, x));
  for (std::string name : {"encoding", "encoding+adc", "baseline,invert", "baseline,noflip", "differential,flip"}) {
    SchemeOptions s = resolve_scheme(name);
    s.adc_bits = 0;
    s.adc_optimize = false;
    s.dynamic_quantization = false;
    INFO(name);
    CHECK(run(s, w, x) == ref);
  }
}

TEST_CASE("schemes: column flipping saves one ADC bit at 128 rows, 2 bits per cell, 1-bit inputs") {
  SchemeOptions plain = resolve_scheme("baseline,noflip");
  SchemeOptions flip = resolve_scheme("baseline");
  REQUIRE(flip.rows == 128);
  REQUIRE(flip.bits_per_cell == 2);
  REQUIRE(flip.dac_bits == 1);
  CHECK(plain.worst_case_adc_bits() == 9);  // ISAAC: log2(R) + v + w - 1
  CHECK(flip.worst_case_adc_bits() == 8);
  CHECK(plain.worst_case_adc_bits() - flip.worst_case_adc_bits() == 1);

  // Adversarial layer: every weight and input at full scale, all 128 rows driven.
  IntMatrix w = IntMatrix::Constant(3, 128, 32767);
  w.row(1).setConstant(-32767);
  w(2, 5) = 1234;
  IntMatrix x = IntMatrix::Constant(128, 2, 65535);
  AccMatrix want = exact(w, x);
  for (int bits : {8, 9}) {
    SubwordStats sf, sp;
    plain.adc_bits = flip.adc_bits = bits;
    AccMatrix got_flip = run(flip, w, x, &sf);
    AccMatrix got_plain = run(plain, w, x, &sp);
    CHECK(got_flip == want);  // flip: never clips at 8 bits
    CHECK(sf.clipped == 0);
    if (bits == 8) {
      CHECK(sp.clipped > 0);  // without flip 8 bits clip...
      CHECK(got_plain != want);
    } else {
      CHECK(got_plain == want);  // ...and 9 bits are needed
    }
  }
}

TEST_CASE("schemes: dynamic quantization with an unbounded window changes nothing") {
  std::mt19937 g(5);
  IntMatrix w = random_weights(5, 300, 16, g);
  IntMatrix x = random_inputs(300, 10, 16, g);
  // Calibrated-like noise so equality also covers the random draws.
  calibration::ErrorTable t;
  t.adc_bits = 8;
  t.max_psum = 128 * 3;
  t.prob = Eigen::MatrixXd::Zero(t.max_psum + 1, 256);
  for (int s = 0; s <= t.max_psum; ++s) {
    int c = std::min(s, 255);
    t.prob(s, c) += 0.8;
    t.prob(s, std::max(c - 1, 0)) += 0.1;
    t.prob(s, std::min(c + 1, 255)) += 0.1;
  }
  CalibratedAdc adc([&](int, int) -> const calibration::ErrorTable& { return t; }, 128);
  for (std::string name : {"baseline", "encoding", "baseline,invert"}) {
    SchemeOptions s = resolve_scheme(name);
    // "unbounded", and a 64-bit window that runs the most-significant-first datapath
    // (no 64-bit result lies 64 bits below its own leading one).
    for (std::string window : {"unbounded", "64"}) {
      SchemeOptions d = resolve_scheme(name + ",dynamic=" + window);
      REQUIRE(d.dynamic_quantization);
      SubwordStats a, b;
      CHECK(run(s, w, x, &a, &adc, 9) == run(d, w, x, &b, &adc, 9));
      CHECK(b.skipped_dynamic == 0);
      CHECK(a.computed == b.computed);
      CHECK(a.psum_hist == b.psum_hist);
    }
    // The same seed draws the same codes; a finite window skips and changes results.
    SchemeOptions d4 = resolve_scheme(name + ",dynamic=4");
    SubwordStats c;
    AccMatrix approx = run(d4, w, x, &c, nullptr);
    CHECK(c.skipped_dynamic > 0);
    CHECK(approx != exact(w, x));
  }
}

TEST_CASE("schemes: calibrated draws follow the table and are deterministic per seed") {
  std::mt19937 g(9);
  IntMatrix w = random_weights(4, 128, 16, g);
  IntMatrix x = random_inputs(128, 8, 16, g);
  SchemeOptions s = resolve_scheme("baseline");
  calibration::ErrorTable ideal;
  ideal.adc_bits = 8;
  ideal.max_psum = 384;
  ideal.prob = Eigen::MatrixXd::Zero(385, 256);
  for (int p = 0; p <= 384; ++p) ideal.prob(p, std::min(p, 255)) = 1.0;
  CalibratedAdc adc_ideal([&](int, int) -> const calibration::ErrorTable& { return ideal; }, 128);
  CHECK(run(s, w, x, nullptr, &adc_ideal) == run(s, w, x));

  calibration::ErrorTable noisy = ideal;
  for (int p = 1; p <= 384; ++p) {
    int c = std::min(p, 255);
    noisy.prob.row(p).setZero();
    noisy.prob(p, c) = 0.5;
    noisy.prob(p, c - 1) = 0.5;  // half the time one code low
  }
  CalibratedAdc adc_noisy([&](int, int) -> const calibration::ErrorTable& { return noisy; }, 128);
  AccMatrix a = run(s, w, x, nullptr, &adc_noisy, 1), b = run(s, w, x, nullptr, &adc_noisy, 1);
  AccMatrix c = run(s, w, x, nullptr, &adc_noisy, 2);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(a != run(s, w, x));

  // Every draw is one code low or exact: the per-subword error is bounded by its weight.
  CodeSampler cs(noisy);
  Rng rng(3);
  int low = 0;
  for (int i = 0; i < 10000; ++i) low += cs.sample(100, rng) == 99;
  CHECK(low == Approx(5000).margin(250));

  calibration::ErrorTable bad = ideal;
  bad.prob.resize(10, 10);
  CHECK_THROWS_AS(CodeSampler(bad), InputError);
}
