// rramsim train: trains a network of data/networks/ on MNIST or Fashion-MNIST and writes
// its weights (HDF5, docs/training.md) with the command that reproduces them.
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "commands.hpp"
#include "rramsim/nn/from_network.hpp"
#include "rramsim/nn/trainer.hpp"
#include "rramsim/nn/weights.hpp"
#include "rramsim/common/data_path.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/memory.hpp"

namespace rramsim::apps {
namespace {

struct TrainArgs {
  std::string network = "lenet5";
  std::string dataset = "mnist";
  std::string out;
  std::string data_dir;
  nn::TrainOptions train;
};

bool model_is_finite(const nn::Model& m) {
  for (const auto& p : m.params())
    if (!p.weights.allFinite() || !p.bias.allFinite()) return false;
  return true;
}

void run_train(const TrainArgs& a) {
  using namespace nn;
  if (a.out.empty()) throw InputError("train: --out is required");
  std::vector<std::filesystem::path> inputs;
  if (!is_shipped_name(a.network)) inputs.push_back(a.network);
  check_outputs({a.out}, inputs);
  if (!std::isfinite(a.train.learning_rate) || a.train.learning_rate <= 0)
    throw InputError(fmt::format("train: --lr must be a positive finite number, got {}", a.train.learning_rate));
  if (a.train.batch_size < 1) throw InputError("train: --batch must be >= 1");
  const workload::Network net = workload::load_network(a.network);
  require_memory(training_memory_bytes(net, a.train.batch_size),
                 fmt::format("train: network '{}' with --batch {}", net.name, a.train.batch_size));
  Model model = model_from_network(net);
  DatasetOptions d{.name = a.dataset, .split = "train", .dir = a.data_dir, .limit = 0};
  Dataset train_set = load_dataset(d);
  d.split = "test";
  Dataset test_set = load_dataset(d);
  std::cerr << fmt::format("training {} ({} parameters) on {}: {} images, {} epochs, {} lr {}\n",
                           model.network_name(), model.parameter_count(), a.dataset,
                           a.train.limit > 0 ? std::min(a.train.limit, train_set.size()) : train_set.size(),
                           a.train.epochs, a.train.optimizer, a.train.learning_rate);
  he_initialize(model, a.train.seed);
  TrainReport report = train(model, train_set, a.train);
  for (size_t e = 0; e < report.epochs.size(); ++e) {
    const auto& s = report.epochs[e];
    std::cout << fmt::format("epoch {}: loss {:.4f}, train accuracy {:.2f} %, lr {:.2e}, {:.1f} s\n", e + 1,
                             s.mean_loss, 100 * s.train_accuracy, s.learning_rate, s.seconds);
  }
  TrainingRecord r;
  r.dataset = a.dataset;
  r.optimizer = a.train.optimizer;
  r.epochs = a.train.epochs;
  r.batch_size = a.train.batch_size;
  r.learning_rate = a.train.learning_rate;
  r.seed = static_cast<int64_t>(a.train.seed);
  r.test_accuracy = model.accuracy(test_set);
  r.train_seconds = report.seconds;
  r.command = fmt::format(
      "rramsim train --network {} --dataset {} --epochs {} --batch {} --optimizer {} --lr {} "
      "--lr-decay {} --decay-epochs {} --weight-decay {} --seed {}{} --out {}",
      a.network, a.dataset, a.train.epochs, a.train.batch_size, a.train.optimizer, a.train.learning_rate,
      a.train.lr_decay, a.train.decay_epochs, a.train.weight_decay, a.train.seed,
      a.train.limit > 0 ? fmt::format(" --limit {}", a.train.limit) : "", a.out);
  if (!std::isfinite(report.epochs.empty() ? 0.0 : report.epochs.back().mean_loss) ||
      !model_is_finite(model))
    throw SolverError("train: the weights diverged to non-finite values (learning rate " +
                      fmt::format("{}", a.train.learning_rate) + "); nothing written");
  save_weights(model, r, a.out);
  std::cout << fmt::format("test accuracy (float, {} images of {}): {:.2f} %\n", test_set.size(),
                           a.dataset, 100 * r.test_accuracy);
  std::cout << fmt::format("wrote {} ({:.1f} s of training)\n", a.out, report.seconds);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "Train a network of data/networks/ on MNIST or Fashion-MNIST");
  cmd->add_option("--network", args->network, "Network name (data/networks/<name>.toml), .toml or .onnx path")
      ->capture_default_str();
  cmd->add_option("--dataset", args->dataset, "mnist | fashion-mnist")->capture_default_str();
  cmd->add_option("--out", args->out, "Weights file to write (HDF5)")->required();
  cmd->add_option("--data-dir", args->data_dir, "Directory with the IDX files (default: the shipped ones)");
  auto& t = args->train;
  cmd->add_option("--epochs", t.epochs, "Passes over the training set")->capture_default_str();
  cmd->add_option("--batch", t.batch_size, "Minibatch size")->capture_default_str();
  cmd->add_option("--optimizer", t.optimizer, "adam | sgd (momentum)")->capture_default_str();
  cmd->add_option("--lr", t.learning_rate, "Initial learning rate")->capture_default_str();
  cmd->add_option("--lr-decay", t.lr_decay, "Learning-rate factor every --decay-epochs")->capture_default_str();
  cmd->add_option("--decay-epochs", t.decay_epochs, "Epochs between learning-rate decays")->capture_default_str();
  cmd->add_option("--momentum", t.momentum, "SGD momentum")->capture_default_str();
  cmd->add_option("--weight-decay", t.weight_decay, "L2 weight decay")->capture_default_str();
  cmd->add_option("--seed", t.seed, "Seed of initialisation and shuffling")->capture_default_str();
  cmd->add_option("--limit", t.limit, "Train on the first N images only (0: all)")->capture_default_str();
  cmd->add_flag("--quiet", t.quiet, "No progress display");
  cmd->callback([args] { run_train(*args); });
}

}  // namespace rramsim::apps
