#pragma once
// Typed, checked access to a TOML configuration.
//
//   auto doc = ConfigDoc::from_file("run.toml");
//   Config cfg = doc.root();
//   double wire = cfg.number("wire_ohm", 1.0, {.min = 0.0});
//   Config xb = cfg.table("crossbar");           // empty if absent
//   doc.reject_unknown_keys();                   // after reading everything
//
// Every getter records the key as known. Errors name the file, the line and the dotted
// key ("run.toml:12: crossbar.rows: expected an integer, got a string"), so users can fix
// a file without reading our code. reject_unknown_keys() reports any key nobody asked for.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace toml {
inline namespace v3 {
class table;
class node;
}  // namespace v3
}  // namespace toml

namespace rramsim {

struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;  // true: value must be > min
};

class ConfigDoc;

class Config {
 public:
  bool has(const std::string& key) const;
  bool is_array(const std::string& key) const;  // present and a TOML array
  double number(const std::string& key, double fallback, Range r = {}) const;
  std::optional<double> optional_number(const std::string& key, Range r = {}) const;
  int64_t integer(const std::string& key, int64_t fallback, Range r = {}) const;
  bool boolean(const std::string& key, bool fallback) const;
  // `allowed` empty: any string.
  std::string string(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& allowed = {}) const;
  std::vector<double> numbers(const std::string& key, const std::vector<double>& fallback,
                              Range r = {}) const;
  std::vector<int64_t> integers(const std::string& key, const std::vector<int64_t>& fallback,
                                Range r = {}) const;
  std::vector<std::string> strings(const std::string& key,
                                   const std::vector<std::string>& fallback) const;
  // A nested table; an empty Config if absent. Its keys are checked like the root's.
  Config table(const std::string& key) const;
  // An array of tables ([[key]] in TOML); empty if absent. Element i's keys read as key[i].x.
  std::vector<Config> tables(const std::string& key) const;
  // Keys present in this table, in file order.
  std::vector<std::string> keys() const;
  // "file:line: dotted.key" for messages.
  std::string where(const std::string& key) const;
  const std::string& path() const { return prefix_; }

 private:
  friend class ConfigDoc;
  Config(const toml::table* t, std::string prefix, std::shared_ptr<struct ConfigState> st)
      : table_(t), prefix_(std::move(prefix)), state_(std::move(st)) {}
  const toml::node* get(const std::string& key) const;
  std::string full(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& msg) const;
  double check_range(const std::string& key, double v, Range r) const;

  const toml::table* table_;
  std::string prefix_;
  std::shared_ptr<struct ConfigState> state_;
};

class ConfigDoc {
 public:
  static ConfigDoc from_file(const std::filesystem::path& file);
  static ConfigDoc from_string(const std::string& text, const std::string& name = "<config>");
  Config root() const;
  // Throws InputError naming the first key that no getter asked for.
  void reject_unknown_keys() const;
  const std::string& text() const;  // the configuration as given (stored as provenance)

 private:
  std::shared_ptr<struct ConfigState> state_;
};

}  // namespace rramsim
