#include "rramsim/calibration/pipeline.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

#include "rramsim/calibration/adc_stage.hpp"
#include "rramsim/calibration/crossbar_stage.hpp"
#include "rramsim/calibration/device_stage.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/calibration/work_dir.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"
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
  g.attr("units", static_cast<int64_t>(st.units));
  g.attr("resumed_units", static_cast<int64_t>(st.resumed));
}

}  // namespace

CalibrationReport run_calibration(const CalibrationOptions& o, const RunOptions& run) {
  const auto wall0 = Clock::now();
  const std::string start_time = utc_timestamp();
  const int threads = run.threads > 0 ? run.threads : std::max(1u, std::thread::hardware_concurrency());
  AtomicOutput out(run.out);
  std::filesystem::path work_path = run.out;
  work_path += ".work";
  WorkDir work(work_path, o.config_text, run.resume);
  if (run.resume && work.resumed_units() && !run.quiet)
    std::fprintf(stderr, "resuming: %zu finished work units in %s\n", work.resumed_units(), work_path.c_str());
  std::mutex h5_mu;  // the HDF5 library is not thread-safe in this build
  CalibrationReport report;

  // ---- device ----
  StageTime st_dev{"device", 0, 1, 0};
  DeviceLevels dev;
  {
    auto t = Clock::now();
    Progress p("device", o.device.devices, run.quiet);
    if (work.has("device")) {
      dev = read_device_levels(work.open("device"));
      st_dev.resumed = 1;
      p.advance(o.device.devices);
    } else {
      dev = run_device_stage(o.device, unit_seed(o.seed, kDevice, 0), threads, [&p] { p.advance(); });
      work.write("device", [&](h5::File& f) { write_device_levels(f, dev); });
    }
    p.finish();
    st_dev.seconds = since(t);
  }

  // ---- crossbar ----
  auto keys = crossbar_units(o.crossbar);
  StageTime st_xb{"crossbar", 0, keys.size(), 0};
  std::vector<UnitSamples> samples(keys.size());
  {
    auto t = Clock::now();
    Progress p("crossbar", keys.size(), run.quiet);
    std::atomic<size_t> resumed{0};
    parallel_for(keys.size(), threads, [&](size_t i) {
      std::string name = unit_name("crossbar", i);
      bool done;
      {
        std::lock_guard lock(h5_mu);
        done = work.has(name);
        if (done) samples[i] = read_unit_samples(work.open(name));
      }
      if (done) {
        ++resumed;
      } else {
        UnitSamples u = run_crossbar_unit(o, dev, keys[i], unit_seed(o.seed, kCrossbar, i));
        std::lock_guard lock(h5_mu);
        work.write(name, [&](h5::File& f) { write_unit_samples(f, u); });
        samples[i] = std::move(u);
      }
      p.advance();
    });
    p.finish();
    st_xb.resumed = resumed;
    st_xb.seconds = since(t);
  }

  // ---- SPICE check (serial: the reference engine is one process-wide simulator) ----
  const auto& x = o.crossbar;
  std::vector<EngineCheck> checks;
  StageTime st_chk{"check", 0, x.check_engine == "none" ? 0 : x.check_wire_ohm.size(), 0};
  {
    auto t = Clock::now();
    Progress p("check", st_chk.units, run.quiet);
    for (size_t i = 0; i < st_chk.units; ++i) {
      std::string name = unit_name("check", i);
      EngineCheck c;
      if (work.has(name)) {
        auto f = work.open(name);
        c.wire_ohm = f.attr_double("wire_ohm");
        c.max_rel_diff = f.attr_double("max_rel_diff");
        c.rms_rel_diff = f.attr_double("rms_rel_diff");
        c.max_abs_diff_amp = f.attr_double("max_abs_diff_amp");
        c.seconds = f.attr_double("seconds");
        c.bulk = f.attr_string("bulk");
        c.reference = f.attr_string("reference");
        ++st_chk.resumed;
      } else {
        c = run_engine_check(o, dev, x.check_wire_ohm[i], unit_seed(o.seed, kCheck, i));
        work.write(name, [&](h5::File& f) {
          f.attr("wire_ohm", c.wire_ohm).attr("max_rel_diff", c.max_rel_diff).attr("rms_rel_diff", c.rms_rel_diff);
          f.attr("max_abs_diff_amp", c.max_abs_diff_amp).attr("seconds", c.seconds);
          f.attr("bulk", c.bulk).attr("reference", c.reference);
        });
      }
      checks.push_back(c);
      p.advance();
    }
    p.finish();
    st_chk.seconds = since(t);
  }

  // ---- statistics and ADC (fast, recomputed from the units) ----
  StageTime st_stats{"statistics", 0, 1, 0}, st_adc{"adc", 0, 1, 0};
  auto t_stats = Clock::now();
  CurrentStats stats = aggregate_currents(o, dev.levels(), keys, samples);
  st_stats.seconds = since(t_stats);
  auto t_adc = Clock::now();
  AdcTables adc = run_adc_stage(o, dev, keys, samples);
  st_adc.seconds = since(t_adc);

  // ---- the file ----
  auto t_write = Clock::now();
  {
    auto f = h5::File::create(out.tmp_path());
    auto g_dev = f.create_group("device");
    write_device_levels(g_dev, dev);
    g_dev.attr("params", o.device.params_spec).attr("bits_per_cell", static_cast<int64_t>(o.device.bits_per_cell));
    g_dev.attr("devices", static_cast<int64_t>(o.device.devices)).attr("tolerance_rel", o.device.tolerance_rel);
    g_dev.attr("variation", static_cast<int64_t>(o.device.variation));
    g_dev.attr("max_pulses", static_cast<int64_t>(o.device.max_pulses));
    g_dev.attr("ideal_levels", static_cast<int64_t>(o.device.ideal_levels));
    stage_attrs(g_dev, st_dev);

    auto g_xb = f.create_group("crossbar");
    write_current_stats(g_xb, o, dev.levels(), stats);
    g_xb.attr("rows", static_cast<int64_t>(x.rows)).attr("cols", static_cast<int64_t>(x.cols));
    g_xb.attr("cell", x.cell == circuit::CellType::one_t_one_r ? "1t1r" : "passive");
    g_xb.attr("linear_cells", static_cast<int64_t>(x.linear_cells));
    g_xb.attr("nominal_wire_ohm", x.nominal_wire_ohm).attr("read_volt", dev.read_volt);
    g_xb.attr("driver_ohm", x.driver_ohm).attr("sense_ohm", x.sense_ohm).attr("access_on_ohm", x.access_on_ohm);
    g_xb.attr("engine", x.engine);
    g_xb.attr("inputs_per_count", static_cast<int64_t>(x.inputs_per_count));
    g_xb.attr("arrays_per_mix", static_cast<int64_t>(x.arrays_per_mix));
    std::vector<std::string> engines;
    for (double w : x.wire_ohm) engines.push_back(bulk_engine(o, w));
    g_xb.write_strings("engine_per_wire", engines);
    stage_attrs(g_xb, st_xb);
    g_xb.attr("statistics_seconds", st_stats.seconds);

    auto g_chk = g_xb.create_group("check");
    g_chk.attr("reference_engine", x.check_engine);
    g_chk.attr("rows", static_cast<int64_t>(x.check_rows)).attr("cols", static_cast<int64_t>(x.check_cols));
    g_chk.attr("inputs", static_cast<int64_t>(x.check_inputs));
    std::vector<double> cw, cmax, crms, cabs, csec;
    std::vector<std::string> cbulk;
    for (const auto& c : checks) {
      cw.push_back(c.wire_ohm);
      cmax.push_back(c.max_rel_diff);
      crms.push_back(c.rms_rel_diff);
      cabs.push_back(c.max_abs_diff_amp);
      csec.push_back(c.seconds);
      cbulk.push_back(c.bulk);
    }
    g_chk.write("wire_ohm", cw).attr("units", "ohm").attr("axes", "check");
    g_chk.write("max_rel_diff", cmax).attr("units", "1 (of the input's largest column current)").attr("axes", "check");
    g_chk.write("rms_rel_diff", crms).attr("units", "1 (of the input's largest column current)").attr("axes", "check");
    g_chk.write("max_abs_diff_amp", cabs).attr("units", "A").attr("axes", "check");
    g_chk.write("seconds", csec).attr("units", "s").attr("axes", "check");
    g_chk.write_strings("bulk_engine", cbulk);
    stage_attrs(g_chk, st_chk);

    auto g_adc = f.create_group("adc");
    write_adc_tables(g_adc, o, adc);
    stage_attrs(g_adc, st_adc);

    // Provenance last: a file is a calibration file only once it carries these.
    std::string ng = "not used";
    if (x.engine == "ngspice" || (x.check_engine == "ngspice" && !checks.empty()))
      ng = device::NgspiceSession::instance().version();
    f.attr("rramsim_kind", "calibration");
    f.attr("schema_version", static_cast<int64_t>(kSchemaVersion));
    f.attr("tool_version", tool_version());
    f.attr("git_commit", git_commit());
    f.attr("config_toml", o.config_text);
    f.attr("config_name", o.config_name);
    f.attr("seed", static_cast<int64_t>(o.seed));
    f.attr("engines", "bulk: " + x.engine + " (ideal where all parasitics are 0); check: " + x.check_engine);
    f.attr("ngspice_version", ng);
    f.attr("threads", static_cast<int64_t>(threads));
    f.attr("start_time", start_time);
    f.attr("end_time", utc_timestamp());
    std::vector<double> secs = {st_dev.seconds, st_xb.seconds, st_chk.seconds, st_stats.seconds, st_adc.seconds,
                                since(t_write)};
    f.attr("stage_seconds", secs);
    f.attr("stage_names", "device, crossbar, check, statistics, adc, write");
    f.attr("wall_seconds", since(wall0));
  }
  out.commit();
  work.remove();
  report.file = run.out;
  report.stages = {st_dev, st_xb, st_chk, st_stats, st_adc, {"write", since(t_write), 1, 0}};
  report.wall_seconds = since(wall0);
  return report;
}

}  // namespace rramsim::calibration
