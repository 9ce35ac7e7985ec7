// rramsim crossbar solve: program a crossbar, solve input vectors with one or more engines,
// write the results to HDF5 (see docs/circuit.md for the layout).
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "commands.hpp"
#include "rramsim/circuit/deviation.hpp"
#include "rramsim/circuit/engine.hpp"
#include "rramsim/circuit/network.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "rramsim/common/plot.hpp"
#include "rramsim/common/progress.hpp"
#include "rramsim/common/provenance.hpp"
#include "rramsim/device/compliance.hpp"
#include "rramsim/device/model.hpp"

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

struct EngineRun {
  std::string name;
  circuit::Solution sol;
  double program_seconds = 0, solve_seconds = 0;
};

// Row-major copy of a matrix for HDF5, optionally transposed (batch-major storage).
std::vector<double> row_major(const Eigen::MatrixXd& m) {
  std::vector<double> v(m.size());
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) v[i * m.cols() + j] = m(i, j);
  return v;
}
h5::Dims dims_of(const Eigen::MatrixXd& m) {
  return {static_cast<hsize_t>(m.rows()), static_cast<hsize_t>(m.cols())};
}

// One input vector per line, `rows` voltages separated by commas or blanks; '#' comments.
Eigen::MatrixXd read_inputs_file(const std::string& path, int rows) {
  std::ifstream in(path);
  if (!in) throw InputError("--inputs: cannot read file '" + path + "'");
  std::vector<std::vector<double>> vecs;
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
    for (char& c : line)
      if (c == ',' || c == ';' || c == '\t') c = ' ';
    std::istringstream ss(line);
    std::vector<double> v;
    std::string tok;
    while (ss >> tok) {
      try {
        size_t used = 0;
        double x = std::stod(tok, &used);
        if (used != tok.size() || !std::isfinite(x)) throw std::invalid_argument(tok);
        v.push_back(x);
      } catch (const std::exception&) {
        throw InputError(fmt::format("{}:{}: '{}' is not a finite voltage", path, lineno, tok));
      }
    }
    if (v.empty()) continue;
    if (static_cast<int>(v.size()) != rows)
      throw InputError(fmt::format("{}:{}: input has {} values, expected one per row ({})", path,
                                   lineno, v.size(), rows));
    vecs.push_back(std::move(v));
  }
  if (vecs.empty()) throw InputError("--inputs: file '" + path + "' holds no input vector");
  Eigen::MatrixXd m(rows, vecs.size());
  for (size_t k = 0; k < vecs.size(); ++k)
    for (int i = 0; i < rows; ++i) m(i, k) = vecs[k][i];
  return m;
}

Eigen::MatrixXd make_inputs(const SolveArgs& a, std::mt19937_64& rng) {
  if (a.inputs == "all-on") return Eigen::MatrixXd::Constant(a.rows, a.batch, a.read_volt);
  if (a.inputs == "random") {
    // Bit-serial binary (2 levels) or DAC levels k/(L-1) * read_volt, uniform.
    std::uniform_int_distribution<int> level(0, a.input_levels - 1);
    Eigen::MatrixXd m(a.rows, a.batch);
    for (int k = 0; k < a.batch; ++k)
      for (int i = 0; i < a.rows; ++i) m(i, k) = a.read_volt * level(rng) / (a.input_levels - 1);
    return m;
  }
  return read_inputs_file(a.inputs, a.rows);
}

// Cell states: uniformly random among `levels` conductances evenly spaced between the
// device's HRS (g_max) and LRS (g_min) read conductances at read_volt.
circuit::CellArray make_cells(const SolveArgs& a, const device::Params& p, std::mt19937_64& rng) {
  double g_hrs = device::current_amp(p, a.read_volt, p.gap_max_m) / a.read_volt;
  double g_lrs = device::current_amp(p, a.read_volt, p.gap_min_m) / a.read_volt;
  std::uniform_int_distribution<int> level(0, a.levels - 1);
  circuit::CellArray c;
  c.siemens.resize(a.rows, a.cols);
  for (int j = 0; j < a.cols; ++j)
    for (int i = 0; i < a.rows; ++i)
      c.siemens(i, j) = g_hrs + (g_lrs - g_hrs) * level(rng) / (a.levels - 1);
  return c;
}

void write_plot(const SolveArgs& a, const Eigen::VectorXd& v, const circuit::Solution& s,
                const std::string& engine) {
  if (!gnuplot_available()) {
    std::cerr << "rramsim: note: gnuplot is not installed; no plot written\n";
    return;
  }
  Eigen::MatrixXd drop = v.replicate(1, a.cols) - (*s.wordline_volt - *s.bitline_volt);
  std::string script = "$map << EOD\n";
  for (int i = 0; i < a.rows; ++i)
    for (int j = 0; j < a.cols; ++j) script += fmt::format("{} {} {:.6g}\n", j, i, 1e3 * drop(i, j));
  script += "EOD\n";
  script += fmt::format(
      "set title 'Cell voltage lost to wires ({} engine, {}x{}, {} ohm/segment, first input)'\n"
      "set xlabel 'column (driver side at 0)'\nset ylabel 'row (sense end at {})'\n"
      "set cblabel 'applied - cell voltage (mV)'\nset xrange [-0.5:{}]\n"
      "set yrange [{}:-0.5]\nset palette rgb 33,13,10\nplot $map using 1:2:3 with image notitle\n",
      engine, a.rows, a.cols, a.wire_ohm, a.rows - 1, a.cols - 0.5, a.rows - 0.5);
  AtomicOutput out(a.plot);
  render_png(script, out.tmp_path());
  out.commit();
}

void run_solve(SolveArgs a) {
  if (a.rows < 1 || a.rows > circuit::kMaxLines || a.cols < 1 || a.cols > circuit::kMaxLines)
    throw InputError(fmt::format("--rows and --cols must be in [1, {}], got {} x {}",
                                 circuit::kMaxLines, a.rows, a.cols));
  if (a.batch < 1) throw InputError(fmt::format("--batch must be >= 1, got {}", a.batch));
  if (a.levels < 2) throw InputError(fmt::format("--levels must be >= 2, got {}", a.levels));
  if (a.input_levels < 2)
    throw InputError(fmt::format("--input-levels must be >= 2, got {}", a.input_levels));
  std::vector<std::string> engines =
      a.engine == "all" ? std::vector<std::string>{"ideal", "native", "ngspice"}
                        : std::vector<std::string>{a.engine};

  circuit::CrossbarSpec spec;
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

  std::mt19937_64 rng(a.seed);
  // Validate the description before drawing anything from it.
  circuit::CellArray probe;
  probe.siemens = Eigen::MatrixXd::Zero(a.rows, a.cols);
  circuit::validate(spec, probe);
  circuit::CellArray cells = make_cells(a, spec.device, rng);
  Eigen::MatrixXd inputs = make_inputs(a, rng);
  if (a.inputs != "random" && a.inputs != "all-on" && a.batch_given && inputs.cols() != a.batch)
    throw InputError(fmt::format("--batch {} but '{}' holds {} inputs", a.batch, a.inputs, inputs.cols()));
  const int batch = static_cast<int>(inputs.cols());

  // The ideal reference is always computed (it is cheap) for the deviation figures.
  auto ideal = circuit::make_engine("ideal");
  ideal->program(spec, cells);
  Eigen::MatrixXd ideal_amp = ideal->solve(inputs).column_amp;

  std::vector<EngineRun> runs;
  for (const auto& name : engines) {
    EngineRun r;
    r.name = name;
    auto e = circuit::make_engine(name);
    auto t0 = std::chrono::steady_clock::now();
    e->program(spec, cells);
    auto t1 = std::chrono::steady_clock::now();
    bool nodes = name != "ideal";
    if (name == "ngspice" && batch > 1) {  // one .op per input: show progress
      Progress prog("ngspice", batch, a.json);
      r.sol = e->solve(inputs.col(0), {.node_voltages = nodes});
      Eigen::MatrixXd amp(a.cols, batch);
      amp.col(0) = r.sol.column_amp.col(0);
      prog.advance();
      for (int k = 1; k < batch; ++k) {
        amp.col(k) = e->solve(inputs.col(k)).column_amp.col(0);
        prog.advance();
      }
      prog.finish();
      r.sol.column_amp = amp;
    } else {
      r.sol = e->solve(inputs, {.node_voltages = nodes});
    }
    auto t2 = std::chrono::steady_clock::now();
    r.program_seconds = std::chrono::duration<double>(t1 - t0).count();
    r.solve_seconds = std::chrono::duration<double>(t2 - t1).count();
    runs.push_back(std::move(r));
  }
  auto find = [&](const std::string& n) -> const EngineRun* {
    for (const auto& r : runs)
      if (r.name == n) return &r;
    return nullptr;
  };
  const EngineRun* ref = find("native") ? find("native") : find("ngspice");
  double max_dev_ideal = ref ? circuit::max_relative_deviation(ref->sol.column_amp, ideal_amp) : 0.0;
  // Deviation in units of each column's full-scale (ideal, all rows at read_volt) current.
  Eigen::VectorXd full =
      ideal->solve(Eigen::MatrixXd::Constant(a.rows, 1, a.read_volt)).column_amp.col(0);
  double max_dev_full = 0;
  if (ref)
    max_dev_full = ((ref->sol.column_amp - ideal_amp).cwiseAbs().array().colwise() /
                    full.array().max(1e-300))
                       .maxCoeff();
  std::optional<double> dev_nv_ng;
  if (find("native") && find("ngspice"))
    dev_nv_ng = circuit::max_relative_deviation(find("native")->sol.column_amp,
                                                find("ngspice")->sol.column_amp);

  // HDF5 output, complete or not at all.
  {
    AtomicOutput out(a.out);
    {
      auto f = h5::File::create(out.tmp_path());
      f.attr("rramsim_version", tool_version()).attr("git_commit", git_commit());
      f.attr("created_utc", utc_timestamp()).attr("command", "crossbar solve");
      f.attr("schema", "rramsim.crossbar.solve").attr("schema_version", int64_t{1});
      auto xb = f.create_group("crossbar");
      xb.attr("rows", int64_t{a.rows}).attr("cols", int64_t{a.cols});
      xb.attr("cell_type", a.cells).attr("linear_cells", int64_t{spec.linear_cells});
      xb.attr("wordline_wire_ohm", spec.wordline_wire_ohm).attr("bitline_wire_ohm", spec.bitline_wire_ohm);
      xb.attr("driver_ohm", spec.driver_ohm).attr("sense_ohm", spec.sense_ohm);
      xb.attr("read_volt", spec.read_volt).attr("access_on_ohm", spec.access_on_ohm);
      xb.attr("device_params", spec.device.name).attr("seed", static_cast<int64_t>(a.seed));
      xb.attr("levels", int64_t{a.levels});
      xb.write("cell_siemens", row_major(cells.siemens), dims_of(cells.siemens)).attr("units", "S");
      Eigen::MatrixXd vin = inputs.transpose();
      f.write("row_volt", row_major(vin), dims_of(vin)).attr("units", "V").attr("layout", "batch x rows");
      Eigen::MatrixXd iid = ideal_amp.transpose();
      f.write("ideal_column_amp", row_major(iid), dims_of(iid)).attr("units", "A").attr("layout", "batch x cols");
      auto eg = f.create_group("engines");
      for (const auto& r : runs) {
        auto g = eg.create_group(r.name);
        g.attr("program_seconds", r.program_seconds).attr("solve_seconds", r.solve_seconds);
        g.attr("seconds_per_input", r.solve_seconds / batch);
        Eigen::MatrixXd amp = r.sol.column_amp.transpose();
        g.write("column_amp", row_major(amp), dims_of(amp)).attr("units", "A").attr("layout", "batch x cols");
        Eigen::MatrixXd dev = circuit::relative_deviation(r.sol.column_amp, ideal_amp).transpose();
        g.write("rel_dev_vs_ideal", row_major(dev), dims_of(dev)).attr("layout", "batch x cols");
        g.attr("max_rel_dev_vs_ideal", dev.size() ? dev.maxCoeff() : 0.0);
        if (r.sol.wordline_volt) {
          g.write("wordline_volt", row_major(*r.sol.wordline_volt), dims_of(*r.sol.wordline_volt))
              .attr("units", "V").attr("input", int64_t{0});
          g.write("bitline_volt", row_major(*r.sol.bitline_volt), dims_of(*r.sol.bitline_volt))
              .attr("units", "V").attr("input", int64_t{0});
        }
      }
      f.attr("max_rel_dev_vs_ideal", max_dev_ideal).attr("max_dev_vs_ideal_of_full_scale", max_dev_full);
      if (dev_nv_ng) f.attr("max_rel_dev_native_vs_ngspice", *dev_nv_ng);
    }
    out.commit();
  }

  if (!a.plot.empty()) {
    if (!ref) throw InputError("--plot needs the native or ngspice engine (the ideal one has no voltage drop)");
    write_plot(a, inputs.col(0), ref->sol, ref->name);
  }

  if (a.json) {
    nlohmann::json j;
    j["rows"] = a.rows;
    j["cols"] = a.cols;
    j["batch"] = batch;
    j["out"] = a.out;
    for (const auto& r : runs) {
      auto& e = j["engines"][r.name];
      e["seconds"] = r.program_seconds + r.solve_seconds;
      e["program_seconds"] = r.program_seconds;
      e["seconds_per_input"] = r.solve_seconds / batch;
      std::vector<double> first(r.sol.column_amp.rows());
      for (size_t c = 0; c < first.size(); ++c) first[c] = r.sol.column_amp(c, 0);
      e["column_amp"] = first;
      e["max_rel_dev_vs_ideal"] = circuit::max_relative_deviation(r.sol.column_amp, ideal_amp);
    }
    j["max_rel_dev_vs_ideal"] = max_dev_ideal;
    j["max_dev_vs_ideal_of_full_scale"] = max_dev_full;
    if (dev_nv_ng) j["max_rel_dev_native_vs_ngspice"] = *dev_nv_ng;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("crossbar {}x{} ({}, {} cells), {} input(s), wire {} ohm/segment\n", a.rows,
                             a.cols, a.cells, a.nonlinear ? "sinh" : "linear", batch, a.wire_ohm);
    for (const auto& r : runs)
      std::cout << fmt::format("  {:8s} program {:.4g} s, {:.4g} s per input\n", r.name,
                               r.program_seconds, r.solve_seconds / batch);
    std::cout << fmt::format("  max relative deviation from ideal: {:.4g} ({:.4g} of full scale)\n",
                             max_dev_ideal, max_dev_full);
    if (dev_nv_ng) std::cout << fmt::format("  max relative deviation native vs ngspice: {:.3g}\n", *dev_nv_ng);
    std::cout << "  wrote " << a.out << "\n";
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
      ->check(CLI::IsMember({"ideal", "native", "ngspice", "all"}))
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
