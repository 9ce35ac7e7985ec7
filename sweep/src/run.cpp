#include "rramsim/sweep/run.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>

#include "rramsim/calibration/tables.hpp"
#include "rramsim/calibration/work_dir.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "rramsim/common/progress.hpp"
#include "rramsim/common/provenance.hpp"
#include "rramsim/schemes/compare.hpp"
#include "rramsim/sweep/cache.hpp"
#include "rramsim/sweep/communicator.hpp"
#include "rramsim/sweep/plan.hpp"

namespace rramsim::sweep {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Figures of the tables themselves at the point's ADC resolution and wire row.
void table_figures(const CalibrationGroup& g, const PointPlan& p, int adc_bits, int max_levels, PointResult& r) {
  auto t = calibration::Tables::open(g.tables);
  r.read_volt = t.read_volt();
  r.rows = t.rows();
  const std::vector<double> wires = t.wire_ohms();
  const double want = p.wire_ohm.value_or(t.nominal_wire_ohm());
  std::size_t w = 0;
  for (std::size_t i = 1; i < wires.size(); ++i)
    if (std::abs(wires[i] - want) < std::abs(wires[w] - want)) w = i;
  auto f = h5::File::open(g.tables);  // Tables::open has checked kind, version and checksums
  const std::vector<int> bits = t.adc_bits();
  r.adc_error_rate = kNaN;
  for (std::size_t b = 0; b < bits.size(); ++b)
    if (bits[b] == adc_bits) r.adc_error_rate = f.group("adc").dataset("error_rate").read_doubles({bits.size(), wires.size()})[b * wires.size() + w];
  if (adc_bits == 0) r.adc_error_rate = 0;  // ideal full-resolution ADC
  auto ir = f.group("crossbar").dataset("ir_ratio_pooled");
  const auto dims = ir.dims();
  if (dims.size() != 2 || dims[0] != wires.size()) throw InputError(g.tables.string() + ": /crossbar/ir_ratio_pooled has an unexpected shape");
  r.ir_ratio = ir.read_doubles(dims)[w * dims[1] + dims[1] - 1];  // every row driven: the largest IR drop
  auto s = f.group("device").dataset("level_success_fraction").read_doubles();
  r.level_success_fraction.assign(max_levels, kNaN);
  for (std::size_t l = 0; l < s.size() && l < std::size_t(max_levels); ++l) r.level_success_fraction[l] = s[l];
}

PointResult evaluate_point(const SweepOptions& o, const SweepPlan& plan, const PointPlan& p) {
  const CalibrationGroup& g = plan.groups[p.group];
  schemes::CompareOptions c;
  c.arch = p.hardware;
  c.compare_arch = p.hardware;  // no second design's study: only the scheme's row is read
  c.network = o.network;
  c.schemes = {p.scheme};
  c.tables = g.tables.string();
  c.wire_ohm = p.wire_ohm;
  c.weights = o.weights;
  c.data = o.data;
  c.images = o.images;
  c.calibration_images = o.calibration_images;
  c.seed = o.seed;  // the same at every point: differences come from the parameters
  c.static_bits = {};
  schemes::Comparison cmp = schemes::compare(c);
  PointResult r;
  r.values = p.values;
  const schemes::StudyReport& st = cmp.studies.at(0);
  r.accuracy = st.accuracy.value_or(kNaN);
  r.subwords_skipped_fraction = st.subwords_skipped_fraction;
  for (const auto& row : cmp.rows)
    if (row.study == 0) {
      const arch::Report& a = row.report;
      r.energy_per_inference_j = a.energy_per_inference_j;
      r.throughput_inferences_per_s = a.throughput_inferences_per_s;
      r.throughput_gops = a.throughput_gops;
      r.gops_per_w = a.energy_efficiency_gops_per_w;
      r.gops_per_s_mm2 = a.area_efficiency_gops_per_s_mm2;
    }
  table_figures(g, p, st.scheme.adc_optimize ? 0 : st.scheme.adc_bits, plan.max_levels, r);
  if (st.scheme.adc_optimize) r.adc_error_rate = kNaN;  // one resolution per layer: no single table row
  return r;
}

// A point as numbers (work units, MPI): axis values, the metrics, the per-level figures.
std::vector<double> flatten(const PointResult& r) {
  std::vector<double> v = r.values;
  for (const Metric& m : metrics()) v.push_back(r.*m.member);
  v.insert(v.end(), r.level_success_fraction.begin(), r.level_success_fraction.end());
  return v;
}

PointResult unflatten(const double* v, std::size_t axes, int levels) {
  PointResult r;
  r.values.assign(v, v + axes);
  v += axes;
  for (const Metric& m : metrics()) r.*m.member = *v++;
  r.level_success_fraction.assign(v, v + levels);
  return r;
}

// A point's result in the cache, keyed by everything it depends on (the tables by their
// content hash, the wire row, scheme, hardware, network, weights, data, sizes, seed, build).
fs::path cached_point_path(const SweepOptions& o, const SweepPlan& plan, const PointPlan& p, const fs::path& cache) {
  std::string key = "rramsim sweep point v" + std::to_string(kSweepSchemaVersion) + "\n" + tool_version() + " " + git_commit();
  key += "\ntables " + plan.groups[p.group].hash + "\nwire " + (p.wire_ohm ? std::to_string(*p.wire_ohm) : "nominal");
  key += "\nscheme " + p.scheme + "\nhardware " + p.hardware + "\nnetwork " + o.network + "\ndata " + o.data;
  std::error_code ec;
  if (!o.weights.empty())
    key += "\nweights " + fs::absolute(o.weights).string() + " " + std::to_string(fs::file_size(o.weights, ec)) + " " +
           std::to_string(fs::last_write_time(o.weights, ec).time_since_epoch().count());
  key += "\nimages " + std::to_string(o.images) + " " + std::to_string(o.calibration_images) + " seed " + std::to_string(o.seed);
  key += "\nlevels " + std::to_string(plan.max_levels);
  for (double v : p.values) key += " " + std::to_string(v);
  return cache / "points" / ("point-" + content_hash(key) + ".h5");
}

std::vector<double> read_cached_point(const fs::path& file) {
  if (!fs::exists(file)) return {};
  try {
    auto f = h5::File::open(file);
    if (!f.verify_seal()) return {};
    return f.dataset("result").read_doubles();
  } catch (const Error&) {
    return {};  // damaged: compute again
  }
}

void write_cached_point(const fs::path& file, const std::vector<double>& v) {
  fs::create_directories(file.parent_path());
  AtomicOutput out(file);
  {
    auto f = h5::File::create(out.tmp_path());
    f.write("result", v, {.units = "mixed", .axes = {}});
    f.seal();
  }
  out.commit();
}

std::string unit_name(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "points/p%07zu", i);
  return buf;
}

// Runs `fn` on every rank; if it throws anywhere, every rank throws (none waits forever).
template <class Fn>
void collectively(const Communicator& comm, Fn&& fn) {
  std::string error;
  try {
    fn();
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (comm.any_failed(error.empty())) {
    if (!error.empty()) throw InputError(error);
    throw InputError("rank " + std::to_string(comm.rank()) + ": stopped because another rank failed");
  }
}

void write_hardware_files(const SweepPlan& plan) {
  for (const auto& [path, text] : plan.hardware_files) {
    fs::create_directories(fs::path(path).parent_path());
    AtomicOutput out(path);
    std::ofstream(out.tmp_path()) << text;
    out.commit();
  }
}

}  // namespace

const std::vector<Metric>& metrics() {
  static const std::vector<Metric> m = {
      {"accuracy", "1", &PointResult::accuracy},
      {"adc_error_rate", "1", &PointResult::adc_error_rate},
      {"ir_ratio", "1", &PointResult::ir_ratio},
      {"energy_per_inference_j", "J", &PointResult::energy_per_inference_j},
      {"throughput_inferences_per_s", "1/s", &PointResult::throughput_inferences_per_s},
      {"throughput_gops", "GOPS", &PointResult::throughput_gops},
      {"gops_per_w", "GOPS/W", &PointResult::gops_per_w},
      {"gops_per_s_mm2", "GOPS/s/mm^2", &PointResult::gops_per_s_mm2},
      {"subwords_skipped_fraction", "1", &PointResult::subwords_skipped_fraction},
      {"read_volt", "V", &PointResult::read_volt},
      {"rows", "rows", &PointResult::rows},
  };
  return m;
}

SweepReport run_sweep(const SweepOptions& o, const SweepRunOptions& run) {
  const auto t0 = std::chrono::steady_clock::now();
  std::optional<Communicator> own;  // no communicator given: this process alone (or as mpirun says)
  if (!run.comm) own.emplace();
  const Communicator& comm = run.comm ? *run.comm : *own;
  if (run.threads > 0) omp_set_num_threads(run.threads);
  SweepReport rep;
  rep.cache_dir = cache_dir(run.cache);
  SweepPlan plan = plan_sweep(o, rep.cache_dir);
  rep.axes = o.axes;
  rep.mode = o.mode;
  rep.shape = plan.shape;
  rep.network = o.network;
  rep.hardware = o.hardware;
  rep.scheme = o.scheme;
  rep.images = o.images;
  rep.max_levels = plan.max_levels;
  for (const auto& g : plan.groups) rep.group_tables.push_back(g.tables.string());
  for (const auto& p : plan.points) rep.point_group.push_back(int64_t(p.group));
  const bool show = !run.quiet && comm.root();

  // The work folder: finished points, so --resume skips them. Rank 0 makes (or clears) it.
  const fs::path work = fs::path(run.out.string() + ".work");
  const std::string work_key = o.text + "\n# base calibration\n" + o.calibration_text;
  std::unique_ptr<calibration::WorkDir> wd;
  collectively(comm, [&] {
    if (comm.root()) {
      wd = std::make_unique<calibration::WorkDir>(work, work_key, run.resume);
      write_hardware_files(plan);
    }
  });
  collectively(comm, [&] {
    if (!comm.root()) wd = std::make_unique<calibration::WorkDir>(work, work_key, true);
  });

  // Calibrations the points need and the cache lacks, shared out across ranks.
  std::vector<std::size_t> missing;
  for (std::size_t g = 0; g < plan.groups.size(); ++g)
    if (!cached(plan.groups[g])) missing.push_back(g);
  rep.calibrations = plan.groups.size();
  rep.calibrations_cached = plan.groups.size() - missing.size();
  if (show)
    std::fprintf(stderr, "sweep: %zu points, %zu calibrations (%zu cached in %s)\n", plan.points.size(),
                 plan.groups.size(), rep.calibrations_cached, rep.cache_dir.c_str());
  collectively(comm, [&] {
    for (std::size_t k = 0; k < missing.size(); ++k)
      if (int(k % comm.size()) == comm.rank()) calibrate_group(plan.groups[missing[k]], o.calibration, run.threads, run.quiet);
  });

  // The points: point i on rank i mod size; finished ones come from the work folder.
  std::vector<double> mine;
  std::size_t my_points = 0;
  for (std::size_t i = comm.rank(); i < plan.points.size(); i += comm.size()) ++my_points;
  collectively(comm, [&] {
    Progress bar("sweep points", my_points, !show);
    for (std::size_t i = comm.rank(); i < plan.points.size(); i += comm.size()) {
      std::vector<double> v;
      const std::string unit = unit_name(i);
      if (wd->has(unit)) {
        try {
          v = wd->open(unit).dataset("result").read_doubles();
          ++rep.points_resumed;
        } catch (const Error&) {
          v.clear();  // a damaged unit: compute the point again
        }
      }
      const fs::path cached_file = cached_point_path(o, plan, plan.points[i], rep.cache_dir);
      if (v.empty() && !(v = read_cached_point(cached_file)).empty()) ++rep.points_cached;
      if (v.empty()) {
        v = flatten(evaluate_point(o, plan, plan.points[i]));
        write_cached_point(cached_file, v);
      }
      if (!wd->has(unit)) wd->write(unit, [&](h5::File& f) { f.write("result", v, {.units = "mixed", .axes = {}}); });
      mine.push_back(double(i));
      mine.insert(mine.end(), v.begin(), v.end());
      bar.advance();
    }
    bar.finish();
  });

  const std::size_t width = 1 + o.axes.size() + metrics().size() + plan.max_levels;
  std::vector<double> all = comm.gather(mine);
  collectively(comm, [&] {
    if (!comm.root()) return;
    rep.points.resize(plan.points.size());
    for (std::size_t k = 0; k + width <= all.size(); k += width)
      rep.points[std::size_t(all[k])] = unflatten(&all[k + 1], o.axes.size(), plan.max_levels);
    rep.file = run.out;
    write_sweep_file(rep, o, run.out);
    if (!run.plot_dir.empty()) rep.plots = write_plots(rep, run.plot_dir);
    wd->remove();
  });
  rep.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

std::string to_text(const SweepReport& r) {
  std::string t;
  char buf[512];
  std::snprintf(buf, sizeof buf, "sweep: %zu points (%s on %s, scheme %s, %d images) in %.1f s\n", r.points.size(),
                r.network.c_str(), r.hardware.c_str(), r.scheme.c_str(), r.images, r.wall_seconds);
  t += buf;
  std::snprintf(buf, sizeof buf, "calibrations: %zu (%zu from the cache %s); points: %zu from the cache, %zu resumed\n",
                r.calibrations, r.calibrations_cached, r.cache_dir.c_str(), r.points_cached, r.points_resumed);
  t += buf;
  for (const auto& a : r.axes) t += "  " + a.name + " [" + a.units + "]";
  t += "  accuracy  adc_error_rate  ir_ratio  energy_per_inference_j\n";
  for (const auto& p : r.points) {
    for (double v : p.values) {
      std::snprintf(buf, sizeof buf, "  %10g", v);
      t += buf;
    }
    std::snprintf(buf, sizeof buf, "  %8.4f  %14.4g  %8.5f  %12.5g\n", p.accuracy, p.adc_error_rate, p.ir_ratio,
                  p.energy_per_inference_j);
    t += buf;
  }
  if (!r.file.empty()) t += "wrote " + r.file.string() + "\n";
  for (const auto& p : r.plots) t += "plot " + p.string() + "\n";
  return t;
}

nlohmann::json to_json(const SweepReport& r) {
  nlohmann::json j;
  j["file"] = r.file.string();
  j["cache_dir"] = r.cache_dir.string();
  j["mode"] = r.mode == Mode::zip ? "zip" : "grid";
  j["shape"] = r.shape;
  j["network"] = r.network;
  j["hardware"] = r.hardware;
  j["scheme"] = r.scheme;
  j["images"] = r.images;
  j["calibrations"] = r.calibrations;
  j["calibrations_cached"] = r.calibrations_cached;
  j["points_resumed"] = r.points_resumed;
  j["points_cached"] = r.points_cached;
  j["wall_seconds"] = r.wall_seconds;
  j["axes"] = nlohmann::json::array();
  for (const auto& a : r.axes) j["axes"].push_back({{"name", a.name}, {"keys", a.keys}, {"units", a.units}, {"values", a.values}});
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  j["points"] = nlohmann::json::array();
  for (const auto& p : r.points) {
    nlohmann::json q;
    for (std::size_t a = 0; a < r.axes.size(); ++a) q[r.axes[a].name] = p.values[a];
    for (const Metric& m : metrics()) q[m.name] = num(p.*m.member);
    q["level_success_fraction"] = nlohmann::json::array();
    for (double v : p.level_success_fraction) q["level_success_fraction"].push_back(num(v));
    j["points"].push_back(q);
  }
  j["plots"] = nlohmann::json::array();
  for (const auto& p : r.plots) j["plots"].push_back(p.string());
  return j;
}

}  // namespace rramsim::sweep
