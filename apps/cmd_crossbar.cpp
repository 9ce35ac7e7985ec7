// rramsim crossbar solve: program a crossbar, solve input vectors with one or more engines,
// write the results to HDF5 (circuit/engine_comparison.hpp does the work).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "rramsim/circuit/engine_comparison.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/plot.hpp"
#include "rramsim/common/progress.hpp"
#include "rramsim/device/compliance.hpp"
#include "rramsim/device/params.hpp"

namespace rramsim::apps {
namespace {

struct SolveArgs {
  int rows = 0, cols = 0;
  double wire_ohm = 1.0, driver_ohm = 0.0, sense_ohm = 0.0, read_volt = 0.1;
  // 1T1R default: the device layer's access transistor, on at its default gate voltage.
  double access_ohm = device::Compliance::transistor(device::Compliance{}.gate_volt).on_ohm();
  std::string cells = "1r", engine = "native", inputs = "random", params = "stanford-pku";
  bool nonlinear = false, json = false;
  int levels = 4, input_levels = 2, batch = 1;
  uint64_t seed = 1;
  std::string out, plot;
  bool batch_given = false;
};

std::vector<std::string> engine_choices() {
  auto names = circuit::engine_names();
  names.push_back("all");
  return names;
}

circuit::CompareOptions compare_options(const SolveArgs& a) {
  circuit::CompareOptions o;
  auto& spec = o.spec;
  spec.rows = a.rows;
  spec.cols = a.cols;
  spec.cell = a.cells == "1t1r" ? circuit::CellType::one_t_one_r : circuit::CellType::passive_1r;
  spec.linear_cells = !a.nonlinear;
  spec.wordline_wire_ohm = spec.bitline_wire_ohm = a.wire_ohm;
  spec.driver_ohm = a.driver_ohm;
  spec.sense_ohm = a.sense_ohm;
  spec.read_volt = a.read_volt;
  spec.access_on_ohm = spec.cell == circuit::CellType::one_t_one_r ? a.access_ohm : 0.0;
  spec.device = device::params_from_spec(a.params);
  spec.device.read_volt = a.read_volt;
  o.engines = a.engine == "all" ? circuit::engine_names() : std::vector<std::string>{a.engine};
  o.levels = a.levels;
  o.inputs = a.inputs;
  o.input_levels = a.input_levels;
  o.batch = a.batch;
  o.batch_given = a.batch_given;
  o.seed = a.seed;
  return o;
}

void run_solve(const SolveArgs& a) {
  std::vector<std::filesystem::path> inputs;
  if (a.inputs != "random" && a.inputs != "all-on") inputs.push_back(a.inputs);
  if (!a.params.empty() && std::filesystem::path(a.params).extension() == ".toml") inputs.push_back(a.params);
  check_outputs({a.out, a.plot}, inputs);
  if (!a.plot.empty() && a.engine == "ideal")
    throw InputError("--plot needs the native or ngspice engine (the ideal one has no voltage drop)");
  circuit::CompareOptions o = compare_options(a);
  std::unique_ptr<Progress> progress;
  o.on_ngspice_input = [&](int done, int total) {
    if (!progress) progress = std::make_unique<Progress>("ngspice", total, a.json || total < 2);
    progress->advance();
    if (done == total) progress->finish();
  };
  circuit::EngineComparison c = circuit::compare_engines(o);
  if (!a.plot.empty() && !c.reference())
    throw InputError("--plot needs the native or ngspice engine (the ideal one has no voltage drop)");
  write_with_plot(a.plot, [&] { c.write_drop_plot(a.plot); }, [&] { c.write_h5(a.out); });
  if (a.json) {
    nlohmann::json j = c.to_json();
    j["out"] = a.out;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << c.to_text() << "  wrote " << a.out << "\n";
  }
}

}  // namespace

void add_crossbar_commands(CLI::App& app) {
  auto* xb = app.add_subcommand("crossbar", "Crossbar circuit: solve column currents with IR drop");
  xb->require_subcommand(1);
  auto* solve = xb->add_subcommand("solve", "Program a random crossbar and solve input vectors");
  auto a = std::make_shared<SolveArgs>();
  solve->add_option("--rows", a->rows, "Word lines (1-512)")->required();
  solve->add_option("--cols", a->cols, "Bit lines (1-512)")->required();
  solve->add_option("--wire-ohm", a->wire_ohm, "Wire resistance per cell segment, word and bit lines (ohm)")
      ->capture_default_str();
  solve->add_option("--driver-ohm", a->driver_ohm, "Row driver source resistance (ohm)")->capture_default_str();
  solve->add_option("--sense-ohm", a->sense_ohm, "Column sense input resistance (ohm)")->capture_default_str();
  solve->add_option("--read-volt", a->read_volt, "Read voltage, the '1' input level (V)")->capture_default_str();
  solve->add_option("--cells", a->cells, "Cell type")->check(CLI::IsMember({"1r", "1t1r"}))->capture_default_str();
  solve->add_option("--access-ohm", a->access_ohm, "1T1R: access transistor on-resistance (ohm)")
      ->capture_default_str();
  solve->add_flag("--nonlinear", a->nonlinear, "Cells follow the device's sinh I-V (default: linear at read voltage)");
  solve->add_option("--params", a->params, "Device parameters: preset name or TOML file")->capture_default_str();
  solve->add_option("--levels", a->levels, "Conductance levels of the random cell states")->capture_default_str();
  solve->add_option("--engine", a->engine, "Engine(s) to run")
      ->check(CLI::IsMember(engine_choices()))
      ->capture_default_str();
  solve->add_option("--inputs", a->inputs, "random | all-on | FILE (one input per line, a voltage per row)")
      ->capture_default_str();
  solve->add_option("--input-levels", a->input_levels, "Random inputs: 2 = binary, more = DAC levels")
      ->capture_default_str();
  auto* batch = solve->add_option("--batch", a->batch, "Input vectors against the same array")->capture_default_str();
  solve->add_option("--seed", a->seed, "Random seed (cells and inputs)")->capture_default_str();
  solve->add_option("--out", a->out, "Output HDF5 file")->required();
  solve->add_flag("--json", a->json, "Print a JSON summary on stdout");
  solve->add_option("--plot", a->plot, "PNG map of the cell voltage drop (first input)");
  solve->callback([a, batch] {
    a->batch_given = batch->count() > 0;
    run_solve(*a);
  });
}

}  // namespace rramsim::apps
