#pragma once
// Trained weights in HDF5 (schema in docs/training.md):
//   /                      attrs format = "rramsim-weights", schema_version, network,
//                          tool_version, git_commit, created_utc, plus TrainingRecord
//   /<layer name>/weight   conv: [out_channels, kernel_h, kernel_w, in_channels/groups]
//                          fc:   [out_features, in_features] (inputs flattened HWC)
//   /<layer name>/bias     [out_channels]
// Each layer group carries kind, layer_index and shape attributes.
#include <filesystem>
#include <string>

#include "rramsim/nn/model.hpp"

namespace rramsim::nn {

// How the weights were obtained; stored as root attributes.
struct TrainingRecord {
  std::string dataset;    // e.g. "mnist"
  std::string optimizer;  // e.g. "adam"
  int epochs = 0;
  int batch_size = 0;
  double learning_rate = 0;
  int64_t seed = 0;
  double test_accuracy = 0;  // float model on the data set's full test split
  double train_seconds = 0;
  std::string command;  // the command line that reproduces the file
};

// Writes through AtomicOutput: the file appears complete or not at all.
void save_weights(const Model& model, const TrainingRecord& record, const std::filesystem::path& path);

// Fills the model's weights. Throws InputError if the file is missing, not a weights file,
// for another network, or a layer is missing or has the wrong shape.
void load_weights(Model& model, const std::filesystem::path& path);

TrainingRecord read_training_record(const std::filesystem::path& path);

}  // namespace rramsim::nn
