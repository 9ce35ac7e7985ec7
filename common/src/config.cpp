#include "rramsim/common/config.hpp"
#include "rramsim/common/paths.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "rramsim/common/error.hpp"

namespace rramsim {

struct ConfigState {
  std::string file;
  std::string text;
  toml::table root;
  std::set<std::string> used;  // dotted keys read by a getter
};

namespace {

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date/time";
  }
}

std::string fmt_num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

std::string Config::full(const std::string& key) const {
  return prefix_.empty() ? key : prefix_ + "." + key;
}

std::string Config::where(const std::string& key) const {
  std::string loc = state_->file;
  if (const toml::node* n = get(key)) {
    loc += ":";
    loc += std::to_string(n->source().begin.line);
  }
  return loc + ": " + full(key);
}

void Config::fail(const std::string& key, const std::string& msg) const {
  throw InputError(where(key) + ": " + msg);
}

const toml::node* Config::get(const std::string& key) const {
  return table_ ? table_->get(key) : nullptr;
}

bool Config::has(const std::string& key) const { return get(key) != nullptr; }
bool Config::is_array(const std::string& key) const {
  const toml::node* n = get(key);
  return n && n->is_array();
}

double Config::check_range(const std::string& key, double v, Range r) const {
  if (!std::isfinite(v)) fail(key, "must be a finite number");
  bool low = r.min_exclusive ? !(v > r.min) : v < r.min;
  if (low || v > r.max) {
    std::string lo = r.min_exclusive ? "(" : "[";
    fail(key, "value " + fmt_num(v) + " is out of range " + lo + fmt_num(r.min) + ", " +
                  fmt_num(r.max) + "]");
  }
  return v;
}

std::optional<double> Config::optional_number(const std::string& key, Range r) const {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  state_->used.insert(full(key));
  double v;
  if (auto i = n->value_exact<int64_t>()) v = static_cast<double>(*i);
  else if (auto d = n->value_exact<double>()) v = *d;
  else fail(key, std::string("expected a number, got ") + type_name(*n));
  return check_range(key, v, r);
}

double Config::number(const std::string& key, double fallback, Range r) const {
  auto v = optional_number(key, r);
  return v ? *v : fallback;
}

int64_t Config::integer(const std::string& key, int64_t fallback, Range r) const {
  const toml::node* n = get(key);
  if (!n) return fallback;
  state_->used.insert(full(key));
  auto i = n->value_exact<int64_t>();
  if (!i) fail(key, std::string("expected an integer, got ") + type_name(*n));
  check_range(key, static_cast<double>(*i), r);
  return *i;
}

bool Config::boolean(const std::string& key, bool fallback) const {
  const toml::node* n = get(key);
  if (!n) return fallback;
  state_->used.insert(full(key));
  auto b = n->value_exact<bool>();
  if (!b) fail(key, std::string("expected true or false, got ") + type_name(*n));
  return *b;
}

std::string Config::string(const std::string& key, const std::string& fallback,
                           const std::vector<std::string>& allowed) const {
  const toml::node* n = get(key);
  if (!n) return fallback;
  state_->used.insert(full(key));
  auto s = n->value_exact<std::string>();
  if (!s) fail(key, std::string("expected a string, got ") + type_name(*n));
  if (!allowed.empty()) {
    bool ok = false;
    std::string list;
    for (const auto& a : allowed) {
      ok = ok || a == *s;
      list += (list.empty() ? "" : ", ") + a;
    }
    if (!ok) fail(key, "unknown value '" + *s + "' (expected one of: " + list + ")");
  }
  return *s;
}

std::vector<double> Config::numbers(const std::string& key, const std::vector<double>& fallback,
                                    Range r) const {
  const toml::node* n = get(key);
  if (!n) return fallback;
  state_->used.insert(full(key));
  const toml::array* a = n->as_array();
  if (!a) fail(key, std::string("expected an array of numbers, got ") + type_name(*n));
  std::vector<double> out;
  for (const auto& e : *a) {
    if (auto i = e.value_exact<int64_t>()) out.push_back(static_cast<double>(*i));
    else if (auto d = e.value_exact<double>()) out.push_back(*d);
    else fail(key, std::string("expected an array of numbers, found ") + type_name(e));
    check_range(key, out.back(), r);
  }
  return out;
}

std::vector<int64_t> Config::integers(const std::string& key, const std::vector<int64_t>& fallback,
                                      Range r) const {
  const toml::node* n = get(key);
  if (!n) return fallback;
  state_->used.insert(full(key));
  const toml::array* a = n->as_array();
  if (!a) fail(key, std::string("expected an array of integers, got ") + type_name(*n));
  std::vector<int64_t> out;
  for (const auto& e : *a) {
    auto i = e.value_exact<int64_t>();
    if (!i) fail(key, std::string("expected an array of integers, found ") + type_name(e));
    check_range(key, static_cast<double>(*i), r);
    out.push_back(*i);
  }
  return out;
}

std::vector<std::string> Config::strings(const std::string& key,
                                         const std::vector<std::string>& fallback) const {
  const toml::node* n = get(key);
  if (!n) return fallback;
  state_->used.insert(full(key));
  const toml::array* a = n->as_array();
  if (!a) fail(key, std::string("expected an array of strings, got ") + type_name(*n));
  std::vector<std::string> out;
  for (const auto& e : *a) {
    auto s = e.value_exact<std::string>();
    if (!s) fail(key, std::string("expected an array of strings, found ") + type_name(e));
    out.push_back(*s);
  }
  return out;
}

Config Config::table(const std::string& key) const {
  const toml::node* n = get(key);
  if (!n) return Config(nullptr, full(key), state_);
  const toml::table* t = n->as_table();
  if (!t) fail(key, std::string("expected a table, got ") + type_name(*n));
  state_->used.insert(full(key));
  return Config(t, full(key), state_);
}

std::vector<Config> Config::tables(const std::string& key) const {
  const toml::node* n = get(key);
  if (!n) return {};
  const toml::array* a = n->as_array();
  if (!a || !a->is_array_of_tables()) fail(key, std::string("expected an array of tables ([[") + key + "]]), got " + type_name(*n));
  state_->used.insert(full(key));
  std::vector<Config> out;
  for (size_t i = 0; i < a->size(); ++i)
    out.push_back(Config(a->get(i)->as_table(), full(key) + "[" + std::to_string(i) + "]", state_));
  return out;
}

std::vector<std::string> Config::keys() const {
  std::vector<std::pair<int, std::string>> ks;
  if (table_)
    for (const auto& [k, v] : *table_) ks.emplace_back(v.source().begin.line, std::string(k.str()));
  std::sort(ks.begin(), ks.end());
  std::vector<std::string> out;
  for (auto& [line, k] : ks) out.push_back(k);
  return out;
}

ConfigDoc ConfigDoc::from_string(const std::string& text, const std::string& name) {
  ConfigDoc doc;
  doc.state_ = std::make_shared<ConfigState>();
  doc.state_->file = name;
  doc.state_->text = text;
  try {
    doc.state_->root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw InputError(name + ":" + std::to_string(e.source().begin.line) +
                     ": TOML syntax error: " + std::string(e.description()));
  }
  return doc;
}

ConfigDoc ConfigDoc::from_file(const std::filesystem::path& file) {
  check_input_file(file, "configuration file");  // a directory, FIFO or device is refused, never read
  std::ifstream in(file);
  if (!in) throw InputError("cannot open configuration file " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return from_string(ss.str(), file.string());
}

Config ConfigDoc::root() const { return Config(&state_->root, "", state_); }

const std::string& ConfigDoc::text() const { return state_->text; }

namespace {
void walk(const toml::table& t, const std::string& prefix, const ConfigState& st) {
  for (const auto& [k, v] : t) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (!st.used.count(key))
      throw InputError(st.file + ":" + std::to_string(v.source().begin.line) + ": unknown key '" +
                       key + "'");
    if (const toml::table* sub = v.as_table()) walk(*sub, key, st);
    if (const toml::array* arr = v.as_array(); arr && arr->is_array_of_tables())
      for (size_t i = 0; i < arr->size(); ++i)
        walk(*arr->get(i)->as_table(), key + "[" + std::to_string(i) + "]", st);
  }
}
}  // namespace

void ConfigDoc::reject_unknown_keys() const { walk(state_->root, "", *state_); }

}  // namespace rramsim
