// The evaluate command: report, JSON keys, ADC figures from calibration tables.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "rramsim/arch/evaluate.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/h5.hpp"
#include "support.hpp"

using namespace rramsim;

namespace {

// A minimal calibration file (docs/schema.md): the groups and ADC-cost datasets that
// Tables::open reads, with ADC costs deliberately unlike the survey model's.
std::filesystem::path write_tables(const std::filesystem::path& dir) {
  auto p = dir / "tables.h5";
  auto f = h5::File::create(p);
  f.attr("rramsim_kind", "calibration");
  f.attr("schema_version", int64_t{calibration::kSchemaVersion});
  auto dev = f.create_group("device");
  dev.attr("bits_per_cell", int64_t{2});
  dev.write("level_mean_siemens", std::vector<double>{1e-6, 2e-5, 4e-5, 6e-5});
  auto xb = f.create_group("crossbar");
  xb.attr("rows", int64_t{128});
  xb.attr("cols", int64_t{128});
  xb.attr("read_volt", 0.2);
  xb.attr("nominal_wire_ohm", 1.0);
  xb.write("wire_ohm", std::vector<double>{1.0});
  // Read power (schema 3) of one wire value at one active-row count, for the circuit read energy.
  xb.write("active_rows", std::vector<int64_t>{128});
  xb.write("read_power_supply_watt", std::vector<double>{1e-3}, {"W", {"wire", "active"}, {1, 1}});
  xb.write("read_power_cell_watt", std::vector<double>{0.8e-3}, {"W", {"wire", "active"}, {1, 1}});
  xb.write("read_power_wire_watt", std::vector<double>{0.2e-3}, {"W", {"wire", "active"}, {1, 1}});
  xb.write("read_power_ideal_watt", std::vector<double>{1.2e-3}, {"W", {"wire", "active"}, {1, 1}});
  xb.write("read_power_samples", std::vector<int64_t>{4}, {"reads", {"wire", "active"}, {1, 1}});
  auto adc = f.create_group("adc");
  adc.attr("cost_model", "test-table");
  adc.write("bits", std::vector<int64_t>{6, 8});
  adc.write("active_rows_key", std::vector<int64_t>{0});
  adc.write("energy_pj", std::vector<double>{1.0, 3.0});
  adc.write("area_um2", std::vector<double>{500, 2000});
  adc.write("sample_rate_hz", std::vector<double>{1.28e9, 1.28e9});
  adc.write("power_mw", std::vector<double>{1.28, 3.84});
  return p;
}

}  // namespace

TEST_CASE("evaluate: the readable report has a table per layer, totals, breakdowns and peak figures") {
  auto r = test::run_rramsim("evaluate --arch isaac --network lenet5");
  REQUIRE(r.exit_code == 0);
  for (const char* s : {"conv1", "pool2", "fc3", "throughput", "energy per inference", "GOPS/W",
                        "GOPS/s/mm^2", "CE ", "PE ", "adc", "hypertransport", "ADC figures: ADC cost model 'isaac-survey'"})
    CHECK_THAT(r.out, Catch::Contains(s));
}

TEST_CASE("evaluate: --json holds the documented keys, consistent with each other") {
  auto dir = test::temp_dir("arch-json");
  auto r = test::run_rramsim("evaluate --arch isaac --network resnet18 --json -o " + (dir / "r.json").string());
  REQUIRE(r.exit_code == 0);
  std::ifstream in(dir / "r.json");
  auto j = nlohmann::json::parse(in);
  for (const char* k : {"throughput_gops", "energy_efficiency_gops_per_w", "area_efficiency_gops_per_s_mm2", "power_w",
                        "area_mm2", "energy_per_inference_j", "peak", "layers", "breakdown"})
    CHECK(j.contains(k));
  CHECK(j["peak"].contains("ce_gops_per_s_mm2"));
  CHECK(j["peak"].contains("pe_gops_per_w"));
  double e = 0;
  for (auto& [k, v] : j["breakdown"]["energy_j"].items()) e += v.get<double>();
  CHECK(e == Approx(j["energy_per_inference_j"].get<double>()));
  CHECK(j["layers"].size() == 31);
  CHECK(j["throughput_gops"].get<double>() / j["power_w"].get<double>() ==
        Approx(j["energy_efficiency_gops_per_w"].get<double>()));
  // Same through the library.
  auto rep = arch::evaluate(arch::load_hardware("isaac"), workload::load_network("resnet18"));
  CHECK(rep.throughput_gops == Approx(j["throughput_gops"].get<double>()));
}

TEST_CASE("evaluate: with --tables the ADC figures come from the calibration file and the report says so") {
  auto dir = test::temp_dir("arch-tables");
  auto tables = write_tables(dir);
  arch::EvaluateOptions opt;
  opt.tables = tables;
  auto hw = arch::load_hardware("isaac");
  auto rep = arch::evaluate(hw, workload::load_network("lenet5"), opt);
  CHECK_THAT(rep.adc_source, Catch::Contains(tables.string()) && Catch::Contains("test-table"));
  CHECK(rep.layers[0].adc.energy_per_conversion_j == Approx(3.0e-12));
  CHECK(rep.layers[0].adc.area_mm2 == Approx(2000e-6));
  // Events at the file's energy, less the always-on share (charged by time instead).
  const arch::Component* adc = hw.find(arch::Event::adc_conversion);
  double adc_events_j = 0;
  for (const auto& l : rep.layers) adc_events_j += l.energy_j.count("adc") ? l.energy_j.at("adc") : 0.0;
  CHECK(adc_events_j == Approx(rep.total(arch::Event::adc_conversion) * 3.0e-12 * (1 - adc->always_on_mw / adc->power_mw)));
  // Area of the ADCs from the file too.
  CHECK(rep.area_breakdown_mm2.at("adc") == Approx(168 * 12 * 8 * 2000e-6));

  auto r = test::run_rramsim("evaluate --arch isaac --network lenet5 --tables " + tables.string());
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("ADC figures: calibration tables " + tables.string()));
  auto r6 = test::run_rramsim("evaluate --arch isaac --network lenet5 --json --adc-bits 6 --tables " + tables.string());
  REQUIRE(r6.exit_code == 0);
  CHECK(nlohmann::json::parse(r6.out)["layers"][0]["adc"]["energy_per_conversion_j"].get<double>() == Approx(1e-12));
  // A resolution the file does not tabulate, and a file that is not a calibration file.
  r = test::run_rramsim("evaluate --arch isaac --network lenet5 --adc-bits 7 --tables " + tables.string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("no ADC of 7 bits"));
  std::ofstream(dir / "junk.h5") << "not hdf5";
  r = test::run_rramsim("evaluate --arch isaac --network lenet5 --tables " + (dir / "junk.h5").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("not an HDF5 file"));
}

TEST_CASE("evaluate: PRIME-like configuration and every shipped network evaluate") {
  auto prime = arch::load_hardware("prime");
  CHECK(prime.rows == 256);
  CHECK(prime.weight_slices(8) == 2);
  CHECK(prime.input_cycles(6) == 2);
  for (const char* n : {"lenet5", "alexnet", "vgg16", "resnet18", "resnet50"}) {
    INFO(n);
    for (const char* hw : {"isaac", "prime"}) {
      auto rep = arch::evaluate(arch::load_hardware(hw), workload::load_network(n));
      CHECK(rep.throughput_gops > 0);
      CHECK(rep.energy_per_inference_j > 0);
      CHECK(rep.crossbars_used <= rep.crossbars_available);
      CHECK(rep.throughput_gops <= rep.peak.gops * rep.chips * (1 + 1e-9));
    }
  }
}
