#pragma once
// The float model to and from ONNX (workload/onnx.hpp does the protobuf work).
#include <filesystem>
#include <map>
#include <string>

#include "rramsim/nn/model.hpp"
#include "rramsim/nn/weights.hpp"
#include "rramsim/workload/onnx.hpp"

namespace rramsim::nn {

// The model of an imported graph with its weights.
Model model_from_onnx(const workload::OnnxModel& imported);

// Per-layer weights of a model in the workload::LayerWeights form (for export).
std::vector<workload::LayerWeights> layer_weights(const Model& model);

// Writes the model (its network = `network`, which must be the model's layer graph) and
// its weights as ONNX; the training record goes to metadata_props (rramsim.dataset, ...).
void export_model(const Model& model, const workload::Network& network, const TrainingRecord& record,
                  const std::filesystem::path& path);

// The training record stored in an exported model's metadata (empty fields if absent).
TrainingRecord training_record_from_metadata(const std::map<std::string, std::string>& metadata);

}  // namespace rramsim::nn
