#include "rramsim/calibration/inspect.hpp"

#include <fmt/format.h>

#include <sstream>

#include "rramsim/calibration/schema.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"

namespace rramsim::calibration {

namespace {

using nlohmann::json;

std::vector<std::string> split_names(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    out.push_back(item);
  }
  return out;
}

// Every dataset below `g`, with its shape, units and axes.
void list_datasets(const h5::Group& g, const std::string& prefix, json& out) {
  for (const auto& name : g.children()) {
    std::string path = prefix + "/" + name;
    if (g.has_group(name)) {
      list_datasets(g.group(name), path, out);
      continue;
    }
    auto d = g.dataset(name);
    json e{{"path", path}, {"dims", d.dims()}};
    if (d.has_attr("units")) e["units"] = d.attr_string("units");
    if (d.has_attr("axes")) e["axes"] = d.attr_string("axes");
    out.push_back(e);
  }
}

std::string join(const json& a) {
  std::string s;
  for (const auto& v : a) {
    if (!s.empty()) s += ", ";
    s += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return s;
}

}  // namespace

namespace {

// Length of a 1-D dataset (refusing any other shape).
hsize_t length(const h5::Dataset& d) {
  auto dims = d.dims();
  if (dims.size() != 1) throw InputError(d.path() + " is not 1-D");
  return dims[0];
}

json provenance(const h5::File& f) {
  json prov;
  for (const char* k : {"tool_version", "git_commit", "config_name", "engines", "ngspice_version", "start_time", "end_time"})
    prov[k] = f.attr_string(k);
  prov["seed"] = f.attr_int("seed");
  prov["threads"] = f.attr_int("threads");
  prov["wall_seconds"] = f.attr_double("wall_seconds");
  auto names = split_names(f.attr_string("stage_names"));
  auto secs = f.attr_doubles("stage_seconds");
  for (size_t i = 0; i < names.size() && i < secs.size(); ++i) prov["stage_seconds"][names[i]] = secs[i];
  return prov;
}

json crossbar_and_check(const Tables& t, const h5::Group& xb, json& j) {
  const hsize_t W = t.wire_ohms().size();
  auto active = xb.dataset(schema::kActiveRows);
  const hsize_t A = length(active);
  j["axes"] = {{"wire_ohm", t.wire_ohms()},
               {"active_rows", active.read_ints({A})},
               {"column_buckets", length(xb.dataset(schema::kColumnBucketFirst))},
               {"mixes", xb.read_strings(schema::kMixNames)},
               {"psum_max", t.rows() * ((1 << t.bits_per_cell()) - 1)},
               {"adc_bits", t.adc_bits()}};
  auto ratio = xb.dataset(schema::kIrRatioPooled).read_doubles({W, A});
  json ir = json::array();
  for (size_t w = 0; w < W; ++w) ir.push_back(std::vector<double>(ratio.begin() + w * A, ratio.begin() + (w + 1) * A));
  j["crossbar"] = {{"ir_ratio_pooled", ir}, {"engine_per_wire", xb.read_strings(schema::kEnginePerWire, {W})}};
  auto chk = xb.group(schema::kCheck);
  auto cw = chk.dataset(schema::kWireOhm);
  const hsize_t N = length(cw);
  return {{"reference_engine", chk.attr_string("reference_engine")},
          {"rows", chk.attr_int("rows")},
          {"cols", chk.attr_int("cols")},
          {"wire_ohm", cw.read_doubles({N})},
          {"max_rel_diff", chk.dataset(schema::kMaxRelDiff).read_doubles({N})},
          {"rms_rel_diff", chk.dataset(schema::kRmsRelDiff).read_doubles({N})}};
}

// Headline: ADC cost and error at the nominal wire resistance, per resolution.
json adc_headline(const Tables& t, const h5::Group& adc) {
  auto wires = t.wire_ohms();
  size_t wn = 0;
  for (size_t i = 1; i < wires.size(); ++i)
    if (std::abs(wires[i] - t.nominal_wire_ohm()) < std::abs(wires[wn] - t.nominal_wire_ohm())) wn = i;
  auto bits = t.adc_bits();
  const hsize_t B = bits.size(), W = wires.size();
  auto err = adc.dataset(schema::kErrorRate).read_doubles({B, W});
  auto mae = adc.dataset(schema::kMeanAbsErrorLsb).read_doubles({B, W});
  json per_bits = json::array();
  for (size_t b = 0; b < B; ++b) {
    AdcCost c = t.adc_cost(bits[b]);
    per_bits.push_back({{"bits", bits[b]},
                        {"energy_pj", c.energy_pj},
                        {"area_um2", c.area_um2},
                        {"power_mw", c.power_mw},
                        {"error_rate_nominal_wire", err[b * W + wn]},
                        {"mean_abs_error_lsb_nominal_wire", mae[b * W + wn]}});
  }
  return {{"cost_model", t.adc_model()},
          {"thresholds", adc.attr_string("thresholds")},
          {"lsb_amp", adc.attr_double("lsb_amp")},
          {"per_bits", per_bits}};
}

// Targets and programming success per level, against the run's threshold.
json write_verify_json(const Tables& t, const h5::Group& dev) {
  const double threshold = dev.has_attr("min_success_fraction") ? dev.attr_double("min_success_fraction") : 0.99;
  auto levels = t.level_target_siemens(), success = t.level_success_fraction(), mean = t.level_mean_siemens();
  json per = json::array();
  for (size_t l = 0; l < success.size(); ++l)
    per.push_back({{"level", l},
                   {"target_siemens", l < levels.size() ? levels[l] : 0.0},
                   {"mean_siemens", mean[l]},
                   {"success_fraction", success[l]},
                   {"below_threshold", success[l] < threshold}});
  return {{"min_success_fraction", threshold}, {"levels", per}};
}

// Supply power of a read of the whole array per (wire, active rows), and the wires' share.
json read_power_json(const Tables& t, const h5::Group& xb) {
  auto active = xb.dataset(schema::kActiveRows);
  auto rows = active.read_ints({length(active)});
  json supply = json::array(), wire_share = json::array();
  for (double w : t.wire_ohms()) {
    json s = json::array(), f = json::array();
    for (auto n : rows) {
      ReadPowerPoint p = t.read_power(w, double(n));
      s.push_back(p.supply_watt);
      f.push_back(p.supply_watt > 0 ? p.wire_watt / p.supply_watt : 0.0);
    }
    supply.push_back(s);
    wire_share.push_back(f);
  }
  return {{"supply_watt", supply}, {"wire_fraction", wire_share}};
}

}  // namespace

json inspect_json(const std::filesystem::path& file) {
  Tables t = Tables::open(file);  // validates kind, version, ranges and completeness
  auto f = h5::File::open(file);
  json j;
  try {
    f.verify_all();  // every dataset against its checksum: inspect is how a file is checked
    for (int b : t.adc_bits()) (void)t.error_table(b);  // and every table is a distribution
    j["file"] = file.string();
    j["kind"] = f.attr_string("rramsim_kind");
    j["schema_version"] = f.attr_int("schema_version");
    j["provenance"] = provenance(f);
    auto dev = f.group(schema::kDevice), xb = f.group(schema::kCrossbar), adc = f.group(schema::kAdc);
    j["geometry"] = {{"rows", t.rows()},
                     {"cols", t.cols()},
                     {"bits_per_cell", t.bits_per_cell()},
                     {"read_volt", t.read_volt()},
                     {"cell", xb.attr_string("cell")},
                     {"nominal_wire_ohm", t.nominal_wire_ohm()}};
    const hsize_t L = t.level_mean_siemens().size();
    j["device"] = {{"params", dev.attr_string("params")},
                   {"devices", dev.attr_int("devices")},
                   {"level_mean_siemens", t.level_mean_siemens()},
                   {"level_std_siemens", dev.dataset(schema::kLevelStdSiemens).read_doubles({L})},
                   {"levels_overlap_3sigma", dev.attr_int("levels_overlap_3sigma") != 0}};
    j["write_verify"] = write_verify_json(t, dev);
    j["check"] = crossbar_and_check(t, xb, j);
    if (t.has_read_power()) j["read_power"] = read_power_json(t, xb);
    if (f.has_attr(schema::kDeviceParamsToml)) j["device_params_toml"] = f.attr_string(schema::kDeviceParamsToml);
    j["adc"] = adc_headline(t, adc);
    json ds = json::array();
    list_datasets(f, "", ds);
    j["datasets"] = ds;
    j["config_toml"] = f.attr_string("config_toml");
  } catch (const InputError& e) {
    throw InputError(file.string() + " is incomplete or corrupt: " + e.what());
  }
  return j;
}

std::string inspect_text(const json& j) {
  std::string s;
  auto& p = j["provenance"];
  s += fmt::format("{}: rramsim calibration tables, schema version {}\n", j["file"].get<std::string>(),
                   j["schema_version"].get<int>());
  s += fmt::format("  made by rramsim {} ({}) from {}, seed {}, {} thread(s)\n", p["tool_version"].get<std::string>(),
                   p["git_commit"].get<std::string>(), p["config_name"].get<std::string>(), p["seed"].get<int64_t>(),
                   p["threads"].get<int>());
  s += fmt::format("  {} -> {} ({:.1f} s); engines: {}; ngspice: {}\n", p["start_time"].get<std::string>(),
                   p["end_time"].get<std::string>(), p["wall_seconds"].get<double>(), p["engines"].get<std::string>(),
                   p["ngspice_version"].get<std::string>());
  std::string st;
  for (auto& [k, v] : p["stage_seconds"].items()) {
    if (!st.empty()) st += ", ";
    st += fmt::format("{} {:.2f} s", k, v.get<double>());
  }
  s += "  stage times: " + st + "\n";
  auto& g = j["geometry"];
  s += fmt::format("crossbar {}x{} {}, {} bit(s) per cell, read {} V, nominal wire {} ohm\n", g["rows"].get<int>(),
                   g["cols"].get<int>(), g["cell"].get<std::string>(), g["bits_per_cell"].get<int>(),
                   g["read_volt"].get<double>(), g["nominal_wire_ohm"].get<double>());
  auto& a = j["axes"];
  s += "axes:\n  wire_ohm: " + join(a["wire_ohm"]) + "\n  active_rows: " + join(a["active_rows"]) +
       fmt::format("\n  column buckets: {}\n  mixes: ", a["column_buckets"].get<int>()) + join(a["mixes"]) +
       fmt::format("\n  psum: 0..{}\n  adc_bits: ", a["psum_max"].get<int>()) + join(a["adc_bits"]) + "\n";
  s += "device levels (mean S): " + join(j["device"]["level_mean_siemens"]) + "\n";
  auto& wv = j["write_verify"];
  s += fmt::format("write-verify per level (success threshold {:g}):\n", wv["min_success_fraction"].get<double>());
  for (auto& l : wv["levels"])
    s += fmt::format("  level {}  target {:9.4g} uS  mean {:9.4g} uS  success {:.4f}{}\n", l["level"].get<int>(),
                     l["target_siemens"].get<double>() * 1e6, l["mean_siemens"].get<double>() * 1e6,
                     l["success_fraction"].get<double>(), l["below_threshold"].get<bool>() ? "  BELOW THRESHOLD" : "");
  auto& c = j["check"];
  s += fmt::format("check vs {} ({}x{}):", c["reference_engine"].get<std::string>(), c["rows"].get<int>(),
                   c["cols"].get<int>());
  for (size_t i = 0; i < c["wire_ohm"].size(); ++i)
    s += fmt::format(" wire {} ohm max rel diff {:.2e};", c["wire_ohm"][i].get<double>(), c["max_rel_diff"][i].get<double>());
  s += "\nIR drop, sum of real / sum of ideal column current (wire x active rows):\n";
  for (size_t w = 0; w < a["wire_ohm"].size(); ++w) {
    s += fmt::format("  {:>6} ohm:", a["wire_ohm"][w].get<double>());
    for (auto& v : j["crossbar"]["ir_ratio_pooled"][w]) s += fmt::format(" {:.4f}", v.get<double>());
    s += "\n";
  }
  if (j.contains("read_power")) {
    s += "read power of the whole array, supply W (wire share), wire x active rows:\n";
    for (size_t w = 0; w < a["wire_ohm"].size(); ++w) {
      s += fmt::format("  {:>6} ohm:", a["wire_ohm"][w].get<double>());
      for (size_t k = 0; k < j["read_power"]["supply_watt"][w].size(); ++k)
        s += fmt::format(" {:.3e} ({:.2f})", j["read_power"]["supply_watt"][w][k].get<double>(),
                         j["read_power"]["wire_fraction"][w][k].get<double>());
      s += "\n";
    }
  } else {
    s += "read power: not in this file (schema version 2): the circuit read energy needs a re-run of calibrate\n";
  }
  s += fmt::format("ADC ({} cost model, {} thresholds), nominal wire:\n  bits  energy_pj  area_um2  error_rate  mean_abs_err_lsb\n",
                   j["adc"]["cost_model"].get<std::string>(), j["adc"]["thresholds"].get<std::string>());
  for (auto& b : j["adc"]["per_bits"])
    s += fmt::format("  {:>4}  {:>9.3f}  {:>8.0f}  {:>10.4f}  {:>16.4f}\n", b["bits"].get<int>(), b["energy_pj"].get<double>(),
                     b["area_um2"].get<double>(), b["error_rate_nominal_wire"].get<double>(),
                     b["mean_abs_error_lsb_nominal_wire"].get<double>());
  s += "datasets:\n";
  for (auto& d : j["datasets"]) {
    std::string dims;
    for (auto& n : d["dims"]) {
      if (!dims.empty()) dims += " x ";
      dims += n.dump();
    }
    s += fmt::format("  {} [{}]", d["path"].get<std::string>(), dims);
    if (d.contains("axes")) s += fmt::format(" ({})", d["axes"].get<std::string>());
    if (d.contains("units")) s += fmt::format(" {}", d["units"].get<std::string>());
    s += "\n";
  }
  return s;
}

}  // namespace rramsim::calibration
