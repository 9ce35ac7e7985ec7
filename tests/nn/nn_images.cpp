// Real image inputs from a folder (PNG decoded with stb) with the preprocessing of a model
// given as a TOML next to it: the first 100 MNIST test digits written as PNG files in one
// subfolder per label read back as the same inputs, and `rramsim evaluate --network
// model.onnx --scheme` runs on them.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "rramsim/common/data_path.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/nn/from_network.hpp"
#include "rramsim/nn/image_folder.hpp"
#include "support.hpp"

using namespace rramsim;
using namespace rramsim::nn;

TEST_CASE("nn: an image folder with a preprocessing TOML next to an ONNX model feeds evaluate") {
  const std::filesystem::path dir = std::filesystem::path(RRAMSIM_TEST_TMP) / "images-side";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Dataset mnist = load_dataset({.name = "mnist", .split = "test", .dir = {}, .limit = 100});
  for (int k = 0; k < mnist.size(); ++k) {
    const auto sub = dir / "digits" / std::to_string(mnist.labels[k]);
    std::filesystem::create_directories(sub);
    std::vector<uint8_t> px(784);
    for (int i = 0; i < 784; ++i) px[i] = uint8_t(std::lround(mnist.images(i, k) * 255.0f));
    write_png(sub / fmt::format("{:03d}.png", k), 28, 28, 1, px);
  }
  const auto toml = dir / "lenet5.toml";
  std::ofstream(toml) << "[preprocess]\nchannels = 1\nheight = 28\nwidth = 28\nscale = 0.00392156862745098\n"
                         "mean = [0.0]\nstd = [1.0]\n[dataset]\nfolder = \"digits\"\n";
  Dataset d = load_dataset({.name = toml.string(), .split = "test", .dir = {}, .limit = 0});
  REQUIRE(d.size() == 100);
  REQUIRE(d.images.rows() == 784);
  // Subfolders sorted by name give the classes; files sorted within each: compare as sets.
  Model m = load_model("lenet5", rramsim::data_dir() / "weights/lenet5-mnist.h5");
  const double a_mnist = m.accuracy(mnist), a_png = m.accuracy(d);
  CHECK(a_png == a_mnist);
  CHECK(d.num_classes == 10);

  // The exported model with its sibling TOML: evaluate takes the images as the data set.
  const auto onnx = dir / "lenet5.onnx";
  REQUIRE(test::run_rramsim(fmt::format("export --network lenet5 --weights {} --out {}",
                                        (rramsim::data_dir() / "weights/lenet5-mnist.h5").string(),
                                        onnx.string()))
              .exit_code == 0);
  auto r = test::run_rramsim(fmt::format("evaluate --arch isaac --network {} --scheme baseline --json -q --calibration-images 50",
                                         onnx.string()));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out)["comparison"].back();  // the scheme's row
  CHECK(j["images"].get<int>() == 100);
  CHECK(j["float_accuracy"].get<double>() == Approx(a_png));
  CHECK_THAT(j["statistics"].get<std::string>(), Catch::Contains("lenet5.toml"));

  // Errors: unknown key, undecodable image.
  std::ofstream(dir / "bad.toml") << "[preprocess]\nchanels = 1\n";
  CHECK_THROWS_WITH(load_preprocess(dir / "bad.toml"), Catch::Contains("chanels"));
  std::ofstream(dir / "digits" / "0" / "broken.png") << "not a png";
  CHECK_THROWS_WITH(load_dataset({.name = toml.string(), .split = "test", .dir = {}, .limit = 0}),
                    Catch::Contains("broken.png: cannot decode"));
}
