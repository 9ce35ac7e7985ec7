// compare_engines: the crossbar solve behind `rramsim crossbar solve` (engine_comparison.hpp).
#include "rramsim/circuit/engine_comparison.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "rramsim/circuit/deviation.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/paths.hpp"
#include "rramsim/device/model.hpp"

namespace rramsim::circuit {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

void check_options(const CompareOptions& o) {
  const auto& s = o.spec;
  if (s.rows < 1 || s.rows > kMaxLines || s.cols < 1 || s.cols > kMaxLines)
    throw InputError(fmt::format("--rows and --cols must be in [1, {}], got {} x {}", kMaxLines,
                                 s.rows, s.cols));
  if (o.batch < 1) throw InputError(fmt::format("--batch must be >= 1, got {}", o.batch));
  if (o.levels < 2) throw InputError(fmt::format("--levels must be >= 2, got {}", o.levels));
  if (o.input_levels < 2)
    throw InputError(fmt::format("--input-levels must be >= 2, got {}", o.input_levels));
  if (o.engines.empty()) throw InputError("no crossbar engine to run");
  for (const auto& e : o.engines) check_engine_name(e);  // before any work
}

Eigen::MatrixXd make_inputs(const CompareOptions& o, std::mt19937_64& rng) {
  const int rows = o.spec.rows;
  const double v = o.spec.read_volt;
  if (o.inputs == "all-on") return Eigen::MatrixXd::Constant(rows, o.batch, v);
  if (o.inputs == "random") {
    // Bit-serial binary (2 levels) or DAC levels k/(L-1) * read_volt, uniform.
    std::uniform_int_distribution<int> level(0, o.input_levels - 1);
    Eigen::MatrixXd m(rows, o.batch);
    for (int k = 0; k < o.batch; ++k)
      for (int i = 0; i < rows; ++i) m(i, k) = v * level(rng) / (o.input_levels - 1);
    return m;
  }
  Eigen::MatrixXd m = read_input_vectors(o.inputs, rows);
  if (o.batch_given && m.cols() != o.batch)
    throw InputError(fmt::format("--batch {} but '{}' holds {} inputs", o.batch, o.inputs, m.cols()));
  return m;
}

// Cell states: uniformly random among `levels` conductances evenly spaced between the
// device's HRS (g_max) and LRS (g_min) read conductances at read_volt.
CellArray make_cells(const CompareOptions& o, std::mt19937_64& rng) {
  const auto& p = o.spec.device;
  const double v = o.spec.read_volt;
  double g_hrs = device::current_amp(p, v, p.gap_max_m) / v;
  double g_lrs = device::current_amp(p, v, p.gap_min_m) / v;
  std::uniform_int_distribution<int> level(0, o.levels - 1);
  CellArray c;
  c.siemens.resize(o.spec.rows, o.spec.cols);
  for (int j = 0; j < o.spec.cols; ++j)
    for (int i = 0; i < o.spec.rows; ++i)
      c.siemens(i, j) = g_hrs + (g_lrs - g_hrs) * level(rng) / (o.levels - 1);
  return c;
}

// ngspice runs one .op per input, so it reports progress per input.
Solution solve_one_by_one(Engine& e, const CompareOptions& o, const Eigen::MatrixXd& inputs) {
  const int batch = static_cast<int>(inputs.cols());
  Solution sol = e.solve(inputs.col(0), {.node_voltages = true});
  Eigen::MatrixXd amp(sol.column_amp.rows(), batch);
  amp.col(0) = sol.column_amp.col(0);
  if (o.on_ngspice_input) o.on_ngspice_input(1, batch);
  for (int k = 1; k < batch; ++k) {
    amp.col(k) = e.solve(inputs.col(k)).column_amp.col(0);
    if (o.on_ngspice_input) o.on_ngspice_input(k + 1, batch);
  }
  sol.column_amp = amp;
  return sol;
}

EngineRun run_engine(const std::string& name, const CompareOptions& o, const CellArray& cells,
                     const Eigen::MatrixXd& inputs) {
  EngineRun r;
  r.name = name;
  auto e = make_engine(name);
  auto t0 = Clock::now();
  e->program(o.spec, cells);
  auto t1 = Clock::now();
  const bool nodes = name != "ideal";
  if (name == "ngspice" && inputs.cols() > 1)
    r.solution = solve_one_by_one(*e, o, inputs);
  else
    r.solution = e->solve(inputs, {.node_voltages = nodes});
  auto t2 = Clock::now();
  r.program_seconds = seconds_between(t0, t1);
  r.solve_seconds = seconds_between(t1, t2);
  return r;
}

void compute_deviations(EngineComparison& c, Engine& ideal) {
  const EngineRun* ref = c.reference();
  if (ref) {
    c.max_rel_dev_vs_ideal = max_relative_deviation(ref->solution.column_amp, c.ideal_amp);
    // In units of each column's full-scale (ideal, all rows at read_volt) current.
    const auto& s = c.options.spec;
    Eigen::VectorXd full =
        ideal.solve(Eigen::MatrixXd::Constant(s.rows, 1, s.read_volt)).column_amp.col(0);
    c.max_dev_of_full_scale = ((ref->solution.column_amp - c.ideal_amp).cwiseAbs().array().colwise() /
                               full.array().max(1e-300))
                                  .maxCoeff();
  }
  if (c.run("native") && c.run("ngspice"))
    c.max_rel_dev_native_vs_ngspice = max_relative_deviation(c.run("native")->solution.column_amp,
                                                             c.run("ngspice")->solution.column_amp);
}

}  // namespace

const EngineRun* EngineComparison::run(const std::string& engine) const {
  for (const auto& r : runs)
    if (r.name == engine) return &r;
  return nullptr;
}

const EngineRun* EngineComparison::reference() const {
  return run("native") ? run("native") : run("ngspice");
}

EngineComparison compare_engines(const CompareOptions& o) {
  check_options(o);
  // Validate the array description before drawing anything from it.
  CellArray probe;
  probe.siemens = Eigen::MatrixXd::Zero(o.spec.rows, o.spec.cols);
  validate(o.spec, probe);

  EngineComparison c;
  c.options = o;
  std::mt19937_64 rng(o.seed);
  c.cells = make_cells(o, rng);
  c.row_volts = make_inputs(o, rng);
  // The ideal reference is always computed (it is cheap) for the deviation figures.
  auto ideal = make_engine("ideal");
  ideal->program(o.spec, c.cells);
  c.ideal_amp = ideal->solve(c.row_volts).column_amp;
  for (const auto& name : o.engines) c.runs.push_back(run_engine(name, o, c.cells, c.row_volts));
  compute_deviations(c, *ideal);
  return c;
}

Eigen::MatrixXd read_input_vectors(const std::filesystem::path& file, int rows) {
  const std::string path = file.string();
  try {
    check_input_file(file, "--inputs file");  // a directory or FIFO is refused, never read
  } catch (const InputError& e) {
    throw InputError("--inputs: cannot read file '" + path + "' (" + e.what() + ")");
  }
  std::ifstream in(file);
  if (!in) throw InputError("--inputs: cannot read file '" + path + "'");
  // Read voltages are volts, not kilovolts; and the vectors must fit in memory.
  constexpr double kMaxVolt = 100;
  const int64_t max_vectors = std::max<int64_t>(1, (int64_t{1} << 28) / std::max(rows, 1));
  std::vector<std::vector<double>> vecs;
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
    for (char& ch : line)
      if (ch == ',' || ch == ';' || ch == '\t') ch = ' ';
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
      if (std::abs(v.back()) > kMaxVolt)
        throw InputError(fmt::format("{}:{}: {} V is outside [-{}, {}] V", path, lineno, tok, kMaxVolt, kMaxVolt));
      if (static_cast<int>(v.size()) > rows) break;  // reported below, without reading a huge line on
    }
    if (v.empty()) continue;
    if (static_cast<int64_t>(vecs.size()) >= max_vectors)
      throw InputError(fmt::format("{}:{}: more than {} input vectors of {} rows", path, lineno, max_vectors, rows));
    if (static_cast<int>(v.size()) != rows)
      throw InputError(fmt::format("{}:{}: input has {}{} values, expected one per row ({})", path,
                                   lineno, static_cast<int>(v.size()) > rows ? "more than " : "",
                                   std::min<size_t>(v.size(), rows), rows));
    vecs.push_back(std::move(v));
  }
  if (vecs.empty()) throw InputError("--inputs: file '" + path + "' holds no input vector");
  Eigen::MatrixXd m(rows, vecs.size());
  for (size_t k = 0; k < vecs.size(); ++k)
    for (int i = 0; i < rows; ++i) m(i, k) = vecs[k][i];
  return m;
}

}  // namespace rramsim::circuit
