// rramsim evaluate: a network on an accelerator (docs/arch.md).
//
// Extending: a scheme option adds its flag in add_evaluate_command() and fills
// EvaluateOptions (per-layer overrides) in build_options(); run_evaluate() stays as is.
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "rramsim/arch/evaluate.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::apps {

namespace {

struct EvaluateArgs {
  std::string arch;
  std::string network;
  std::string tables;
  std::string adc_model = "isaac-survey";
  int adc_bits = 0;  // 0: the hardware's
  bool json = false;
  std::string output;
};

arch::EvaluateOptions build_options(const EvaluateArgs& a, const arch::Hardware& hw, const arch::Network& net) {
  arch::EvaluateOptions opt;
  if (!a.tables.empty()) {
    if (!std::filesystem::exists(a.tables)) throw InputError("--tables: file " + a.tables + " does not exist");
    opt.tables = a.tables;
  }
  opt.adc_model = a.adc_model;
  if (a.adc_bits) opt.adc_bits = a.adc_bits;
  return opt;
}

void run_evaluate(const EvaluateArgs& a) {
  arch::Hardware hw = arch::load_hardware(a.arch);
  arch::Network net = arch::load_network(a.network);
  arch::Report r = arch::evaluate(hw, net, build_options(a, hw, net));
  std::string text = a.json ? arch::to_json(r).dump(2) + "\n" : arch::to_text(r);
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

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto args = std::make_shared<EvaluateArgs>();
  CLI::App* cmd = app.add_subcommand("evaluate", "Evaluate a CNN on an RRAM accelerator: mapping, events, energy, "
                                                 "throughput, area, peak figures");
  cmd->add_option("--arch", args->arch, "Hardware: isaac, prime, or a .toml file")->required();
  cmd->add_option("--network", args->network,
                  "Network: lenet5, alexnet, vgg16, resnet18, resnet50, or a .toml file")->required();
  cmd->add_option("--tables", args->tables, "Calibration tables (.h5): ADC energy, area and rate come from it");
  cmd->add_option("--adc-model", args->adc_model,
                  "ADC cost model without --tables: isaac-survey, isaac-walden, or a .toml file")->capture_default_str();
  cmd->add_option("--adc-bits", args->adc_bits, "ADC resolution of every layer (default: the hardware's)")
      ->check(CLI::Range(1, 16));
  cmd->add_flag("--json", args->json, "Print one JSON object instead of the readable report");
  cmd->add_option("-o,--output", args->output, "Write the report to this file instead of stdout");
  cmd->callback([args] { run_evaluate(*args); });
}

}  // namespace rramsim::apps
