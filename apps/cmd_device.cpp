// rramsim device iv | program: characterize the RRAM cell model and its multi-level
// write-verify programming. Results go to HDF5 (written atomically); --json prints one
// JSON object on stdout; --plot renders a PNG through gnuplot when it is installed.
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "rramsim/common/plot.hpp"
#include "rramsim/common/progress.hpp"
#include "rramsim/common/provenance.hpp"
#include "rramsim/device/iv.hpp"
#include "rramsim/device/ngspice_session.hpp"
#include "rramsim/device/params_io.hpp"
#include "rramsim/device/write_verify.hpp"

namespace rramsim::apps {

namespace {

using namespace rramsim::device;

void provenance(h5::File& f, const std::string& command, const std::string& schema) {
  f.attr("schema", schema);
  f.attr("command", command);
  f.attr("tool_version", tool_version());
  f.attr("git_commit", git_commit());
  f.attr("created_utc", utc_timestamp());
}

void require_out(const std::string& out) {
  require(!out.empty(), "--out FILE.h5 is required");
}

// ---- device iv ----------------------------------------------------------------------
struct IvArgs {
  std::string params = "stanford-pku", engine = "native", out, plot;
  double vmax = 2.0, vmin = 2.0, period = 16e-3, compliance_ohm = 0;
  int samples = 2001;
  bool json = false;
};

struct EngineRun {
  std::string name;
  TransientResult trace;
  IvSummary summary;
  double seconds = 0;
};

void write_trace(h5::Group g, const EngineRun& r) {
  const auto& t = r.trace;
  h5::Dims n{t.time_s.size()};
  g.write("time_s", t.time_s, n).attr("units", "s");
  g.write("applied_volt", t.applied_volt, n).attr("units", "V");
  g.write("device_volt", t.device_volt, n).attr("units", "V");
  g.write("current_amp", t.current_amp, n).attr("units", "A");
  g.write("gap_m", t.gap_m, n).attr("units", "m");
  g.write("temp_k", t.temp_k, n).attr("units", "K");
  g.attr("set_volt", r.summary.set_volt).attr("reset_volt", r.summary.reset_volt);
  g.attr("lrs_ohm", r.summary.lrs_ohm).attr("hrs_ohm", r.summary.hrs_ohm);
  g.attr("read_volt", r.summary.read_volt).attr("final_gap_m", r.summary.final_gap_m);
  g.attr("seconds", r.seconds);
}

nlohmann::json summary_json(const EngineRun& r) {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"set_volt", num(r.summary.set_volt)},   {"reset_volt", num(r.summary.reset_volt)},
          {"lrs_ohm", num(r.summary.lrs_ohm)},     {"hrs_ohm", num(r.summary.hrs_ohm)},
          {"read_volt", r.summary.read_volt},      {"final_gap_m", r.summary.final_gap_m},
          {"seconds", r.seconds}};
}

void plot_iv(const std::vector<EngineRun>& runs, const std::string& png) {
  std::string s = "set title 'I-V sweep'\nset xlabel 'applied voltage (V)'\nset ylabel '|I| (A)'\n"
                  "set logscale y\nset grid\nset key top left\n";
  for (const auto& r : runs) {
    s += "$" + r.name + " << EOD\n";
    for (size_t i = 0; i < r.trace.time_s.size(); ++i)
      s += fmt::format("{:.6g} {:.6g}\n", r.trace.applied_volt[i], std::max(std::abs(r.trace.current_amp[i]), 1e-12));
    s += "EOD\n";
  }
  s += "plot ";
  for (size_t k = 0; k < runs.size(); ++k)
    s += (k ? ", " : "") + std::string("$") + runs[k].name + " using 1:2 with lines lw " + (k ? "1 dt 2" : "2") +
         " title '" + runs[k].name + "'";
  render_png(s + "\n", png);
}

void run_iv_command(const IvArgs& a) {
  require_out(a.out);
  Params p = params_from_spec(a.params);
  IvOptions o;
  o.vmax_volt = a.vmax;
  o.vmin_volt = a.vmin;
  o.period_s = a.period;
  require(std::isfinite(a.compliance_ohm) && a.compliance_ohm >= 0, "device iv: --compliance-ohm must be >= 0");
  o.compliance = Compliance::resistor(a.compliance_ohm);
  require(a.samples >= 11 && a.samples <= 10'000'000, "device iv: --samples must be in [11, 1e7]");
  o.transient.samples = a.samples;
  validate(o);
  AtomicOutput out(a.out);  // checks the directory before the run

  std::vector<Engine> engines;
  if (a.engine != "ngspice") engines.push_back(Engine::native);
  if (a.engine != "native") engines.push_back(Engine::ngspice);
  std::vector<EngineRun> runs;
  for (Engine e : engines) {
    EngineRun r;
    r.name = e == Engine::native ? "native" : "ngspice";
    auto t0 = std::chrono::steady_clock::now();
    r.trace = run_iv(p, o, e);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.summary = summarize_iv(p, o, r.trace);
    runs.push_back(std::move(r));
  }
  double dev = runs.size() == 2 ? current_max_rel_dev(runs[0].trace, runs[1].trace) : NAN;

  {
    auto f = h5::File::create(out.tmp_path());
    provenance(f, "device iv", "rramsim.device.iv/1");
    auto pg = f.create_group("params");
    write_params(pg, p);
    auto sw = f.create_group("sweep");
    sw.attr("vmax_volt", o.vmax_volt).attr("vmin_volt", o.vmin_volt).attr("period_s", o.period_s);
    sw.attr("compliance_ohm", a.compliance_ohm).attr("start_gap_m", p.gap_max_m);
    sw.attr("engine", a.engine);
    if (runs.size() == 2) sw.attr("engine_max_rel_dev", dev);
    for (const auto& r : runs) write_trace(sw.create_group(r.name), r);
    if (a.engine != "native") sw.attr("ngspice_version", NgspiceSession::instance().version());
  }
  out.commit();

  const EngineRun& head = runs.front();
  if (a.json) {
    nlohmann::json j = summary_json(head);
    j["engine"] = a.engine;
    j["params"] = p.name;
    j["out"] = a.out;
    if (runs.size() == 2) {
      j["engine_max_rel_dev"] = dev;
      j["seconds"] = nlohmann::json::object();
      for (const auto& r : runs) {
        j["seconds"][r.name] = r.seconds;
        j["engines"][r.name] = summary_json(r);
      }
      j["set_volt_rel_dev"] = std::abs(runs[0].summary.set_volt - runs[1].summary.set_volt) / std::abs(runs[0].summary.set_volt);
      j["reset_volt_rel_dev"] = std::abs(runs[0].summary.reset_volt - runs[1].summary.reset_volt) / std::abs(runs[0].summary.reset_volt);
      j["final_gap_rel_dev"] = std::abs(runs[0].summary.final_gap_m - runs[1].summary.final_gap_m) / runs[0].summary.final_gap_m;
    }
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("device iv: parameter set {}, sweep 0 -> +{} -> 0 -> -{} -> 0 V over {} s{}\n", p.name,
                             o.vmax_volt, o.vmin_volt, o.period_s,
                             a.compliance_ohm > 0 ? fmt::format(", series {} ohm", a.compliance_ohm) : "");
    for (const auto& r : runs)
      std::cout << fmt::format("  {:8s} set {:.4f} V  reset {:.4f} V  LRS {:.1f} ohm  HRS {:.1f} ohm (at {} V)  [{:.3f} s]\n",
                               r.name, r.summary.set_volt, r.summary.reset_volt, r.summary.lrs_ohm, r.summary.hrs_ohm,
                               r.summary.read_volt, r.seconds);
    if (runs.size() == 2) std::cout << fmt::format("  largest current deviation between engines: {:.3g}\n", dev);
    std::cout << "  wrote " << a.out << "\n";
  }
  if (!a.plot.empty()) {
    if (gnuplot_available())
      plot_iv(runs, a.plot);
    else
      std::cerr << "rramsim: gnuplot is not installed; no plot written\n";
  }
}

// ---- device program -----------------------------------------------------------------
struct ProgramArgs {
  std::string params = "stanford-pku", out, plot;
  int levels = 4, devices = 1000, threads = 0, max_pulses = 300;
  uint64_t seed = 1;
  double tolerance = 0.05;
  bool json = false, no_noise = false;
};

void plot_levels(const WriteVerifyReport& rep, const std::string& png) {
  // Histograms of the achieved conductance per level, on a log axis.
  double lo = 1e300, hi = 0;
  for (const auto& L : rep.levels)
    for (double g : L.samples_siemens)
      if (g > 0) lo = std::min(lo, g), hi = std::max(hi, g);
  int bins = 120;
  double l0 = std::log10(lo), l1 = std::log10(hi) + 1e-9;
  std::string s = "set title 'write-verify: achieved read conductance per level'\nset xlabel 'log10 G (S)'\n"
                  "set ylabel 'devices'\nset style fill solid 0.5\nset grid\n";
  for (size_t k = 0; k < rep.levels.size(); ++k) {
    std::vector<int> h(bins, 0);
    for (double g : rep.levels[k].samples_siemens)
      if (g > 0) ++h[std::min(bins - 1, static_cast<int>((std::log10(g) - l0) / (l1 - l0) * bins))];
    s += fmt::format("$L{} << EOD\n", k);
    for (int b = 0; b < bins; ++b) s += fmt::format("{:.6g} {}\n", l0 + (b + 0.5) * (l1 - l0) / bins, h[b]);
    s += "EOD\n";
  }
  s += fmt::format("set boxwidth {:.6g}\nplot ", (l1 - l0) / bins);
  for (size_t k = 0; k < rep.levels.size(); ++k)
    s += fmt::format("{}$L{} using 1:2 with boxes title 'level {}'", k ? ", " : "", k, k);
  render_png(s + "\n", png);
}

void run_program_command(const ProgramArgs& a) {
  require_out(a.out);
  Params p = params_from_spec(a.params);
  WriteVerifyOptions o = pulse_scheme_for(p);
  require(a.levels >= 2 && a.levels <= 64, "device program: --levels must be in [2, 64]");
  require(a.devices >= 1 && a.devices <= 10'000'000, "device program: --devices must be in [1, 1e7]");
  require(std::isfinite(a.tolerance) && a.tolerance > 0 && a.tolerance < 1, "device program: --tolerance must be in (0, 1)");
  require(a.max_pulses >= 1, "device program: --max-pulses must be >= 1");
  require(a.threads >= 0, "device program: --threads must be >= 0");
  o.levels = a.levels;
  o.devices = a.devices;
  o.seed = a.seed;
  o.threads = a.threads;
  o.tolerance_rel = a.tolerance;
  o.max_pulses = a.max_pulses;
  o.noise = !a.no_noise;
  AtomicOutput out(a.out);  // checks the directory before the long run
  Progress prog("write-verify", static_cast<size_t>(a.devices), a.json);
  o.on_device_done = [&prog] { prog.advance(); };
  auto rep = write_verify(p, o);
  prog.finish();

  {
    auto f = h5::File::create(out.tmp_path());
    provenance(f, "device program", "rramsim.device.program/1");
    auto pg = f.create_group("params");
    write_params(pg, p);
    auto g = f.create_group("program");
    g.attr("levels", int64_t{o.levels}).attr("devices", int64_t{o.devices}).attr("seed", static_cast<int64_t>(o.seed));
    g.attr("tolerance_rel", o.tolerance_rel).attr("max_pulses", int64_t{o.max_pulses});
    g.attr("noise", int64_t{o.noise}).attr("pulse_width_s", o.pulse_width_s).attr("set_volt", o.set_volt);
    g.attr("levels_overlap_3sigma", int64_t{rep.levels_overlap_3sigma});
    g.write("quantile_probs", rep.quantile_probs).attr("units", "1");
    for (size_t k = 0; k < rep.levels.size(); ++k) {
      const auto& L = rep.levels[k];
      auto lg = g.create_group(fmt::format("level_{}", k));
      lg.write("samples_siemens", L.samples_siemens).attr("units", "S");
      lg.write("quantiles_siemens", L.quantiles_siemens).attr("units", "S");
      lg.attr("target_siemens", L.target_siemens).attr("mean_siemens", L.mean_siemens);
      lg.attr("std_siemens", L.std_siemens).attr("success_fraction", L.success_fraction);
      lg.attr("mean_pulses", L.mean_pulses).attr("failures", int64_t{L.failures});
    }
  }
  out.commit();

  if (a.json) {
    nlohmann::json j;
    j["params"] = p.name;
    j["devices"] = o.devices;
    j["tolerance_rel"] = o.tolerance_rel;
    j["levels_overlap_3sigma"] = rep.levels_overlap_3sigma;
    j["seconds"] = rep.seconds;
    j["out"] = a.out;
    j["quantile_probs"] = rep.quantile_probs;
    for (const auto& L : rep.levels)
      j["levels"].push_back({{"target_siemens", L.target_siemens},
                             {"mean_siemens", L.mean_siemens},
                             {"std_siemens", L.std_siemens},
                             {"quantiles_siemens", L.quantiles_siemens},
                             {"success_fraction", L.success_fraction},
                             {"mean_pulses", L.mean_pulses},
                             {"failures", L.failures}});
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("device program: {} levels, {} devices, parameter set {}, tolerance {:.1f} %\n", o.levels,
                             o.devices, p.name, 100 * o.tolerance_rel);
    for (size_t k = 0; k < rep.levels.size(); ++k) {
      const auto& L = rep.levels[k];
      std::cout << fmt::format("  level {}: target {:.4g} S  mean {:.4g} S  std {:.3g} S  success {:.2f} %  pulses {:.1f}\n",
                               k, L.target_siemens, L.mean_siemens, L.std_siemens, 100 * L.success_fraction,
                               L.mean_pulses);
    }
    std::cout << "  levels overlap at +-3 sigma: " << (rep.levels_overlap_3sigma ? "yes" : "no") << "\n";
    std::cout << "  wrote " << a.out << "\n";
  }
  if (!a.plot.empty()) {
    if (gnuplot_available())
      plot_levels(rep, a.plot);
    else
      std::cerr << "rramsim: gnuplot is not installed; no plot written\n";
  }
}

}  // namespace

void add_device_commands(CLI::App& app) {
  auto* dev = app.add_subcommand("device", "The oxide RRAM cell model: I-V characterization and write-verify programming");
  dev->require_subcommand(1);

  auto iv = std::make_shared<IvArgs>();
  auto* c = dev->add_subcommand("iv", "Triangular sweep 0 -> +vmax -> 0 -> -vmin -> 0; set/reset voltages, LRS/HRS");
  c->add_option("--params", iv->params, "Parameter set: stanford-pku, asu, or FILE.toml")->capture_default_str();
  c->add_option("--engine", iv->engine, "native, ngspice or both")
      ->check(CLI::IsMember({"native", "ngspice", "both"}))
      ->capture_default_str();
  c->add_option("--vmax", iv->vmax, "Positive peak (V)")->capture_default_str();
  c->add_option("--vmin", iv->vmin, "Magnitude of the negative peak (V)")->capture_default_str();
  c->add_option("--period", iv->period, "Sweep duration (s)")->capture_default_str();
  c->add_option("--compliance-ohm", iv->compliance_ohm, "Series resistor (ohm); 0: none")->capture_default_str();
  c->add_option("--samples", iv->samples, "Output points")->capture_default_str();
  c->add_option("--out", iv->out, "Output HDF5 file")->required();
  c->add_flag("--json", iv->json, "Print one JSON object on stdout");
  c->add_option("--plot", iv->plot, "Write the I-V curve as a PNG (needs gnuplot)");
  c->callback([iv] { run_iv_command(*iv); });

  auto pr = std::make_shared<ProgramArgs>();
  auto* q = dev->add_subcommand("program", "Write-verify programming of multi-level cells over many devices");
  q->add_option("--params", pr->params, "Parameter set: stanford-pku, asu, or FILE.toml")->capture_default_str();
  q->add_option("--levels", pr->levels, "Conductance levels per cell")->capture_default_str();
  q->add_option("--devices", pr->devices, "Devices drawn with device-to-device variation")->capture_default_str();
  q->add_option("--seed", pr->seed, "Random seed")->capture_default_str();
  q->add_option("--threads", pr->threads, "Worker threads (0: all cores); results do not depend on it")
      ->capture_default_str();
  q->add_option("--tolerance", pr->tolerance, "Relative tolerance on the read conductance")->capture_default_str();
  q->add_option("--max-pulses", pr->max_pulses, "Pulse budget per device and level")->capture_default_str();
  q->add_flag("--no-noise", pr->no_noise, "Switch off the cycle-to-cycle variation");
  q->add_option("--out", pr->out, "Output HDF5 file")->required();
  q->add_flag("--json", pr->json, "Print one JSON object on stdout");
  q->add_option("--plot", pr->plot, "Write level histograms as a PNG (needs gnuplot)");
  q->callback([pr] { run_program_command(*pr); });
}

}  // namespace rramsim::apps
