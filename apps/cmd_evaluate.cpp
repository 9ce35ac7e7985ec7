// rramsim evaluate: a network on an accelerator (docs/arch.md), and with --scheme the
// seed's schemes measured bit-accurately and compared with ISAAC and PRIME (docs/schemes.md).
//
// Extending: a scheme option adds its flag in add_evaluate_command() and fills
// EvaluateOptions (per-layer overrides) in build_options(); run_evaluate() stays as is.
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "rramsim/arch/evaluate.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/data_path.hpp"
#include "rramsim/nn/weights.hpp"
#include "rramsim/schemes/compare.hpp"
#include "rramsim/workload/onnx.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/progress.hpp"

namespace rramsim::apps {

namespace {

namespace sc = rramsim::schemes;

struct EvaluateArgs {
  std::string arch;
  std::string network;
  std::string input_shape;  // CxHxW for an ONNX network with dynamic dimensions
  std::string tables;
  std::string adc_model = "isaac-survey";
  int adc_bits = 0;  // 0: the hardware's
  std::string read_energy;          // "" : circuit with --tables, table without
  std::optional<double> wire_ohm;   // a wire value of the tables; empty: their nominal one
  bool json = false;
  std::string output;
  // Schemes (docs/schemes.md).
  std::vector<std::string> schemes;
  std::string weights;          // "" : data/weights/<network>-*.h5 when present
  bool synthetic = false;       // ignore trained weights
  std::string data;             // labelled data: mnist, fashion-mnist, an image folder, a .toml; "": the weights'
  int images = 1000;
  int calibration_images = 200;
  std::string compare_arch = "prime";
  double read_pulse_ns = 100;   // ISAAC's read cycle
  uint64_t seed = 1;
  bool quiet = false;
  bool power_gating = false;
  std::vector<int> iso_bits = {16, 8, 6, 5, 4, 3};
};

arch::EvaluateOptions build_options(const EvaluateArgs& a, const arch::Hardware& hw, const workload::Network& net) {
  arch::EvaluateOptions opt;
  if (!a.tables.empty()) {
    if (!std::filesystem::exists(a.tables)) throw InputError("--tables: file " + a.tables + " does not exist");
    opt.tables = a.tables;
  }
  opt.adc_model = a.adc_model;
  if (a.adc_bits) opt.adc_bits = a.adc_bits;
  opt.power_gating = a.power_gating;
  if (!a.read_energy.empty()) opt.read_energy = arch::parse_read_energy(a.read_energy);
  opt.wire_ohm = a.wire_ohm;
  return opt;
}

void emit(const EvaluateArgs& a, const std::string& text) {
  if (a.output.empty()) {
    std::cout << text;
    return;
  }
  AtomicOutput out(a.output);
  {
    std::ofstream f(out.tmp_path());
    f << text;
    if (!f.flush()) throw InputError("cannot write " + a.output);
  }
  out.commit();
}

// ---- schemes -------------------------------------------------------------------------

std::filesystem::path find_weights(const EvaluateArgs& a, const std::string& network) {
  if (a.synthetic) return {};
  if (a.weights.empty() && workload::is_onnx_file(a.network)) {  // weights inside; labelled data if exported here
    std::string file = a.network.substr(0, a.network.find(".onnx") + 5);
    const bool labelled = !a.data.empty() || !nn::read_training_record(file).dataset.empty();
    return labelled ? std::filesystem::path(file) : std::filesystem::path{};
  }
  if (!a.weights.empty()) {
    if (!std::filesystem::exists(a.weights)) throw InputError("--weights: file " + a.weights + " does not exist");
    return a.weights;
  }
  auto dir = data_dir() / "weights";
  std::error_code ec;
  std::vector<std::filesystem::path> found;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".h5" && e.path().stem().string().rfind(network + "-", 0) == 0)
      found.push_back(e.path());
  std::sort(found.begin(), found.end());
  return found.empty() ? std::filesystem::path{} : found.front();
}

// The library reports progress through a callback; the command line draws it.
sc::ProgressCallback progress_display(bool quiet) {
  if (quiet) return {};
  struct State {
    std::unique_ptr<Progress> bar;
    size_t done = 0;
  };
  auto st = std::make_shared<State>();
  return [st](const sc::ProgressEvent& e) {
    if (!st->bar) {
      st->bar = std::make_unique<Progress>(e.stage, e.total);
      st->done = 0;
    }
    if (e.done > st->done) st->bar->advance(e.done - st->done);
    st->done = e.done;
    if (e.finished) {
      st->bar->finish();
      st->bar.reset();
    }
  };
}

void run_schemes(const EvaluateArgs& a) {
  sc::CompareOptions o;
  o.arch = a.arch;
  o.network = a.network;
  o.schemes = a.schemes;
  if (!a.tables.empty() && !std::filesystem::exists(a.tables))
    throw InputError("--tables: file " + a.tables + " does not exist");
  o.tables = a.tables;
  o.adc_model = a.adc_model;
  if (a.adc_bits) o.adc_bits = a.adc_bits;
  if (!a.read_energy.empty()) o.read_energy = arch::parse_read_energy(a.read_energy);
  o.wire_ohm = a.wire_ohm;
  if (o.wire_ohm && o.tables.empty()) throw InputError("--wire-ohm needs --tables");
  o.weights = find_weights(a, workload::load_network(a.network).name);
  o.data = a.data;
  o.images = a.images;
  o.calibration_images = a.calibration_images;
  o.compare_arch = a.compare_arch;
  o.read_pulse_ns = a.read_pulse_ns;
  o.seed = a.seed;
  o.power_gating = a.power_gating;
  o.static_bits = a.iso_bits;
  o.progress = progress_display(a.quiet);
  sc::Comparison c = sc::compare(o);
  emit(a, a.json ? sc::to_json(c).dump(2) + "\n" : sc::to_text(c));
}

void run_evaluate(const EvaluateArgs& a) {
  if (!a.output.empty()) {  // before any work: -o never overwrites an input (issue 13)
    std::vector<std::filesystem::path> inputs;
    for (const std::string& in : {a.tables, a.network, a.network.substr(0, a.network.rfind(':')), a.arch,
                                  a.weights, a.adc_model})
      if (!in.empty() && std::filesystem::exists(in)) inputs.push_back(in);
    check_outputs({a.output}, inputs);
  }
  if (!a.schemes.empty()) return run_schemes(a);
  arch::Hardware hw = arch::load_hardware(a.arch);
  workload::Network net = workload::load_network(a.network);
  arch::Report r = arch::evaluate(hw, net, build_options(a, hw, net));
  emit(a, a.json ? arch::to_json(r).dump(2) + "\n" : arch::to_text(r));
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto args = std::make_shared<EvaluateArgs>();
  CLI::App* cmd = app.add_subcommand("evaluate", "Evaluate a CNN on an RRAM accelerator: mapping, events, energy, "
                                                 "throughput, area, peak figures; with --scheme, the seed's schemes");
  cmd->add_option("--arch", args->arch, "Hardware: isaac, prime, or a .toml file")->required();
  cmd->add_option("--network", args->network,
                  "Network: lenet5, alexnet, vgg16, resnet18, resnet50, or a .toml or .onnx file")->required();
  cmd->add_option("--input-shape", args->input_shape, "CxHxW of an .onnx network with dynamic dimensions");
  cmd->add_option("--tables", args->tables,
                  "Calibration tables (.h5): ADC energy, area and rate, and with --scheme the ADC nonideality");
  cmd->add_option("--adc-model", args->adc_model,
                  "ADC cost model without --tables: isaac-survey, isaac-walden, or a .toml file")->capture_default_str();
  cmd->add_option("--adc-bits", args->adc_bits, "ADC resolution of every layer (default: the hardware's)")
      ->check(CLI::Range(1, 16));
  cmd->add_option("--read-energy", args->read_energy,
                  "Crossbar read energy: circuit (the tables' supply power of a read, cells + wire I^2R; default "
                  "with --tables) or table (the hardware file's figure; default without)")
      ->check(CLI::IsMember({"circuit", "table"}));
  cmd->add_option("--wire-ohm", args->wire_ohm,
                  "Wire resistance per segment to use from the tables (a value on their wire grid; default: nominal)");
  cmd->add_flag("--json", args->json, "Print one JSON object instead of the readable report");
  cmd->add_option("-o,--output", args->output, "Write the report to this file instead of stdout");
  cmd->add_option("--scheme", args->schemes,
                  "Scheme (repeatable): baseline, encoding, encoding+adc, full, all, a .toml file, or a comma list "
                  "of components (docs/schemes.md); compares with ISAAC and PRIME");
  cmd->add_option("--weights", args->weights, "Trained weights (.h5); default data/weights/<network>-*.h5 if present");
  cmd->add_option("--data", args->data,
                  "Labelled data for the accuracies: mnist, fashion-mnist, an image folder (labels.csv or one "
                  "subfolder per class; test/ and train/ splits if present), or a .toml (default: the weights')");
  cmd->add_flag("--synthetic", args->synthetic, "Synthetic layer statistics even if trained weights exist");
  cmd->add_option("--images", args->images, "Test images for the bit-accurate accuracy (0: the whole test set)")
      ->capture_default_str();
  cmd->add_option("--calibration-images", args->calibration_images,
                  "Training images for activation ranges and ADC sizing")->capture_default_str()->check(CLI::Range(1, 60000));
  cmd->add_option("--compare-arch", args->compare_arch, "Second reference design")->capture_default_str();
  cmd->add_option("--read-pulse-ns", args->read_pulse_ns, "Crossbar read pulse for the read energy (ns)")
      ->capture_default_str()->check(CLI::Range(0.001, 1e6));
  cmd->add_option("--seed", args->seed, "Seed of the calibrated ADC draws")->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "No progress display");
  cmd->add_option("--iso-bits", args->iso_bits,
                  "Static precisions of ISAAC tried for the iso-accuracy baseline, largest first (trained networks)")
      ->delimiter(',')->check(CLI::Range(2, 16))->capture_default_str();
  cmd->add_flag("--power-gating", args->power_gating,
                "Tiles holding no weights draw no always-on power (default: every tile of every chip used is on)");
  cmd->callback([args] {
    if (!args->input_shape.empty()) args->network += ":" + args->input_shape;  // "FILE.onnx:CxHxW"
    run_evaluate(*args);
  });
}

}  // namespace rramsim::apps
