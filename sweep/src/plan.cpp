#include "rramsim/sweep/plan.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <cstdio>
#include <map>
#include <sstream>

#include "rramsim/calibration/options.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/config.hpp"
#include "rramsim/common/data_path.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/schemes/scheme.hpp"

namespace rramsim::sweep {

namespace fs = std::filesystem;

namespace {

std::string fmt_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::vector<std::string> split_dots(const std::string& key) {
  std::vector<std::string> parts;
  std::stringstream ss(key);
  for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
  return parts;
}

// Sets dotted `key` of `root` to v, an integer where the key holds (or would hold) one.
void set_key(toml::table& root, const std::string& key, double v, const std::string& where) {
  auto parts = split_dots(key);
  toml::table* t = &root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    toml::node* n = t->get(parts[i]);
    if (!n) {
      t->insert(parts[i], toml::table{});
      n = t->get(parts[i]);
    }
    if (!n->is_table()) throw InputError(where + ": " + key + ": '" + parts[i] + "' is not a table in the config");
    t = n->as_table();
  }
  const toml::node* old = t->get(parts.back());
  const bool integral = std::floor(v) == v && std::abs(v) < 9e15;
  if (old && old->is_integer() && !integral)
    throw InputError(where + ": " + key + " takes integers, got " + std::to_string(v));
  if ((old && old->is_floating_point()) || !integral)
    t->insert_or_assign(parts.back(), v);
  else
    t->insert_or_assign(parts.back(), static_cast<int64_t>(v));
}

std::string serialize(const toml::table& t) {
  std::ostringstream ss;
  ss << t;
  return ss.str() + "\n";
}

toml::table parse_toml(const std::string& text, const std::string& name) {
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw InputError(name + ": " + std::string(e.description()));
  }
}

// A parameter or ADC-model file named relative to the base config is made absolute, so the
// resolved text means the same wherever it is parsed.
void absolutize(toml::table& root, const fs::path& base_dir) {
  auto fix = [&](const char* table, const char* key) {
    if (auto* t = root.get_as<toml::table>(table))
      if (auto* s = t->get_as<std::string>(key)) {
        fs::path p(s->get());
        if (p.extension() == ".toml" && p.is_relative()) *s = fs::absolute(base_dir / p).lexically_normal().string();
      }
  };
  fix("device", "params");
  fix("adc", "cost_model");
}

// A `device.params.<field>` axis: the calibration names its device by a preset or a
// parameter file, so the point's device is a parameter file of its own (the base preset or
// file's fields, then this field), content-addressed in the cache folder. The calibration's
// provenance stores its full text.
std::string device_params_file(const toml::table& cal, const std::map<std::string, double>& fields,
                               const fs::path& cache, const std::string& where) {
  std::string spec = "stanford-pku";
  if (auto* d = cal.get_as<toml::table>("device"))
    if (auto* s = d->get_as<std::string>("params")) spec = s->get();
  toml::table dev;
  if (fs::path(spec).extension() == ".toml") {
    std::ifstream in(spec);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) throw InputError(where + ": cannot read the device parameter file " + spec);
    dev = parse_toml(text.str(), spec);
  } else {
    dev.insert_or_assign("base", spec);
  }
  for (const auto& [field, v] : fields) dev.insert_or_assign(field, v);
  const std::string text = serialize(dev);
  const fs::path path = cache / ("device-" + content_hash(text) + ".toml");
  if (!fs::exists(path)) {  // content-addressed: an existing file already holds this text
    fs::create_directories(cache);
    AtomicOutput out(path);
    std::ofstream(out.tmp_path()) << text;
    out.commit();
  }
  return path.string();
}

std::string scheme_component(const std::string& key, double v, const std::string& where) {
  if (std::floor(v) != v || v < 0) throw InputError(where + ": " + key + " takes non-negative integers");
  const auto n = std::to_string(static_cast<int64_t>(v));
  if (key == "adc_bits") return v == 0 ? "adc=ideal" : "adc=" + n;
  if (key == "window_bits") return "dynamic=" + n;
  if (key == "weight_bits") return "wbits=" + n;
  if (key == "activation_bits") return "abits=" + n;
  return "dac=" + n;  // dac_bits
}

bool on_grid(const std::vector<double>& grid, double v) {
  for (double g : grid)
    if (std::abs(g - v) <= 1e-9 * std::max(1.0, std::abs(g))) return true;
  return false;
}

struct Resolver {
  const SweepOptions& o;
  fs::path cache;
  toml::table base_calibration, base_hardware;
  std::map<std::string, size_t> group_of_hash;
  std::map<std::string, std::string> hardware_of_hash;
  SweepPlan plan;

  // Lines in messages about the resolved text are its own, not the base file's.
  std::string resolved_name() const { return o.calibration.filename().string() + " (with this point's values)"; }

  std::size_t group_for(const std::string& text, const std::string& where) {
    std::string hash = content_hash("rramsim calibration schema " + std::to_string(calibration::kSchemaVersion) + "\n" + text);
    auto it = group_of_hash.find(hash);
    if (it != group_of_hash.end()) return it->second;
    calibration::CalibrationOptions co;
    try {
      co = calibration::parse_calibration_options(ConfigDoc::from_string(text, resolved_name()));
    } catch (const InputError& e) {
      throw InputError(where + ": this value makes the calibration config invalid: " + e.what());
    }
    CalibrationGroup g{text, hash, cache / ("calibration-" + hash + ".h5"), co.device.levels(), co.adc.bits};
    plan.max_levels = std::max(plan.max_levels, g.levels);
    plan.groups.push_back(g);
    return group_of_hash[hash] = plan.groups.size() - 1;
  }

  std::string hardware_for(const toml::table& hw) {
    if (hw == base_hardware && fs::path(o.hardware).extension() != ".toml") return o.hardware;
    std::string text = serialize(hw);
    std::string hash = content_hash(text);
    auto it = hardware_of_hash.find(hash);
    if (it != hardware_of_hash.end()) return it->second;
    std::string path = (cache / ("hardware-" + hash + ".toml")).string();
    plan.hardware_files.push_back({path, text});
    return hardware_of_hash[hash] = path;
  }

  PointPlan resolve(std::size_t index, const std::vector<double>& values);
};

PointPlan Resolver::resolve(std::size_t index, const std::vector<double>& values) {
  PointPlan p;
  p.index = index;
  p.values = values;
  toml::table cal = base_calibration, hw = base_hardware;
  std::string scheme = o.scheme;
  std::vector<std::pair<double, std::string>> wires;  // (value, where)
  std::map<std::string, double> device_fields;        // device.params.<field> axes
  std::string device_where;
  for (size_t a = 0; a < o.axes.size(); ++a) {
    const Axis& ax = o.axes[a];
    for (size_t k = 0; k < ax.keys.size(); ++k) {
      switch (ax.kinds[k]) {
        case KeyKind::calibration:
          if (ax.keys[k].rfind("device.params.", 0) == 0) {
            device_fields[ax.keys[k].substr(14)] = values[a];
            device_where = ax.where;
          } else {
            set_key(cal, ax.keys[k], values[a], ax.where);
          }
          break;
        case KeyKind::hardware: set_key(hw, ax.keys[k].substr(9), values[a], ax.where); break;
        case KeyKind::scheme: scheme += "," + scheme_component(ax.keys[k], values[a], ax.where); break;
        case KeyKind::wire: wires.push_back({values[a], ax.where}); break;
      }
    }
  }
  if (!device_fields.empty()) {
    if (!cal.get_as<toml::table>("device")) cal.insert("device", toml::table{});
    cal.get_as<toml::table>("device")->insert_or_assign("params",
                                                        device_params_file(cal, device_fields, cache, device_where));
  }
  p.group = group_for(serialize(cal), o.axes.empty() ? o.file.string() : o.axes.front().where);
  const CalibrationGroup& g = plan.groups[p.group];
  if (!wires.empty()) {
    auto co = calibration::parse_calibration_options(ConfigDoc::from_string(g.text, resolved_name()));
    for (const auto& [v, where] : wires) {
      if (!on_grid(co.crossbar.wire_ohm, v)) {
        std::string grid;
        for (double w : co.crossbar.wire_ohm) grid += (grid.empty() ? "" : ", ") + fmt_double(w);
        throw InputError(where + ": crossbar.nominal_wire_ohm = " + fmt_double(v) +
                         " is not on the calibration's wire grid [" + grid + "]; add it to crossbar.wire_ohm of " +
                         o.calibration.string());
      }
      p.wire_ohm = v;
    }
  }
  p.hardware = hardware_for(hw);
  schemes::SchemeOptions s;
  try {
    s = schemes::resolve_scheme(scheme);
  } catch (const InputError& e) {
    throw InputError((o.axes.empty() ? o.file.string() : o.axes.front().where) + ": scheme '" + scheme + "': " + e.what());
  }
  if (s.adc_bits > 0 && std::find(g.adc_bits.begin(), g.adc_bits.end(), s.adc_bits) == g.adc_bits.end())
    throw InputError(o.file.string() + ": scheme '" + scheme + "' uses a " + std::to_string(s.adc_bits) +
                     "-bit ADC, which the calibration does not tabulate (adc.bits of " + o.calibration.string() + ")");
  p.scheme = scheme;
  return p;
}

}  // namespace

std::string content_hash(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

SweepPlan plan_sweep(const SweepOptions& o, const fs::path& cache_dir) {
  Resolver r{o, cache_dir, parse_toml(o.calibration_text, o.calibration.string()), {}, {}, {}, {}};
  absolutize(r.base_calibration, o.calibration.parent_path());
  fs::path hw_file = fs::path(o.hardware).extension() == ".toml" ? fs::path(o.hardware) : data_path("hardware", o.hardware);
  if (!fs::exists(hw_file)) throw InputError(o.file.string() + ": hardware '" + o.hardware + "' not found");
  std::ifstream in(hw_file);
  std::stringstream ss;
  ss << in.rdbuf();
  r.base_hardware = parse_toml(ss.str(), hw_file.string());

  std::size_t n = 1;
  if (o.mode == Mode::zip) {
    n = o.axes.front().values.size();
    r.plan.shape = {n};
  } else {
    for (const auto& a : o.axes) {
      r.plan.shape.push_back(a.values.size());
      n *= a.values.size();
    }
  }
  if (n > 1000000) throw InputError(o.file.string() + ": more than a million points");
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> values(o.axes.size());
    std::size_t rest = i;
    for (std::size_t a = o.axes.size(); a-- > 0;) {  // row-major: the last axis varies fastest
      if (o.mode == Mode::zip) {
        values[a] = o.axes[a].values[i];
      } else {
        values[a] = o.axes[a].values[rest % o.axes[a].values.size()];
        rest /= o.axes[a].values.size();
      }
    }
    r.plan.points.push_back(r.resolve(i, values));
  }
  return r.plan;
}

}  // namespace rramsim::sweep
