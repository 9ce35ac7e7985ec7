// rramsim device iv | program: characterize the RRAM cell model and its multi-level
// write-verify programming. Results go to HDF5 (written atomically); --json prints one
// JSON object on stdout; --plot renders a PNG through gnuplot when it is installed.
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/plot.hpp"
#include "rramsim/common/progress.hpp"
#include "rramsim/device/iv_comparison.hpp"
#include "rramsim/device/params_io.hpp"
#include "rramsim/device/program_outputs.hpp"

namespace rramsim::apps {

namespace {

using namespace rramsim::device;

void require_out(const std::string& out) {
  require(!out.empty(), "--out FILE.h5 is required");
}

// Inputs that a parameter spec names: a .toml file, or nothing for a preset.
std::vector<std::filesystem::path> params_inputs(const std::string& spec) {
  if (std::filesystem::path(spec).extension() == ".toml") return {spec};
  return {};
}


// ---- device iv ----------------------------------------------------------------------
struct IvArgs {
  std::string params = "stanford-pku", engine = "native", out, plot;
  double vmax = 2.0, vmin = 2.0, period = 16e-3, compliance_ohm = 0;
  int samples = 2001;
  bool json = false;
};

void run_iv_command(const IvArgs& a) {
  require_out(a.out);
  check_outputs({a.out, a.plot}, params_inputs(a.params));
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
  const std::string engines = a.engine;
  IvComparison c = characterize_iv(p, o, engines, a.compliance_ohm);
  write_with_plot(a.plot, [&] { c.write_plot(a.plot); }, [&] { c.write_h5(a.out); });
  if (a.json) {
    nlohmann::json j = c.to_json();
    j["out"] = a.out;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << c.to_text() << "  wrote " << a.out << "\n";
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

void run_program_command(const ProgramArgs& a) {
  require_out(a.out);
  check_outputs({a.out, a.plot}, params_inputs(a.params));
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
  Progress prog("write-verify", static_cast<size_t>(a.devices), a.json);
  o.on_device_done = [&prog] { prog.advance(); };
  auto rep = write_verify(p, o);
  prog.finish();
  write_with_plot(a.plot, [&] { write_levels_plot(rep, a.plot); }, [&] { write_program_h5(a.out, p, o, rep); });
  if (a.json) {
    nlohmann::json j = program_to_json(p, o, rep);
    j["out"] = a.out;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << program_to_text(p, o, rep) << "  wrote " << a.out << "\n";
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
