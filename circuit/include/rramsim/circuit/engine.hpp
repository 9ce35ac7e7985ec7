#pragma once
// One interface, three crossbar solvers: "ideal" (I = G^T v), "native" (Eigen sparse nodal
// analysis, Newton for nonlinear cells) and "ngspice" (the golden reference).
//
// Built for the real use, many input vectors against one programmed array:
//   auto e = make_engine("native");
//   e->program(spec, cells);            // factor once
//   Solution s = e->solve(row_volts);   // rows x batch inputs -> cols x batch currents
#include <Eigen/Dense>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rramsim/circuit/crossbar.hpp"

namespace rramsim::circuit {

struct SolveOptions {
  bool node_voltages = false;  // also return word-line and bit-line node voltages (first input)
};

struct Solution {
  Eigen::MatrixXd column_amp;  // cols x batch: current into each column's sense node
  // With node_voltages, for the first input: rows x cols word-line and bit-line voltages.
  std::optional<Eigen::MatrixXd> wordline_volt;
  std::optional<Eigen::MatrixXd> bitline_volt;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  // Validates and stores the array; does the per-array work (factorization, transfer matrix).
  virtual void program(const CrossbarSpec& spec, const CellArray& cells) = 0;
  // row_volts: rows x batch, the voltage applied at each row driver for each input.
  virtual Solution solve(const Eigen::MatrixXd& row_volts, const SolveOptions& opts = {}) = 0;
};

// The registry (engine.cpp): every engine by name, with a one-line summary.
struct EngineInfo {
  std::string_view name;
  std::string_view summary;
  std::unique_ptr<Engine> (*make)();
};
std::vector<EngineInfo> engine_registry();
std::vector<std::string> engine_names();
// InputError naming the known engines if `name` is not one of them.
void check_engine_name(std::string_view name);
// An engine by registry name ("ideal", "native", "ngspice"); InputError otherwise.
std::unique_ptr<Engine> make_engine(std::string_view name);

}  // namespace rramsim::circuit
