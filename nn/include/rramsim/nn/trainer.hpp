#pragma once
// Minibatch training of the float model: softmax cross-entropy, He-normal initialisation,
// Adam or SGD with momentum, step learning-rate decay. Seeded: the same options give the
// same weights on the same build (shuffling and initialisation use std::mt19937_64).
#include <cstdint>
#include <string>
#include <vector>

#include "rramsim/nn/dataset.hpp"
#include "rramsim/nn/model.hpp"
#include "rramsim/workload/network.hpp"

namespace rramsim::nn {

struct TrainOptions {
  int epochs = 5;
  int batch_size = 64;
  std::string optimizer = "adam";  // "adam" | "sgd" (with momentum)
  double learning_rate = 1e-3;
  double momentum = 0.9;          // sgd only
  double lr_decay = 0.5;          // learning rate x lr_decay every decay_epochs
  int decay_epochs = 2;
  double weight_decay = 0;        // L2 on weights (not biases)
  uint64_t seed = 1;
  int limit = 0;                  // use only the first `limit` training images; 0: all
  bool quiet = false;             // no progress on stderr
};

struct EpochSummary {
  double mean_loss = 0;
  double train_accuracy = 0;  // on the batches as they were trained
  double learning_rate = 0;
  double seconds = 0;
};

struct TrainReport {
  std::vector<EpochSummary> epochs;
  double seconds = 0;
};

// He-normal weights N(0, 2 / fan_in), zero biases.
void he_initialize(Model& model, uint64_t seed);

// Trains `model` in place on `train` (initialise it first). Throws InputError for bad
// options or a data set whose image size does not match the network input.
TrainReport train(Model& model, const Dataset& train, const TrainOptions& options);

// Bytes that training `net` with this batch size needs (parameters, optimizer state,
// per-shard gradients, activations, their gradients and im2col buffers), from the shapes
// alone, so that `train` can refuse before allocating anything.
double training_memory_bytes(const workload::Network& net, int batch_size);

}  // namespace rramsim::nn
