#include "rramsim/schemes/scheme.hpp"
#include "rramsim/common/data_path.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "rramsim/common/config.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::schemes {

int SchemeOptions::weight_slices() const {
  int magnitude_bits = weight_encoding == WeightEncoding::differential ? weight_bits - 1 : weight_bits;
  return (magnitude_bits + bits_per_cell - 1) / bits_per_cell;
}

int SchemeOptions::input_slices() const { return (activation_bits + dac_bits - 1) / dac_bits; }

int SchemeOptions::worst_case_psum() const {
  // A column of `rows` cells at the top level read with every input at its top level; flipping
  // keeps each column's cell sum at most half of that, inversion each plane's input sum.
  long cell_sum = long(rows) * max_cell_level();
  long input_sum = long(rows) * max_input_level();
  long full = long(rows) * max_cell_level() * max_input_level();
  long bound = full;
  if (column_flip) bound = std::min(bound, (cell_sum / 2) * max_input_level());
  if (input_inversion) bound = std::min(bound, (input_sum / 2) * max_cell_level());
  return int(bound);
}

int SchemeOptions::worst_case_adc_bits() const {
  int bits = 1;
  while ((1L << bits) - 1 < worst_case_psum()) ++bits;
  return bits;
}

int SchemeOptions::outputs_per_crossbar() const { return std::max(1, cols / (polarities() * weight_slices())); }

int SchemeOptions::adc_shift() const {
  return adc_mode == AdcMode::shift && adc_bits > 0 ? std::max(0, worst_case_adc_bits() - adc_bits) : 0;
}

void SchemeOptions::validate() const {
  auto in = [&](const char* key, int v, int lo, int hi) {
    if (v < lo || v > hi)
      throw InputError(fmt::format("scheme '{}': {} = {} is out of range [{}, {}]", name, key, v, lo, hi));
  };
  in("weight_bits", weight_bits, 2, 16);
  in("activation_bits", activation_bits, 2, 16);
  in("bits_per_cell", bits_per_cell, 1, 4);
  in("dac_bits", dac_bits, 1, 4);
  in("rows", rows, 1, 512);
  in("cols", cols, 1, 4096);
  if (cols < polarities() * weight_slices())
    throw InputError(fmt::format("scheme '{}': a weight needs {} columns, more than the crossbar's {}", name,
                                 polarities() * weight_slices(), cols));
  in("adc_bits", adc_bits, 0, 16);
  in("window_bits", window_bits, 0, kUnboundedWindow);
  if (!(adc_clip_epsilon >= 0 && adc_clip_epsilon < 1))
    throw InputError(fmt::format("scheme '{}': adc_clip_epsilon = {} must be in [0, 1)", name, adc_clip_epsilon));
  if (!(adc_accuracy_delta >= 0 && adc_accuracy_delta < 1))
    throw InputError(
        fmt::format("scheme '{}': adc_accuracy_delta = {} must be in (0, 1) (0: off)", name, adc_accuracy_delta));
  if (adc_accuracy_delta > 0 && !adc_optimize)
    throw InputError(fmt::format("scheme '{}': adc_accuracy_delta needs adc_optimize = true", name));
}

std::string SchemeOptions::summary() const {
  std::string enc = weight_encoding == WeightEncoding::biased ? "biased" : "differential";
  if (column_flip) enc += "+flip";
  if (input_inversion) enc += "+invert";
  std::string adc = adc_bits == 0 ? "ideal ADC" : fmt::format("{}-bit ADC", adc_bits);
  if (adc_mode == AdcMode::shift && adc_bits > 0) adc += fmt::format(" (top bits: >> {})", adc_shift());
  if (adc_optimize && adc_accuracy_delta > 0)
    adc += fmt::format(" optimized (accuracy loss <= {:g})", adc_accuracy_delta);
  else if (adc_optimize)
    adc += fmt::format(" optimized (clip <= {:g})", adc_clip_epsilon);
  std::string dyn = !dynamic_quantization ? ""
                    : window_bits >= kUnboundedWindow ? ", dynamic (unbounded window)"
                                                      : fmt::format(", dynamic W={}", window_bits);
  return fmt::format("{}, {}{}, {}b weights/{}b activations, {} b/cell, {}-bit DAC, {} rows", enc, adc, dyn,
                     weight_bits, activation_bits, bits_per_cell, dac_bits, rows);
}

SchemeOptions scheme_from_config(const Config& c, SchemeOptions s) {
  s.description = c.string("description", s.description);
  s.weight_bits = int(c.integer("weight_bits", s.weight_bits, {.min = 2, .max = 16}));
  s.activation_bits = int(c.integer("activation_bits", s.activation_bits, {.min = 2, .max = 16}));
  s.bits_per_cell = int(c.integer("bits_per_cell", s.bits_per_cell, {.min = 1, .max = 4}));
  s.dac_bits = int(c.integer("dac_bits", s.dac_bits, {.min = 1, .max = 4}));
  s.rows = int(c.integer("rows", s.rows, {.min = 1, .max = 512}));
  s.cols = int(c.integer("cols", s.cols, {.min = 1, .max = 4096}));
  for (const char* k : {"bits_per_cell", "dac_bits", "rows", "cols"})
    if (c.has(k)) s.geometry_explicit = true;
  std::string mode = c.string("adc_mode", s.adc_mode == AdcMode::clip ? "clip" : "shift", {"clip", "shift"});
  s.adc_mode = mode == "clip" ? AdcMode::clip : AdcMode::shift;
  std::string enc = c.string("weight_encoding", s.weight_encoding == WeightEncoding::biased ? "biased" : "differential",
                             {"biased", "differential"});
  s.weight_encoding = enc == "biased" ? WeightEncoding::biased : WeightEncoding::differential;
  s.column_flip = c.boolean("column_flip", s.column_flip);
  s.input_inversion = c.boolean("input_inversion", s.input_inversion);
  s.adc_bits = int(c.integer("adc_bits", s.adc_bits, {.min = 0, .max = 16}));
  s.adc_optimize = c.boolean("adc_optimize", s.adc_optimize);
  s.adc_clip_epsilon = c.number("adc_clip_epsilon", s.adc_clip_epsilon, {.min = 0, .max = 0.5});
  if (c.has("adc_accuracy_delta")) {
    s.adc_accuracy_delta = c.number("adc_accuracy_delta", 0.0, {.min = 0, .max = 1, .min_exclusive = true});
    if (s.adc_accuracy_delta >= 1) throw InputError("adc_accuracy_delta must be in (0, 1), an accuracy fraction");
    s.adc_optimize = true;  // the criterion sizes the ADC
  }
  s.dynamic_quantization = c.boolean("dynamic_quantization", s.dynamic_quantization);
  s.window_bits = int(c.integer("window_bits", s.window_bits, {.min = 0, .max = kUnboundedWindow}));
  return s;
}

std::filesystem::path default_schemes_dir() {
  return data_dir() / "schemes";
}

std::vector<std::string> scheme_names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

SchemeOptions load_file(const std::filesystem::path& file, const std::filesystem::path& dir, int depth);

// A named scheme may start from another ("base = ..."), never in a cycle.
SchemeOptions load_named(const std::string& name, const std::filesystem::path& dir, int depth) {
  auto file = dir / (name + ".toml");
  if (!std::filesystem::exists(file)) {
    std::string known;
    for (const auto& n : scheme_names(dir)) known += (known.empty() ? "" : ", ") + n;
    throw InputError(fmt::format("unknown scheme '{}' (named schemes in {}: {}; or a comma list of "
                                 "components, see docs/schemes.md)", name, dir.string(), known));
  }
  return load_file(file, dir, depth);
}

SchemeOptions load_file(const std::filesystem::path& file, const std::filesystem::path& dir, int depth) {
  if (depth > 8) throw InputError("scheme file " + file.string() + ": 'base' chain is too deep (a cycle?)");
  auto doc = ConfigDoc::from_file(file);
  Config c = doc.root();
  SchemeOptions base;
  std::string base_name = c.string("base", "");
  if (!base_name.empty()) base = load_named(base_name, dir, depth + 1);
  SchemeOptions s = scheme_from_config(c, base);
  doc.reject_unknown_keys();
  s.name = file.stem().string();
  s.validate();
  return s;
}

int parse_int(const std::string& token, const std::string& value, int lo, int hi) {
  size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || v < lo || v > hi)
    throw InputError(fmt::format("scheme component '{}': expected an integer in [{}, {}]", token, lo, hi));
  return v;
}

void apply_component(SchemeOptions& s, const std::string& token, const std::filesystem::path& dir) {
  auto eq = token.find('=');
  std::string key = token.substr(0, eq);
  std::string value = eq == std::string::npos ? "" : token.substr(eq + 1);
  bool has_value = eq != std::string::npos;
  auto no_value = [&] {
    if (has_value) throw InputError(fmt::format("scheme component '{}' takes no value", token));
  };
  if (key == "biased") { no_value(); s.weight_encoding = WeightEncoding::biased; }
  else if (key == "differential") { no_value(); s.weight_encoding = WeightEncoding::differential; }
  else if (key == "flip") { no_value(); s.column_flip = true; }
  else if (key == "noflip") { no_value(); s.column_flip = false; }
  else if (key == "invert") { no_value(); s.input_inversion = true; }
  else if (key == "noinvert") { no_value(); s.input_inversion = false; }
  else if (key == "nodynamic") { no_value(); s.dynamic_quantization = false; }
  else if (key == "adc") {
    if (!has_value) throw InputError("scheme component 'adc' needs a value: adc=N (bits) or adc=ideal");
    s.adc_bits = value == "ideal" ? 0 : parse_int(token, value, 1, 16);
    s.adc_optimize = false;
    s.adc_accuracy_delta = 0;
  } else if (key == "adc-opt") {
    s.adc_optimize = true;
    if (has_value) {
      char* end = nullptr;
      double eps = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(eps >= 0 && eps < 0.5))
        throw InputError(fmt::format("scheme component '{}': expected a clipping probability in [0, 0.5)", token));
      s.adc_clip_epsilon = eps;
      s.adc_accuracy_delta = 0;  // an explicit budget replaces the accuracy criterion
    }
  } else if (key == "adc-delta") {
    char* end = nullptr;
    double d = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(d > 0 && d < 1))
      throw InputError(fmt::format("scheme component '{}': expected an accuracy loss in (0, 1), e.g. adc-delta=0.005",
                                   token));
    s.adc_optimize = true;
    s.adc_accuracy_delta = d;
  } else if (key == "dynamic") {
    s.dynamic_quantization = true;
    if (has_value) s.window_bits = value == "unbounded" ? kUnboundedWindow : parse_int(token, value, 0, 64);
  } else if (key == "wbits") { s.weight_bits = parse_int(token, value, 2, 16); }
  else if (key == "abits") { s.activation_bits = parse_int(token, value, 2, 16); }
  else if (key == "cell") { s.bits_per_cell = parse_int(token, value, 1, 4); s.geometry_explicit = true; }
  else if (key == "dac") { s.dac_bits = parse_int(token, value, 1, 4); s.geometry_explicit = true; }
  else if (key == "rows") { s.rows = parse_int(token, value, 1, 512); s.geometry_explicit = true; }
  else if (key == "cols") { s.cols = parse_int(token, value, 1, 4096); s.geometry_explicit = true; }
  else if (key == "shift") { no_value(); s.adc_mode = AdcMode::shift; }
  else if (key == "clip") { no_value(); s.adc_mode = AdcMode::clip; }
  else if (!has_value && std::filesystem::exists(dir / (key + ".toml"))) {
    SchemeOptions named = load_named(key, dir, 0);
    s = named;
  } else {
    std::string known;
    for (const auto& n : scheme_names(dir)) known += n + ", ";
    throw InputError(fmt::format(
        "unknown scheme component '{}' (known: {}biased, differential, flip, noflip, invert, noinvert, "
        "adc=N|ideal, adc-opt[=EPS], adc-delta=D, dynamic=W|unbounded, nodynamic, wbits=N, abits=N, cell=N, dac=N, rows=N, cols=N, shift, clip)",
        token, known));
  }
}

}  // namespace

SchemeOptions resolve_scheme(const std::string& spec, const std::filesystem::path& dir) {
  if (spec.empty()) throw InputError("empty scheme name");
  if (spec.size() > 5 && spec.substr(spec.size() - 5) == ".toml") {
    if (!std::filesystem::exists(spec)) throw InputError("scheme file " + spec + " does not exist");
    return load_file(spec, dir, 0);
  }
  if (spec.find(',') == std::string::npos && spec.find('=') == std::string::npos) {
    // A plain name: a shipped scheme, or a single component on top of the baseline.
    if (std::filesystem::exists(dir / (spec + ".toml"))) return load_named(spec, dir, 0);
  }
  SchemeOptions s = load_named("baseline", dir, 0);
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string token = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    token.erase(0, token.find_first_not_of(" \t"));
    token.erase(token.find_last_not_of(" \t") + 1);
    if (token.empty()) throw InputError("scheme '" + spec + "': empty component in the comma list");
    apply_component(s, token, dir);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  s.name = spec;
  s.validate();
  return s;
}

}  // namespace rramsim::schemes
