// What `rramsim calibrate` prints: the run (stages, wall time), write-verify per level and a
// summary of the tables written (read back through Tables, so it shows what consumers see).
#include <fmt/format.h>

#include "rramsim/calibration/pipeline.hpp"
#include "rramsim/calibration/tables.hpp"

namespace rramsim::calibration {

std::vector<LevelProgramming> check_programming(const std::vector<double>& target_siemens,
                                                const std::vector<double>& mean_siemens,
                                                const std::vector<double>& success_fraction, double threshold) {
  std::vector<LevelProgramming> out;
  for (size_t l = 0; l < success_fraction.size(); ++l) {
    LevelProgramming p;
    p.level = static_cast<int>(l);
    p.target_siemens = l < target_siemens.size() ? target_siemens[l] : 0;
    p.mean_siemens = l < mean_siemens.size() ? mean_siemens[l] : 0;
    p.success_fraction = success_fraction[l];
    p.below_threshold = p.success_fraction < threshold;
    out.push_back(p);
  }
  return out;
}

std::string programming_warning(const LevelProgramming& l, double threshold) {
  return fmt::format("write-verify level {} (target {:.4g} uS): success fraction {:.4f} is below {:g} "
                     "(device.min_success_fraction)",
                     l.level, l.target_siemens * 1e6, l.success_fraction, threshold);
}

namespace {

nlohmann::json tables_summary(const std::filesystem::path& file) {
  Tables t = Tables::open(file);
  nlohmann::json j = {{"schema_version", t.schema_version()},
                      {"rows", t.rows()},
                      {"cols", t.cols()},
                      {"bits_per_cell", t.bits_per_cell()},
                      {"read_volt", t.read_volt()},
                      {"nominal_wire_ohm", t.nominal_wire_ohm()},
                      {"wire_ohm", t.wire_ohms()},
                      {"adc_bits", t.adc_bits()},
                      {"level_mean_siemens", t.level_mean_siemens()}};
  if (t.has_read_power()) {
    nlohmann::json p = nlohmann::json::array();
    for (double w : t.wire_ohms()) {
      ReadPowerPoint r = t.read_power(w, t.rows());
      p.push_back({{"wire_ohm", w}, {"all_rows_supply_watt", r.supply_watt}, {"all_rows_wire_watt", r.wire_watt}});
    }
    j["read_power"] = p;
  }
  return j;
}

}  // namespace

nlohmann::json to_json(const CalibrationReport& r) {
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : r.stages)
    stages.push_back({{"stage", s.stage}, {"seconds", s.seconds}, {"units", s.units}, {"resumed", s.resumed}});
  nlohmann::json levels = nlohmann::json::array();
  for (const auto& l : r.levels)
    levels.push_back({{"level", l.level},
                      {"target_siemens", l.target_siemens},
                      {"mean_siemens", l.mean_siemens},
                      {"success_fraction", l.success_fraction},
                      {"below_threshold", l.below_threshold}});
  return {{"output", r.file.string()},
          {"wall_seconds", r.wall_seconds},
          {"stages", stages},
          {"write_verify", {{"min_success_fraction", r.min_success_fraction}, {"levels", levels}}},
          {"warnings", r.warnings},
          {"tables", tables_summary(r.file)}};
}

std::string to_text(const CalibrationReport& r) {
  std::string t = fmt::format("wrote {} in {:.1f} s\n", r.file.string(), r.wall_seconds);
  for (const auto& s : r.stages)
    t += fmt::format("  {:<10} {:8.2f} s  ({} units, {} resumed)\n", s.stage, s.seconds, s.units, s.resumed);
  t += fmt::format("write-verify (success threshold {:g}):\n", r.min_success_fraction);
  for (const auto& l : r.levels)
    t += fmt::format("  level {}  target {:9.4g} uS  mean {:9.4g} uS  success {:.4f}{}\n", l.level,
                     l.target_siemens * 1e6, l.mean_siemens * 1e6, l.success_fraction,
                     l.below_threshold ? "  BELOW THRESHOLD" : "");
  return t;
}

}  // namespace rramsim::calibration
