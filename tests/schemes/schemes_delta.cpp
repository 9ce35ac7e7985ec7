#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "rramsim/schemes/scheme.hpp"
#include "rramsim/schemes/study.hpp"
#include "rramsim/common/error.hpp"
#include "support.hpp"

using namespace rramsim;
using namespace rramsim::schemes;

namespace {

nlohmann::json evaluate_json(const std::string& scheme, const std::filesystem::path& out) {
  auto r = test::run_rramsim("evaluate --arch isaac --network lenet5 --images 10 --calibration-images 20 -q --json "
                             "--scheme '" + scheme + "' -o " + out.string());
  INFO(scheme << ": " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(std::ifstream(out))["comparison"].back();  // the scheme's row
}

}  // namespace

TEST_CASE("schemes: accuracy-loss ADC sizing picks fewer bits for a looser delta and reports its epsilon") {
  auto dir = test::temp_dir("schemes-delta");
  nlohmann::json loose = evaluate_json("encoding+adc,adc-delta=0.5", dir / "loose.json");
  nlohmann::json tight = evaluate_json("encoding+adc,adc-delta=0.001", dir / "tight.json");
  for (const auto* j : {&loose, &tight}) {
    REQUIRE(j->contains("adc_epsilon_chosen"));
    const auto& s = (*j)["adc_epsilon_search"];
    CHECK(s["images"] == 20);
    // The choice is the last rung tried, and (unless the ladder ran out) within delta.
    CHECK(s["tried"].back()["epsilon"] == (*j)["adc_epsilon_chosen"]);
    if ((*j)["adc_epsilon_chosen"].get<double>() > 0)
      CHECK(s["accuracy"].get<double>() >= s["ideal_adc_accuracy"].get<double>() - s["delta"].get<double>() - 1e-12);
  }
  CHECK(loose["adc_epsilon_chosen"].get<double>() >= tight["adc_epsilon_chosen"].get<double>());
  CHECK(loose["adc_bits_mean"].get<double>() <= tight["adc_bits_mean"].get<double>());
}

TEST_CASE("schemes: bad adc_accuracy_delta values give clear errors and a non-zero exit") {
  for (std::string bad : {"adc-delta=0", "adc-delta=1", "adc-delta=-0.1", "adc-delta=lots", "adc-delta"})
    CHECK_THROWS_WITH(resolve_scheme("encoding," + bad), Catch::Contains("adc-delta") && Catch::Contains("(0, 1)"));
  auto dir = test::temp_dir("schemes-delta-bad");
  std::ofstream(dir / "range.toml") << "base = \"encoding\"\nadc_accuracy_delta = 2.0\n";
  CHECK_THROWS_WITH(resolve_scheme((dir / "range.toml").string()), Catch::Contains("adc_accuracy_delta"));
  std::ofstream(dir / "zero.toml") << "base = \"encoding\"\nadc_accuracy_delta = 0.0\n";
  CHECK_THROWS_WITH(resolve_scheme((dir / "zero.toml").string()), Catch::Contains("adc_accuracy_delta"));
  std::ofstream(dir / "type.toml") << "base = \"encoding\"\nadc_accuracy_delta = \"small\"\n";
  CHECK_THROWS_WITH(resolve_scheme((dir / "type.toml").string()), Catch::Contains("adc_accuracy_delta"));
  std::ofstream(dir / "good.toml") << "base = \"encoding\"\nadc_accuracy_delta = 0.01\n";
  SchemeOptions good = resolve_scheme((dir / "good.toml").string());
  CHECK(good.adc_optimize);
  CHECK(good.adc_accuracy_delta == 0.01);

  // Synthetic networks have no labelled data to measure an accuracy loss on.
  StudyOptions so;
  so.scheme = resolve_scheme("encoding+adc,adc-delta=0.01");
  so.network = "vgg16";
  CHECK_THROWS_WITH(run_study(so), Catch::Contains("adc_accuracy_delta needs trained weights"));

  auto out = dir / "report.txt";
  for (const std::string& bad : std::vector<std::string>{"encoding+adc,adc-delta=3", "encoding+adc,adc-delta=x",
                                                          (dir / "type.toml").string()}) {
    auto r = test::run_rramsim("evaluate --arch isaac --network lenet5 --images 10 -q --scheme '" + bad + "' -o " +
                               out.string());
    INFO(bad << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("rramsim: error: ") != std::string::npos);
    CHECK(r.err.find("adc") != std::string::npos);
    CHECK(!std::filesystem::exists(out));
  }
}
