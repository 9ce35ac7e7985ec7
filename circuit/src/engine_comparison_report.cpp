// EngineComparison's outputs: the HDF5 file, JSON, text and the voltage-drop map.
#include <fmt/format.h>

#include "rramsim/circuit/deviation.hpp"
#include "rramsim/circuit/engine_comparison.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "rramsim/common/plot.hpp"
#include "rramsim/common/provenance.hpp"

namespace rramsim::circuit {
namespace {

const char* cell_name(CellType t) { return t == CellType::one_t_one_r ? "1t1r" : "1r"; }

void write_crossbar_group(h5::File& f, const EngineComparison& c) {
  const auto& s = c.options.spec;
  auto xb = f.create_group("crossbar");
  xb.attr("rows", int64_t{s.rows}).attr("cols", int64_t{s.cols});
  xb.attr("cell_type", cell_name(s.cell)).attr("linear_cells", int64_t{s.linear_cells});
  xb.attr("wordline_wire_ohm", s.wordline_wire_ohm).attr("bitline_wire_ohm", s.bitline_wire_ohm);
  xb.attr("driver_ohm", s.driver_ohm).attr("sense_ohm", s.sense_ohm);
  xb.attr("read_volt", s.read_volt).attr("access_on_ohm", s.access_on_ohm);
  xb.attr("device_params", s.device.name).attr("seed", static_cast<int64_t>(c.options.seed));
  xb.attr("levels", int64_t{c.options.levels});
  xb.write("cell_siemens", c.cells.siemens, {"S", {"row", "col"}});
}

void write_engine_group(h5::Group& eg, const EngineComparison& c, const EngineRun& r) {
  auto g = eg.create_group(r.name);
  g.attr("program_seconds", r.program_seconds).attr("solve_seconds", r.solve_seconds);
  g.attr("seconds_per_input", r.solve_seconds / c.batch());
  Eigen::MatrixXd amp = r.solution.column_amp.transpose();
  g.write("column_amp", amp, {"A", {"input", "col"}});
  Eigen::MatrixXd dev = relative_deviation(r.solution.column_amp, c.ideal_amp).transpose();
  g.write("rel_dev_vs_ideal", dev, {"1", {"input", "col"}});
  g.attr("max_rel_dev_vs_ideal", dev.size() ? dev.maxCoeff() : 0.0);
  if (r.solution.wordline_volt) {
    const auto& wl = *r.solution.wordline_volt;
    const auto& bl = *r.solution.bitline_volt;
    g.write("wordline_volt", wl, {"V", {"row", "col"}}).attr("input", int64_t{0});
    g.write("bitline_volt", bl, {"V", {"row", "col"}}).attr("input", int64_t{0});
  }
}

}  // namespace

void EngineComparison::write_h5(const std::filesystem::path& out_path) const {
  AtomicOutput out(out_path);
  {
    auto f = h5::File::create(out.tmp_path());
    write_crossbar_group(f, *this);
    Eigen::MatrixXd vin = row_volts.transpose();
    f.write("row_volt", vin, {"V", {"input", "row"}});
    Eigen::MatrixXd iid = ideal_amp.transpose();
    f.write("ideal_column_amp", iid, {"A", {"input", "col"}});
    auto eg = f.create_group("engines");
    for (const auto& r : runs) write_engine_group(eg, *this, r);
    f.attr("max_rel_dev_vs_ideal", max_rel_dev_vs_ideal).attr("max_dev_vs_ideal_of_full_scale", max_dev_of_full_scale);
    if (max_rel_dev_native_vs_ngspice) f.attr("max_rel_dev_native_vs_ngspice", *max_rel_dev_native_vs_ngspice);
    write_provenance(f, {.rramsim_kind = "crossbar.solve", .schema_version = kCrossbarSchemaVersion});
  }
  out.commit();
}

nlohmann::json EngineComparison::to_json() const {
  nlohmann::json j;
  j["rows"] = options.spec.rows;
  j["cols"] = options.spec.cols;
  j["batch"] = batch();
  for (const auto& r : runs) {
    auto& e = j["engines"][r.name];
    e["seconds"] = r.program_seconds + r.solve_seconds;
    e["program_seconds"] = r.program_seconds;
    e["seconds_per_input"] = r.solve_seconds / batch();
    std::vector<double> first(r.solution.column_amp.rows());
    for (size_t c = 0; c < first.size(); ++c) first[c] = r.solution.column_amp(c, 0);
    e["column_amp"] = first;
    e["max_rel_dev_vs_ideal"] = max_relative_deviation(r.solution.column_amp, ideal_amp);
  }
  j["max_rel_dev_vs_ideal"] = max_rel_dev_vs_ideal;
  j["max_dev_vs_ideal_of_full_scale"] = max_dev_of_full_scale;
  if (max_rel_dev_native_vs_ngspice) j["max_rel_dev_native_vs_ngspice"] = *max_rel_dev_native_vs_ngspice;
  return j;
}

std::string EngineComparison::to_text() const {
  const auto& s = options.spec;
  std::string t = fmt::format("crossbar {}x{} ({}, {} cells), {} input(s), wire {} ohm/segment\n", s.rows,
                              s.cols, cell_name(s.cell), s.linear_cells ? "linear" : "sinh", batch(),
                              s.wordline_wire_ohm);
  for (const auto& r : runs)
    t += fmt::format("  {:8s} program {:.4g} s, {:.4g} s per input\n", r.name, r.program_seconds,
                     r.solve_seconds / batch());
  t += fmt::format("  max relative deviation from ideal: {:.4g} ({:.4g} of full scale)\n",
                   max_rel_dev_vs_ideal, max_dev_of_full_scale);
  if (max_rel_dev_native_vs_ngspice)
    t += fmt::format("  max relative deviation native vs ngspice: {:.3g}\n", *max_rel_dev_native_vs_ngspice);
  return t;
}

void EngineComparison::write_drop_plot(const std::filesystem::path& png) const {
  const EngineRun* ref = reference();
  if (!ref) throw InputError("--plot needs the native or ngspice engine (the ideal one has no voltage drop)");
  const auto& s = options.spec;
  const auto& sol = ref->solution;
  Eigen::VectorXd v = row_volts.col(0);
  Eigen::MatrixXd drop = v.replicate(1, s.cols) - (*sol.wordline_volt - *sol.bitline_volt);
  std::string script = "$map << EOD\n";
  for (int i = 0; i < s.rows; ++i)
    for (int j = 0; j < s.cols; ++j) script += fmt::format("{} {} {:.6g}\n", j, i, 1e3 * drop(i, j));
  script += "EOD\n";
  script += fmt::format(
      "set title 'Cell voltage lost to wires ({} engine, {}x{}, {} ohm/segment, first input)'\n"
      "set xlabel 'column (driver side at 0)'\nset ylabel 'row (sense end at {})'\n"
      "set cblabel 'applied - cell voltage (mV)'\nset xrange [-0.5:{}]\n"
      "set yrange [{}:-0.5]\nset palette rgb 33,13,10\nplot $map using 1:2:3 with image notitle\n",
      ref->name, s.rows, s.cols, s.wordline_wire_ohm, s.rows - 1, s.cols - 0.5, s.rows - 0.5);
  AtomicOutput out(png);
  render_png(script, out.tmp_path());
  out.commit();
}

}  // namespace rramsim::circuit
