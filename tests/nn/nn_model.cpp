// The float model built from data/networks/, the shipped trained weights, the MacHook seam
// and the `rramsim train` command.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "rramsim/workload/network.hpp"
#include "rramsim/common/data_path.hpp"
#include "rramsim/nn/from_network.hpp"
#include "rramsim/nn/trainer.hpp"
#include "rramsim/nn/weights.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "support.hpp"

using namespace rramsim;
using namespace rramsim::nn;

namespace {

const std::filesystem::path kData = rramsim::data_dir();

std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Checks a shipped weights file against the full test set and docs/training.md.
void check_shipped(const std::string& network, const std::string& dataset, const std::string& file) {
  const auto path = kData / "weights" / file;
  Model m = load_model(network, path);
  TrainingRecord r = read_training_record(path);
  CHECK(r.dataset == dataset);
  Dataset test = load_dataset({.name = dataset, .split = "test", .dir = {}, .limit = 0});
  REQUIRE(test.size() == 10000);
  const double acc = m.accuracy(test);
  INFO(network << " on " << dataset << ": " << acc << ", recorded " << r.test_accuracy);
  CHECK(std::abs(acc - r.test_accuracy) <= 0.001);
  // The documented figure is the recorded one.
  const std::string docs = read_text(std::filesystem::path(RRAMSIM_SOURCE_DIR) / "docs/training.md");
  CHECK_THAT(docs, Catch::Contains(fmt::format("{:.2f} %", 100 * r.test_accuracy)));
  CHECK_THAT(docs, Catch::Contains(r.command));
}

// Records every call and answers with the float product.
struct RecordingHook : MacHook {
  struct Seen {
    std::string layer;
    int index, group;
    long m, k, kx, p;
  };
  std::vector<Seen> calls;
  Matrix compute(const MacCall& c) override {
    calls.push_back({c.layer, c.layer_index, c.group, c.weights.rows(), c.weights.cols(), c.inputs.rows(),
                     c.inputs.cols()});
    return c.weights * c.inputs;
  }
};

struct WrongShapeHook : MacHook {
  Matrix compute(const MacCall& c) override { return Matrix::Zero(c.weights.rows() + 1, c.inputs.cols()); }
};

}  // namespace

TEST_CASE("nn: shipped LeNet-5 weights reach their documented float accuracy on MNIST") {
  check_shipped("lenet5", "mnist", "lenet5-mnist.h5");
  CHECK(read_training_record(kData / "weights/lenet5-mnist.h5").test_accuracy >= 0.985);
}

TEST_CASE("nn: shipped Fashion-MNIST VGG weights reach their documented float accuracy", "[long]") {
  check_shipped("fashion-vgg", "fashion-mnist", "fashion-vgg-fashion-mnist.h5");
  CHECK(read_training_record(kData / "weights/fashion-vgg-fashion-mnist.h5").test_accuracy >= 0.88);
}

TEST_CASE("nn: the MacHook gets the documented shapes and W*X reproduces the float outputs") {
  Model m = load_model("lenet5", kData / "weights/lenet5-mnist.h5");
  Dataset d = load_dataset({.name = "mnist", .split = "test", .dir = {}, .limit = 3});
  RecordingHook hook;
  Matrix with_hook = m.forward(d.images, &hook);
  Matrix plain = m.forward(d.images);
  REQUIRE(hook.calls.size() == 5);
  // conv1: 6 x (1*5*5), 28x28 positions (padding 2) per image; conv2: 16 x (6*5*5), 10x10.
  const std::vector<std::array<long, 3>> mkp{{6, 25, 3 * 784}, {16, 150, 3 * 100}, {120, 400, 3}, {84, 120, 3}, {10, 84, 3}};
  const std::vector<std::string> names{"conv1", "conv2", "fc1", "fc2", "fc3"};
  for (size_t i = 0; i < 5; ++i) {
    INFO("call " << i);
    CHECK(hook.calls[i].layer == names[i]);
    CHECK(hook.calls[i].index == static_cast<int>(i));
    CHECK(hook.calls[i].group == 0);
    CHECK(hook.calls[i].m == mkp[i][0]);
    CHECK(hook.calls[i].k == mkp[i][1]);
    CHECK(hook.calls[i].kx == mkp[i][1]);
    CHECK(hook.calls[i].p == mkp[i][2]);
  }
  CHECK((with_hook - plain).cwiseAbs().maxCoeff() <= 1e-5f * (1 + plain.cwiseAbs().maxCoeff()));
  CHECK(m.predict(d.images, &hook) == std::vector<int>{7, 2, 1});
  WrongShapeHook wrong;
  CHECK_THROWS_WITH(m.forward(d.images, &wrong), Catch::Contains("MacHook returned 7x2352 for layer 'conv1'"));

  // Grouped convolution: one call per group, each with its share of the channels.
  auto net = workload::parse_network(R"(name = "g"
[input]
channels = 4
height = 5
width = 5
[[layer]]
name = "gc"
type = "conv"
in_channels = 4
out_channels = 6
kernel = 3
padding = 1
groups = 2
activation = "relu"
[[layer]]
name = "out"
type = "fc"
in_features = 150
out_features = 3
)", "grouped.toml");
  Model g = model_from_network(net);
  for (auto& p : g.params()) p.weights.setRandom();
  Matrix x = Matrix::Random(100, 2);
  RecordingHook gh;
  Matrix gy = g.forward(x, &gh);
  REQUIRE(gh.calls.size() == 3);
  CHECK(gh.calls[1].group == 1);
  CHECK(gh.calls[1].m == 3);
  CHECK(gh.calls[1].k == 2 * 9);
  CHECK(gh.calls[1].p == 2 * 25);
  CHECK(gh.calls[2].index == 1);
  CHECK((gy - g.forward(x)).cwiseAbs().maxCoeff() <= 1e-4f);
}

TEST_CASE("nn: weights that do not match the network are refused with clear errors") {
  auto dir = test::temp_dir("nn-weights");
  CHECK_THROWS_WITH(load_model("lenet5", dir / "none.h5"), Catch::Contains("no such file"));
  std::ofstream(dir / "text.h5") << "not hdf5";
  CHECK_THROWS_WITH(load_model("lenet5", dir / "text.h5"), Catch::Contains("not an HDF5 file"));
  { h5::File::create(dir / "foreign.h5").create_group("conv1"); }
  CHECK_THROWS_WITH(load_model("lenet5", dir / "foreign.h5"), Catch::Contains("not an rramsim weights file"));
  // Trained for another network.
  CHECK_THROWS_WITH(load_model("fashion-vgg", kData / "weights/lenet5-mnist.h5"),
                    Catch::Contains("trained for network 'lenet5', not 'fashion-vgg'"));
  // Same name, conv1 with 8 instead of 6 filters.
  std::string text = read_text(kData / "networks/lenet5.toml");
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  replace("out_channels = 6", "out_channels = 8");
  replace("in_channels = 6", "in_channels = 8");
  Model wide = model_from_network(workload::parse_network(text, "wide.toml"));
  save_weights(wide, {}, dir / "wide.h5");
  CHECK_THROWS_WITH(load_model("lenet5", dir / "wide.h5"),
                    Catch::Contains("layer 'conv1' weight shape [8,5,5,1] does not match the network's [6,5,5,1]"));
}

TEST_CASE("nn: the float model runs residual graphs (ResNet-18 as a DAG)") {
  Model m = model_from_network(workload::load_network("resnet18"));
  he_initialize(m, 3);
  Matrix x = Matrix::Constant(m.input_shape().elements(), 1, 0.5f);
  Matrix y = m.forward(x);
  CHECK(y.rows() == 1000);
  CHECK(y.allFinite());
}

TEST_CASE("nn: rramsim train is seeded and reproducible, bad input exits non-zero with no output") {
  auto dir = test::temp_dir("nn-train");
  // Small runs: 600 images, one epoch; `extra` overrides nothing, it only adds.
  auto train = [&](const std::string& extra, const std::string& out, const std::string& network = "lenet5",
                   const std::string& dataset = "mnist", int epochs = 1) {
    return test::run_rramsim(fmt::format("train --network {} --dataset {} --epochs {} --batch 50 --limit 600 "
                                         "--quiet {} --out {}",
                                         network, dataset, epochs, extra, (dir / out).string()));
  };
  auto a = train("--seed 5", "a.h5");
  INFO(a.err);
  REQUIRE(a.exit_code == 0);
  CHECK_THAT(a.out, Catch::Contains("test accuracy (float, 10000 images of mnist)"));
  auto b = train("--seed 5", "b.h5");
  REQUIRE(b.exit_code == 0);
  auto wa = h5::File::open(dir / "a.h5").group("conv2").dataset("weight").read_doubles();
  auto wb = h5::File::open(dir / "b.h5").group("conv2").dataset("weight").read_doubles();
  CHECK(wa == wb);
  auto rec = read_training_record(dir / "a.h5");
  CHECK(rec.test_accuracy > 0.3);  // 12 steps of 50 images: well above chance (0.1)
  CHECK(rec.seed == 5);

  auto bad = train("", "c.h5", "lenet5", "cifar10");
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("unknown data set 'cifar10'"));
  auto missing = train("--data-dir " + dir.string(), "d.h5");
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("missing file"));
  auto epochs = train("", "e.h5", "lenet5", "mnist", 0);
  CHECK(epochs.exit_code == 1);
  CHECK_THAT(epochs.err, Catch::Contains("epochs must be >= 1"));
  auto net = train("", "f.h5", "nosuch");
  CHECK(net.exit_code == 1);
  for (auto f : {"c.h5", "d.h5", "e.h5", "f.h5"}) CHECK(!std::filesystem::exists(dir / f));
}
