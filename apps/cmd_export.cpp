// rramsim export: a network and its trained weights as an ONNX model (docs/onnx.md), so
// other tools run exactly what was evaluated here.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/nn/from_network.hpp"
#include "rramsim/nn/onnx_model.hpp"
#include "rramsim/nn/weights.hpp"
#include "rramsim/workload/onnx.hpp"

namespace rramsim::apps {
namespace {

struct ExportArgs {
  std::string network;
  std::string weights;
  std::string out;
  std::string input_shape;
};

void run_export(const ExportArgs& a) {
  if (std::filesystem::path(a.out).extension() != ".onnx") throw InputError("export: --out must name a .onnx file");
  std::string network = a.network;
  if (!a.input_shape.empty()) {
    if (!workload::is_onnx_file(network)) throw InputError("export: --input-shape applies to an .onnx network only");
    network += ":" + a.input_shape;
  }
  const bool onnx_in = workload::is_onnx_file(network);
  if (a.weights.empty() && !onnx_in)
    throw InputError("export: --weights is required (a weights file written by rramsim train)");
  workload::Network net = workload::load_network(network);
  nn::Model model = nn::load_model(network, a.weights);
  nn::TrainingRecord record;
  if (!a.weights.empty()) record = nn::read_training_record(a.weights);
  else record = nn::read_training_record(network.substr(0, network.find(".onnx") + 5));
  nn::export_model(model, net, record, a.out);
  std::cout << fmt::format("wrote {}: network {}, {} layers ({} conv/fc), {} parameters{}\n", a.out, net.name,
                           net.layers.size(), net.weighted_layer_count(), model.parameter_count(),
                           record.dataset.empty() ? "" : ", trained on " + record.dataset);
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Export a network and its trained weights as ONNX (docs/onnx.md)");
  cmd->add_option("--network", args->network, "Network name (data/networks/), .toml or .onnx file")->required();
  cmd->add_option("--weights", args->weights, "Trained weights (.h5, from rramsim train)");
  cmd->add_option("--out", args->out, "ONNX file to write")->required();
  cmd->add_option("--input-shape", args->input_shape, "CxHxW for an ONNX input with dynamic dimensions");
  cmd->callback([args] { run_export(*args); });
}

}  // namespace rramsim::apps
