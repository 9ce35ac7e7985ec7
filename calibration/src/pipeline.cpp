#include "rramsim/calibration/pipeline.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "rramsim/calibration/adc_stage.hpp"
#include "rramsim/calibration/crossbar_stage.hpp"
#include "rramsim/calibration/device_stage.hpp"
#include "rramsim/calibration/schema.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/calibration/work_dir.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "rramsim/common/paths.hpp"
#include "rramsim/common/progress.hpp"
#include "rramsim/common/provenance.hpp"
#include "rramsim/device/ngspice_session.hpp"

namespace rramsim::calibration {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

enum Stage : uint64_t { kDevice = 1, kCrossbar = 2, kCheck = 3 };

std::string unit_name(const char* stage, size_t i) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s/u%06zu", stage, i);
  return buf;
}

// Runs fn(i) for i in [0, n) on `threads` threads; the first exception stops the rest and
// is rethrown. Units are independent, so the order does not matter.
template <class Fn>
void parallel_for(size_t n, int threads, Fn fn) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex mu;
  auto worker = [&] {
    for (size_t i; !failed && (i = next++) < n;) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!failed.exchange(true)) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && static_cast<size_t>(t) < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

void stage_attrs(h5::Group& g, const StageTime& st) {
  g.attr("seconds", st.seconds);
  g.attr(schema::kWorkUnits, static_cast<int64_t>(st.units));
  g.attr("resumed_units", static_cast<int64_t>(st.resumed));
}

// Delivers progress to the caller's callback, one call at a time; without one, shows it on
// the terminal as the CLI always has.
class Reporter {
 public:
  Reporter(ProgressFn fn, bool quiet) : fn_(std::move(fn)), quiet_(quiet) {}
  void start(const std::string& stage, size_t total) {
    std::lock_guard lock(mu_);
    done_ = 0, total_ = total;
    if (fn_) fn_({ProgressEvent::Kind::stage_start, stage, 0, total, {}});
    else bar_.emplace(stage, total, quiet_);
    stage_ = stage;
  }
  void advance(size_t n = 1) {
    std::lock_guard lock(mu_);
    done_ += n;
    if (fn_) fn_({ProgressEvent::Kind::advance, stage_, done_, total_, {}});
    else if (bar_) bar_->advance(n);
  }
  void finish() {
    std::lock_guard lock(mu_);
    if (fn_) fn_({ProgressEvent::Kind::stage_done, stage_, done_, total_, {}});
    else if (bar_) bar_->finish();
    bar_.reset();
  }
  void note(const std::string& message, bool even_if_quiet = false) {
    std::lock_guard lock(mu_);
    if (fn_) fn_({ProgressEvent::Kind::note, stage_, done_, total_, message});
    else if (!quiet_ || even_if_quiet) std::fprintf(stderr, "%s\n", message.c_str());
  }

 private:
  ProgressFn fn_;
  bool quiet_;
  std::mutex mu_;
  std::optional<Progress> bar_;
  std::string stage_;
  size_t done_ = 0, total_ = 0;
};

// A stage of independent work units kept in the work folder: each unit is loaded if a
// previous run finished it (and its checksums hold), else computed and saved.
template <class T>
struct ResumableStage {
  std::string name;
  size_t units = 0;
  bool parallel = true;         // false: one unit at a time (the SPICE engine is process-wide)
  size_t ticks_per_unit = 1;    // progress steps per unit
  bool compute_ticks = false;   // compute() reports its own steps through `tick`
  std::function<T(size_t unit, const std::function<void()>& tick)> compute;
  std::function<void(h5::File&, const T&)> save;
  std::function<T(const h5::File&)> load;
};

struct Context {
  WorkDir& work;
  Reporter& report;
  int threads;
  std::mutex h5_mu;  // the HDF5 library is not thread-safe in this build
};

template <class T>
std::vector<T> run_stage(Context& cx, const ResumableStage<T>& s, StageTime& st) {
  auto t0 = Clock::now();
  std::vector<T> out(s.units);
  std::atomic<size_t> resumed{0};
  cx.report.start(s.name, s.units * s.ticks_per_unit);
  auto tick = [&] { cx.report.advance(); };
  parallel_for(s.units, s.parallel ? cx.threads : 1, [&](size_t i) {
    std::string name = unit_name(s.name.c_str(), i);
    bool done = false;
    {
      std::lock_guard lock(cx.h5_mu);
      if (cx.work.has(name)) {
        try {
          out[i] = s.load(cx.work.open(name));
          done = true;
        } catch (const InputError& e) {  // a damaged unit is computed again, never trusted
          cx.report.note("work unit " + cx.work.path(name).string() + " is damaged (" + e.what() +
                         "): recomputing it");
        }
      }
    }
    if (done) {
      ++resumed;
      cx.report.advance(s.ticks_per_unit);
      return;
    }
    T value = s.compute(i, tick);
    {
      std::lock_guard lock(cx.h5_mu);
      cx.work.write(name, [&](h5::File& f) { s.save(f, value); });
    }
    out[i] = std::move(value);
    if (!s.compute_ticks) cx.report.advance(s.ticks_per_unit);
  });
  cx.report.finish();
  st = {s.name, since(t0), s.units, resumed};
  return out;
}

void save_check(h5::File& f, const EngineCheck& c) {
  f.attr("wire_ohm", c.wire_ohm).attr("max_rel_diff", c.max_rel_diff).attr("rms_rel_diff", c.rms_rel_diff);
  f.attr("max_abs_diff_amp", c.max_abs_diff_amp).attr("seconds", c.seconds);
  f.attr("bulk", c.bulk).attr("reference", c.reference);
}

EngineCheck load_check(const h5::File& f) {
  EngineCheck c;
  c.wire_ohm = f.attr_double("wire_ohm");
  c.max_rel_diff = f.attr_double("max_rel_diff");
  c.rms_rel_diff = f.attr_double("rms_rel_diff");
  c.max_abs_diff_amp = f.attr_double("max_abs_diff_amp");
  c.seconds = f.attr_double("seconds");
  c.bulk = f.attr_string("bulk");
  c.reference = f.attr_string("reference");
  return c;
}

// Everything the file records, computed by the stages.
struct Results {
  DeviceLevels dev;
  std::vector<CrossbarUnitKey> keys;
  std::vector<UnitSamples> samples;
  std::vector<EngineCheck> checks;
  CurrentStats stats;
  AdcTables adc;
  StageTime st_dev, st_xb, st_chk, st_stats, st_adc;
};

void write_device_group(h5::File& f, const CalibrationOptions& o, const Results& r) {
  auto g = f.create_group(schema::kDevice);
  write_device_levels(g, r.dev);
  g.attr("params", o.device.params_spec).attr("bits_per_cell", static_cast<int64_t>(o.device.bits_per_cell));
  g.attr("devices", static_cast<int64_t>(o.device.devices)).attr("tolerance_rel", o.device.tolerance_rel);
  g.attr("variation", static_cast<int64_t>(o.device.variation));
  g.attr("max_pulses", static_cast<int64_t>(o.device.max_pulses));
  g.attr("ideal_levels", static_cast<int64_t>(o.device.ideal_levels));
  g.attr("min_success_fraction", o.device.min_success_fraction);
  stage_attrs(g, r.st_dev);
}

void write_check_group(h5::Group& xb, const CrossbarStageOptions& x, const Results& r) {
  auto g = xb.create_group(schema::kCheck);
  g.attr("reference_engine", x.check_engine);
  g.attr("rows", static_cast<int64_t>(x.check_rows)).attr("cols", static_cast<int64_t>(x.check_cols));
  g.attr("inputs", static_cast<int64_t>(x.check_inputs));
  std::vector<double> cw, cmax, crms, cabs, csec;
  std::vector<std::string> cbulk;
  for (const auto& c : r.checks) {
    cw.push_back(c.wire_ohm);
    cmax.push_back(c.max_rel_diff);
    crms.push_back(c.rms_rel_diff);
    cabs.push_back(c.max_abs_diff_amp);
    csec.push_back(c.seconds);
    cbulk.push_back(c.bulk);
  }
  const char* rel = "1 (of the input's largest column current)";
  g.write_axis(schema::kWireOhm, cw, "check", "ohm");
  g.write(schema::kMaxRelDiff, cmax, {rel, {"check"}});
  g.write(schema::kRmsRelDiff, crms, {rel, {"check"}});
  g.write("max_abs_diff_amp", cabs, {"A", {"check"}});
  g.write("seconds", csec, {"s", {"check"}});
  g.write("bulk_engine", cbulk, {"engine name", {"check"}});
  stage_attrs(g, r.st_chk);
}

void write_crossbar_group(h5::File& f, const CalibrationOptions& o, const Results& r) {
  const auto& x = o.crossbar;
  auto g = f.create_group(schema::kCrossbar);
  write_current_stats(g, o, r.dev.levels(), r.stats);
  g.attr("rows", static_cast<int64_t>(x.rows)).attr("cols", static_cast<int64_t>(x.cols));
  g.attr("cell", x.cell == circuit::CellType::one_t_one_r ? "1t1r" : "passive");
  g.attr("linear_cells", static_cast<int64_t>(x.linear_cells));
  g.attr("nominal_wire_ohm", x.nominal_wire_ohm).attr("read_volt", r.dev.read_volt);
  g.attr("driver_ohm", x.driver_ohm).attr("sense_ohm", x.sense_ohm).attr("access_on_ohm", x.access_on_ohm);
  g.attr("engine", x.engine);
  g.attr("inputs_per_count", static_cast<int64_t>(x.inputs_per_count));
  g.attr("arrays_per_mix", static_cast<int64_t>(x.arrays_per_mix));
  std::vector<std::string> engines;
  for (double w : x.wire_ohm) engines.push_back(bulk_engine(o, w));
  g.write(schema::kEnginePerWire, engines, {"engine name", {"wire"}});
  stage_attrs(g, r.st_xb);
  g.attr("statistics_seconds", r.st_stats.seconds);
  write_check_group(g, x, r);
}

// The output file; provenance last: a file is a calibration file only once it carries it.
void write_tables(const std::filesystem::path& path, const CalibrationOptions& o, const Results& r, int threads,
                  const std::string& start_time, Clock::time_point wall0, Clock::time_point t_write) {
  const auto& x = o.crossbar;
  auto f = h5::File::create(path);
  write_device_group(f, o, r);
  write_crossbar_group(f, o, r);
  auto g_adc = f.create_group(schema::kAdc);
  write_adc_tables(g_adc, o, r.adc);
  stage_attrs(g_adc, r.st_adc);

  std::string ng = "not used";
  if (x.engine == "ngspice" || (x.check_engine == "ngspice" && !r.checks.empty()))
    ng = device::NgspiceSession::instance().version();
  f.attr("config_name", o.config_name);
  f.attr("seed", static_cast<int64_t>(o.seed));
  f.attr("engines", "bulk: " + x.engine + " (ideal where all parasitics are 0); check: " + x.check_engine);
  f.attr("ngspice_version", ng);
  f.attr("threads", static_cast<int64_t>(threads));
  f.attr("start_time", start_time);
  f.attr("end_time", utc_timestamp());
  std::vector<double> secs = {r.st_dev.seconds, r.st_xb.seconds,  r.st_chk.seconds,
                              r.st_stats.seconds, r.st_adc.seconds, since(t_write)};
  f.attr("stage_seconds", secs);
  f.attr("stage_names", "device, crossbar, check, statistics, adc, write");
  f.attr("wall_seconds", since(wall0));
  f.attr(schema::kDeviceParamsToml,
         o.device.params_text.empty() ? "preset " + o.device.params_spec : o.device.params_text);
  write_provenance(f, {.rramsim_kind = schema::kKind, .schema_version = schema::kVersion, .config_text = o.config_text});
}

// Every file the run reads, so the output can never be one of them.
std::vector<std::filesystem::path> input_files(const CalibrationOptions& o) {
  std::vector<std::filesystem::path> in = {o.config_name};
  for (const std::string& s : {o.device.params_spec, o.adc.cost_model})
    if (s.find('/') != std::string::npos || s.ends_with(".toml")) in.emplace_back(s);
  return in;
}

}  // namespace

CalibrationReport run_calibration(const CalibrationOptions& o, const RunOptions& run) {
  const auto wall0 = Clock::now();
  const std::string start_time = utc_timestamp();
  const int threads = run.threads > 0 ? run.threads : std::max(1u, std::thread::hardware_concurrency());
  std::filesystem::path work_path = run.out;
  work_path += ".work";
  check_output_path(run.out, input_files(o));
  remove_stale_parts(run.out);  // left by a run killed during its final write
  AtomicOutput out(run.out);
  WorkDir work(work_path, o.config_text, run.resume);
  Reporter report(run.on_progress, run.quiet);
  if (run.resume && work.resumed_units())
    report.note("resuming: " + std::to_string(work.resumed_units()) + " finished work units in " + work_path.string());
  Context cx{work, report, threads, {}};
  Results r;
  const auto& x = o.crossbar;

  r.dev = std::move(run_stage<DeviceLevels>(
      cx,
      {.name = "device", .units = 1, .parallel = false, .ticks_per_unit = static_cast<size_t>(o.device.devices),
       .compute_ticks = true,
       .compute = [&](size_t, const std::function<void()>& tick) {
         return run_device_stage(o.device, unit_seed(o.seed, kDevice, 0), threads, tick);
       },
       .save = [](h5::File& f, const DeviceLevels& d) { write_device_levels(f, d); },
       .load = [](const h5::File& f) { return read_device_levels(f); }},
      r.st_dev)[0]);

  // Write-verify below the threshold: a warning, or with `strict` a failure before any more work.
  std::vector<LevelProgramming> levels = check_programming(r.dev.target_siemens, r.dev.mean_siemens,
                                                           r.dev.success_fraction, o.device.min_success_fraction);
  std::vector<std::string> warnings;
  for (const auto& l : levels)
    if (l.below_threshold) warnings.push_back(programming_warning(l, o.device.min_success_fraction));
  if (run.strict && !warnings.empty()) {
    work.remove();
    std::string all;
    for (const auto& w : warnings) all += (all.empty() ? "" : "; ") + w;
    throw InputError("--strict: " + all);
  }
  for (const auto& w : warnings) report.note("warning: " + w, true);

  r.keys = crossbar_units(x);
  r.samples = run_stage<UnitSamples>(
      cx,
      {.name = "crossbar", .units = r.keys.size(),
       .compute = [&](size_t i, const std::function<void()>&) {
         return run_crossbar_unit(o, r.dev, r.keys[i], unit_seed(o.seed, kCrossbar, i));
       },
       .save = [](h5::File& f, const UnitSamples& u) { write_unit_samples(f, u); },
       .load = [](const h5::File& f) { return read_unit_samples(f); }},
      r.st_xb);

  r.checks = run_stage<EngineCheck>(
      cx,
      {.name = "check", .units = x.check_engine == "none" ? 0 : x.check_wire_ohm.size(), .parallel = false,
       .compute = [&](size_t i, const std::function<void()>&) {
         return run_engine_check(o, r.dev, x.check_wire_ohm[i], unit_seed(o.seed, kCheck, i));
       },
       .save = save_check,
       .load = load_check},
      r.st_chk);

  // Statistics and ADC are fast: recomputed from the units, never resumed.
  auto t_stats = Clock::now();
  r.stats = aggregate_currents(o, r.dev.levels(), r.keys, r.samples);
  r.st_stats = {"statistics", since(t_stats), 1, 0};
  auto t_adc = Clock::now();
  r.adc = run_adc_stage(o, r.dev, r.keys, r.samples);
  r.st_adc = {"adc", since(t_adc), 1, 0};

  auto t_write = Clock::now();
  write_tables(out.tmp_path(), o, r, threads, start_time, wall0, t_write);
  out.commit();
  work.remove();
  CalibrationReport report_out;
  report_out.file = run.out;
  report_out.stages = {r.st_dev, r.st_xb, r.st_chk, r.st_stats, r.st_adc, {"write", since(t_write), 1, 0}};
  report_out.wall_seconds = since(wall0);
  report_out.min_success_fraction = o.device.min_success_fraction;
  report_out.levels = std::move(levels);
  report_out.warnings = std::move(warnings);
  return report_out;
}

}  // namespace rramsim::calibration
