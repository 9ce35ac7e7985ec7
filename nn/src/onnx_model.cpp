#include "rramsim/nn/onnx_model.hpp"

#include <fmt/format.h>

#include "rramsim/common/error.hpp"
#include "rramsim/common/provenance.hpp"

namespace rramsim::nn {

Model model_from_onnx(const workload::OnnxModel& m) {
  const auto& net = m.network;
  Model model(net.name, net.input, net.layers);
  for (size_t i = 0; i < net.layers.size(); ++i) {
    LayerParams& p = model.params()[i];
    const auto& w = m.weights[i];
    if (p.weights.size() != static_cast<long>(w.weights.size()) || p.bias.size() != static_cast<long>(w.bias.size()))
      throw InputError(net.source.string() + ": layer '" + net.layers[i].name + "': imported weights have " +
                       std::to_string(w.weights.size()) + " values, the layer needs " +
                       std::to_string(p.weights.size()));
    for (long r = 0; r < p.weights.rows(); ++r)
      for (long c = 0; c < p.weights.cols(); ++c) p.weights(r, c) = w.weights[r * p.weights.cols() + c];
    for (long r = 0; r < p.bias.size(); ++r) p.bias(r) = w.bias[r];
  }
  return model;
}

std::vector<workload::LayerWeights> layer_weights(const Model& model) {
  std::vector<workload::LayerWeights> out;
  for (const auto& p : model.params()) {
    workload::LayerWeights w;
    for (long r = 0; r < p.weights.rows(); ++r)
      for (long c = 0; c < p.weights.cols(); ++c) w.weights.push_back(p.weights(r, c));
    w.bias.assign(p.bias.data(), p.bias.data() + p.bias.size());
    out.push_back(std::move(w));
  }
  return out;
}

void export_model(const Model& model, const workload::Network& network, const TrainingRecord& r,
                  const std::filesystem::path& path) {
  if (network.layers.size() != model.layers().size())
    throw Error("export_model: the network does not match the model");
  workload::Network net = network;
  net.layers = model.layers();  // inputs resolved by the model
  std::map<std::string, std::string> meta{{"rramsim.tool_version", tool_version()},
                                          {"rramsim.git_commit", git_commit()},
                                          {"rramsim.created_utc", utc_timestamp()}};
  if (!r.dataset.empty()) meta["rramsim.dataset"] = r.dataset;
  if (!r.optimizer.empty()) meta["rramsim.optimizer"] = r.optimizer;
  if (r.epochs) meta["rramsim.epochs"] = std::to_string(r.epochs);
  if (r.batch_size) meta["rramsim.batch_size"] = std::to_string(r.batch_size);
  if (r.learning_rate > 0) meta["rramsim.learning_rate"] = fmt::format("{}", r.learning_rate);
  meta["rramsim.seed"] = std::to_string(r.seed);
  if (r.test_accuracy > 0) meta["rramsim.test_accuracy"] = fmt::format("{}", r.test_accuracy);
  if (!r.command.empty()) meta["rramsim.command"] = r.command;
  if (!net.description.empty()) meta["description"] = net.description;
  workload::export_onnx(net, layer_weights(model), meta, path);
}

TrainingRecord training_record_from_metadata(const std::map<std::string, std::string>& m) {
  auto get = [&](const std::string& k) {
    auto it = m.find("rramsim." + k);
    return it == m.end() ? std::string() : it->second;
  };
  auto num = [&](const std::string& k) {
    try {
      return get(k).empty() ? 0.0 : std::stod(get(k));
    } catch (const std::exception&) {
      return 0.0;
    }
  };
  TrainingRecord r;
  r.dataset = get("dataset");
  r.optimizer = get("optimizer");
  r.epochs = static_cast<int>(num("epochs"));
  r.batch_size = static_cast<int>(num("batch_size"));
  r.learning_rate = num("learning_rate");
  r.seed = static_cast<int64_t>(num("seed"));
  r.test_accuracy = num("test_accuracy");
  r.command = get("command");
  return r;
}

}  // namespace rramsim::nn
