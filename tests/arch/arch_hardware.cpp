// Hardware files: every check names the file, the line and the key.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "rramsim/arch/evaluate.hpp"
#include "rramsim/common/data_path.hpp"
#include "rramsim/common/error.hpp"

using namespace rramsim::arch;
using namespace rramsim::workload;

namespace {

std::string isaac_text() {
  std::ifstream in(rramsim::data_dir().string() + "/hardware/isaac.toml");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

std::string error_of(const std::string& text) {
  try {
    parse_hardware(text, "hw.toml");
  } catch (const rramsim::InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("hardware: bad hardware files give errors naming file, line and key") {
  const std::string ok = isaac_text();
  CHECK(parse_hardware(ok, "hw.toml").components.size() == 15);
  CHECK_THAT(error_of(replace(ok, "power_mw = 2.0", "power_mw = -2.0")),
             Catch::Contains("hw.toml:") && Catch::Contains("component[0].power_mw") && Catch::Contains("out of range"));
  CHECK_THAT(error_of(replace(ok, "event = \"adc_conversion\"", "event = \"adc\"")),
             Catch::Contains("component[0].event") && Catch::Contains("unknown event 'adc'"));
  CHECK_THAT(error_of(replace(ok, "event = \"dac_activation\"", "event = \"adc_conversion\"")),
             Catch::Contains("component[1].event") && Catch::Contains("a second component serves 'adc_conversion'"));
  CHECK_THAT(error_of(replace(ok, "rows = 128", "rows = 0")), Catch::Contains("crossbar.rows") && Catch::Contains("out of range"));
  CHECK_THAT(error_of(replace(ok, "bits_per_cell = 2", "bits_per_cel = 2")), Catch::Contains("crossbar.bits_per_cell: required"));
  CHECK_THAT(error_of(replace(ok, "events_per_s = 2.56e9", "")), Catch::Contains("component[4].events_per_s: required"));
  CHECK_THAT(error_of(replace(ok, "level = \"ima\"", "level = \"tile\"")),
             Catch::Contains("component[0].level") && Catch::Contains("belong to the IMA level"));
  CHECK_THAT(error_of(replace(ok, "tiles_per_chip = 168", "tiles_per_chip = 168\ncores = 2")),
             Catch::Contains("unknown key 'hierarchy.cores'"));
  CHECK_THROWS_WITH(load_hardware("nosuch"), Catch::Contains("unknown hardware 'nosuch'"));
}

TEST_CASE("hardware: a network needing more chips than max_chips is refused") {
  Hardware hw = parse_hardware(replace(isaac_text(), "max_chips = 64", "max_chips = 2"), "hw.toml");
  CHECK_THROWS_WITH(evaluate(hw, load_network("vgg16")),
                    Catch::Contains("needs") && Catch::Contains("crossbars") && Catch::Contains("max_chips = 2"));
  CHECK(evaluate(hw, load_network("alexnet")).chips == 2);
  // 16-bit weights of 2-bit cells need 8 columns: an 4-column crossbar cannot hold one.
  Hardware narrow = parse_hardware(replace(isaac_text(), "cols = 128", "cols = 4"), "hw.toml");
  CHECK_THROWS_WITH(evaluate(narrow, load_network("lenet5")), Catch::Contains("need 8 columns"));
}
