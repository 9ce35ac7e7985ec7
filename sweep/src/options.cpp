#include "rramsim/sweep/options.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "rramsim/common/config.hpp"
#include "rramsim/common/data_path.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/paths.hpp"

namespace rramsim::sweep {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kSchemeKeys = {"adc_bits", "window_bits", "weight_bits", "activation_bits",
                                              "dac_bits"};

KeyKind kind_of(const Config& c, const std::string& key) {
  for (const auto& k : kSchemeKeys)
    if (key == k) return KeyKind::scheme;
  if (key == "crossbar.nominal_wire_ohm") return KeyKind::wire;  // plan_sweep checks it is on the grid
  if (key.rfind("hardware.", 0) == 0 && key.size() > 9) return KeyKind::hardware;
  for (const char* p : {"device.", "crossbar.", "adc."})
    if (key.rfind(p, 0) == 0 && key.size() > std::string(p).size()) return KeyKind::calibration;
  if (key == "seed") return KeyKind::calibration;
  std::string known;
  for (const auto& k : kSchemeKeys) known += k + ", ";
  throw InputError(c.where("key") + ": unknown axis key '" + key + "' (a calibration key device.*, crossbar.*, adc.*, " +
                   "seed; a scheme key " + known + "or hardware.<table>.<key>)");
}

// values = [...] or range = {start, stop, step | count} (stop included when on the step).
std::vector<double> axis_values(const Config& c) {
  bool has_values = c.has("values"), has_range = c.has("range");
  if (has_values == has_range) throw InputError(c.where(has_values ? "range" : "values") + ": give either values or range");
  if (has_values) {
    auto v = c.numbers("values", {});
    if (v.empty()) throw InputError(c.where("values") + ": needs at least one value");
    for (double x : v)
      if (!std::isfinite(x)) throw InputError(c.where("values") + ": values must be finite");
    return v;
  }
  Config r = c.table("range");
  double start = r.number("start", 0), stop = r.number("stop", 0);
  bool has_step = r.has("step"), has_count = r.has("count");
  if (has_step == has_count) throw InputError(r.where("step") + ": give either step or count");
  std::vector<double> v;
  if (has_count) {
    auto n = r.integer("count", 2, {.min = 1, .max = 100000});
    for (int64_t i = 0; i < n; ++i) v.push_back(n == 1 ? start : start + (stop - start) * double(i) / double(n - 1));
  } else {
    double step = r.number("step", 1);
    if (step == 0 || (stop - start) / step < 0) throw InputError(r.where("step") + ": does not lead from start to stop");
    auto n = static_cast<int64_t>(std::floor((stop - start) / step + 1e-9)) + 1;
    if (n > 100000) throw InputError(r.where("step") + ": more than 100000 values");
    for (int64_t i = 0; i < n; ++i) v.push_back(start + step * double(i));
  }
  return v;
}

bool reserved(const std::string& name) {
  for (const char* r : {"accuracy", "adc_error_rate", "ir_ratio", "energy_per_inference_j", "throughput_inferences_per_s",
                        "throughput_gops", "gops_per_w", "gops_per_s_mm2", "subwords_skipped_fraction", "read_volt", "rows",
                        "level", "point", "level_success_fraction", "calibration_group", "calibration_tables"})
    if (name == r) return true;
  return false;
}

Axis parse_axis(const Config& c, std::size_t i) {
  Axis a;
  if (c.has("key") == c.has("keys")) throw InputError(c.where("key") + ": give either key or keys");
  a.keys = c.has("key") ? std::vector<std::string>{c.string("key", "")} : c.strings("keys", {});
  if (a.keys.empty()) throw InputError(c.where("keys") + ": needs at least one key");
  for (const auto& k : a.keys) a.kinds.push_back(kind_of(c, k));
  std::string last = a.keys.front().substr(a.keys.front().rfind('.') + 1);
  a.name = c.string("name", last);
  if (a.name.empty() || a.name.find_first_of("/ .") != std::string::npos)
    throw InputError(c.where("name") + ": an axis name is a word (no '/', '.', spaces)");
  if (!c.has("name") && reserved(a.name)) {  // e.g. crossbar.rows -> crossbar_rows
    a.name = a.keys.front();
    std::replace(a.name.begin(), a.name.end(), '.', '_');
  }
  if (reserved(a.name))
    throw InputError(c.where("name") + ": '" + a.name + "' is the name of an output dataset; give the axis another name");
  a.values = axis_values(c);
  a.units = c.string("units", key_units(a.keys.front()));
  a.where = c.where("key");
  return a;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path relative_to(const fs::path& dir, const std::string& p) {
  fs::path q(p);
  return q.is_absolute() ? q : dir / q;
}

}  // namespace

std::string key_units(const std::string& key) {
  auto ends = [&](const std::string& s) { return key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0; };
  if (ends("_ohm")) return "ohm";
  if (ends("_volt")) return "V";
  if (ends("_siemens")) return "S";
  if (ends("_m")) return "m";
  if (key.find("bits") != std::string::npos) return "bits";
  if (ends("rows") || ends("cols")) return "rows";
  return "1";
}

SweepOptions load_sweep_options(const fs::path& file) {
  check_input_file(file, "sweep file");
  auto doc = ConfigDoc::from_file(file);
  Config c = doc.root();
  SweepOptions o;
  o.file = file;
  o.text = doc.text();
  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  if (!c.has("calibration")) throw InputError(c.where("calibration") + ": the base calibration config is required");
  o.calibration = relative_to(dir, c.string("calibration", ""));
  try {
    check_input_file(o.calibration, "base calibration config");
  } catch (const InputError& e) {
    throw InputError(c.where("calibration") + ": " + e.what());
  }
  o.calibration_text = read_text(o.calibration);
  o.hardware = c.string("hardware", o.hardware);
  if (fs::path(o.hardware).extension() == ".toml") o.hardware = relative_to(dir, o.hardware).string();
  o.network = c.string("network", o.network);
  if (fs::path(o.network).extension() == ".toml" || fs::path(o.network).extension() == ".onnx")
    o.network = relative_to(dir, o.network).string();
  if (c.has("weights")) {  // "" : synthetic statistics
    std::string w = c.string("weights", "");
    if (!w.empty()) {
      o.weights = relative_to(dir, w);
      if (!fs::exists(o.weights)) throw InputError(c.where("weights") + ": file " + o.weights.string() + " does not exist");
    }
  } else {  // as evaluate does: data/weights/<network>-*.h5 when shipped
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(data_dir() / "weights", ec))
      if (e.path().extension() == ".h5" && e.path().stem().string().rfind(o.network + "-", 0) == 0) found.push_back(e.path());
    std::sort(found.begin(), found.end());
    if (!found.empty()) o.weights = found.front();
  }
  o.data = c.string("data", "");
  o.scheme = c.string("scheme", o.scheme);
  o.images = static_cast<int>(c.integer("images", o.images, {.min = 1, .max = 1000000}));
  o.calibration_images = static_cast<int>(c.integer("calibration_images", o.calibration_images, {.min = 1, .max = 1000000}));
  o.seed = static_cast<uint64_t>(c.integer("seed", 1, {.min = 0}));
  o.mode = c.string("mode", "grid", {"grid", "zip"}) == "zip" ? Mode::zip : Mode::grid;
  auto axes = c.tables("axis");
  if (axes.empty()) throw InputError(c.where("axis") + ": a sweep needs at least one [[axis]]");
  for (std::size_t i = 0; i < axes.size(); ++i) {
    o.axes.push_back(parse_axis(axes[i], i));
    for (std::size_t j = 0; j < i; ++j)
      if (o.axes[j].name == o.axes[i].name)
        throw InputError(axes[i].where("name") + ": axis name '" + o.axes[i].name + "' is used twice");
  }
  if (o.mode == Mode::zip)
    for (const auto& a : o.axes)
      if (a.values.size() != o.axes.front().values.size())
        throw InputError(a.where + ": mode = \"zip\" needs axes of equal length (" +
                         std::to_string(o.axes.front().values.size()) + " vs " + std::to_string(a.values.size()) + ")");
  doc.reject_unknown_keys();
  return o;
}

}  // namespace rramsim::sweep
