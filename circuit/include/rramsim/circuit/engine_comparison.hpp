#pragma once
// `rramsim crossbar solve` as a library call: program one random (or given) crossbar, solve
// the same input vectors with several engines, and compare them with the ideal answer.
//
//   CompareOptions o;  o.spec = ...;  o.engines = {"native", "ngspice"};
//   EngineComparison c = compare_engines(o);
//   c.write_h5("crossbar.h5");  std::cout << c.to_text();
//
// The file layout is documented in docs/schema.md ("crossbar.solve").
#include <Eigen/Dense>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rramsim/circuit/crossbar.hpp"
#include "rramsim/circuit/engine.hpp"

namespace rramsim::circuit {

// Version of the "crossbar.solve" file layout (docs/schema.md).
inline constexpr int64_t kCrossbarSchemaVersion = 2;

struct CompareOptions {
  CrossbarSpec spec;                      // geometry, wires, cell type, device, read voltage
  std::vector<std::string> engines = {"native"};
  int levels = 4;                         // conductance levels of the random cell states
  std::string inputs = "random";          // random | all-on | a file (read_input_vectors)
  int input_levels = 2;                   // random inputs: 2 = binary, more = DAC levels
  int batch = 1;                          // random/all-on inputs per run
  bool batch_given = false;               // a file's vector count must then equal `batch`
  uint64_t seed = 1;                      // cells and inputs
  // Called after each ngspice input (one .op each): (done, total).
  std::function<void(int, int)> on_ngspice_input;
};

struct EngineRun {
  std::string name;
  Solution solution;
  double program_seconds = 0, solve_seconds = 0;  // wall time
};

struct EngineComparison {
  CompareOptions options;
  CellArray cells;
  Eigen::MatrixXd row_volts;   // rows x batch
  Eigen::MatrixXd ideal_amp;   // cols x batch
  std::vector<EngineRun> runs;
  double max_rel_dev_vs_ideal = 0;     // of the native (else ngspice) engine
  double max_dev_of_full_scale = 0;    // same, in units of a column's full-scale current
  std::optional<double> max_rel_dev_native_vs_ngspice;

  int batch() const { return static_cast<int>(row_volts.cols()); }
  const EngineRun* run(const std::string& engine) const;  // nullptr if not run
  const EngineRun* reference() const;  // native, else ngspice, else nullptr
  // HDF5 file, complete or not at all.
  void write_h5(const std::filesystem::path& out) const;
  nlohmann::json to_json() const;
  std::string to_text() const;
  // PNG map of the voltage each cell loses to the wires (reference engine, first input).
  void write_drop_plot(const std::filesystem::path& png) const;
};

EngineComparison compare_engines(const CompareOptions& options);

// One input vector per line, `rows` voltages separated by commas or blanks; '#' comments.
// InputError names the file and line of anything else.
Eigen::MatrixXd read_input_vectors(const std::filesystem::path& file, int rows);

}  // namespace rramsim::circuit
