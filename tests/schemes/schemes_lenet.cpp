#include <catch2/catch.hpp>

#include <filesystem>

#include "rramsim/schemes/study.hpp"
#include "rramsim/common/data_path.hpp"

using namespace rramsim;
using namespace rramsim::schemes;

// Section 7: the whole MNIST test set bit-accurately under the baseline (16-bit weights and
// activations, 8-bit ADC) with ideal tables (every partial sum maps to its clipped code with
// probability 1, through the same sampling path as calibrated tables).
TEST_CASE("schemes: LeNet-5 on the MNIST test set under the baseline is within 0.5 % of the float model", "[long]") {
  auto weights = rramsim::data_dir() / "weights" / "lenet5-mnist.h5";
  REQUIRE(std::filesystem::exists(weights));
  std::map<int, calibration::ErrorTable> ideal;
  for (int bits = 1; bits <= 9; ++bits) {
    calibration::ErrorTable& t = ideal[bits];
    t.adc_bits = bits;
    t.max_psum = 128 * 3;
    t.prob = Eigen::MatrixXd::Zero(t.max_psum + 1, 1 << bits);
    for (int p = 0; p <= t.max_psum; ++p) t.prob(p, std::min(p, (1 << bits) - 1)) = 1.0;
  }
  CalibratedAdc adc([&](int bits, int) -> const calibration::ErrorTable& { return ideal.at(bits); }, 128);
  StudyOptions o;
  o.scheme = resolve_scheme("baseline");
  o.network = "lenet5";
  o.weights = weights;
  o.images = 0;  // all 10,000
  o.adc = &adc;
  StudyReport r = run_study(o);
  REQUIRE(r.images == 10000);
  REQUIRE(r.accuracy);
  REQUIRE(r.float_accuracy);
  INFO("bit-accurate " << *r.accuracy << ", float " << *r.float_accuracy);
  CHECK(*r.float_accuracy > 0.97);
  CHECK(std::abs(*r.accuracy - *r.float_accuracy) <= 0.005);
  for (const auto& l : r.layers) CHECK(l.clip_rate == 0.0);  // flip: 8 bits never clip
}
