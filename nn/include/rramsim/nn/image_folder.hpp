#pragma once
// Labelled images from a folder (PNG, JPEG, BMP, PGM/PPM, decoded with stb_image from
// Debian's libstb-dev) with the preprocessing of a model given as data (TOML), e.g. a
// `model.toml` next to `model.onnx`:
//
//   [preprocess]
//   channels = 3            # 1: grey, 3: RGB
//   height = 48
//   width = 192
//   order = "rgb"           # or "bgr"
//   scale = 0.00392156862745098   # value = (pixel * scale - mean[c]) / std[c]
//   mean = [0.5, 0.5, 0.5]
//   std = [0.5, 0.5, 0.5]
//   resize = "stretch"      # or "pad": keep the aspect ratio at `height`, width at most
//   pad = 0.0               #   `width`, the rest filled with `pad` (a normalised value)
//   [dataset]
//   folder = "images"       # relative to the TOML file: the labelled images
//
// load_dataset({.name = "model.toml"}) reads that folder; read_training_record("model.onnx")
// names the sibling model.toml as the data set when it exists, so `rramsim evaluate
// --network model.onnx --scheme ...` runs the bit-accurate datapath on those images.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "rramsim/nn/dataset.hpp"

namespace rramsim::nn {

struct Preprocess {
  int channels = 3;
  int height = 0, width = 0;  // resize target (bilinear); 0: the images' own size
  bool bgr = false;
  double scale = 1.0 / 255.0;
  std::vector<double> mean{0.0};  // one value, or one per channel
  std::vector<double> std{1.0};
  // "stretch": every image to height x width. "pad" (PaddleOCR's text-line input): resized
  // to `height` keeping the aspect ratio, at most `width` wide, then padded on the right to
  // `width` with `pad` (after normalisation; 0 is PaddleOCR's).
  bool keep_ratio_pad = false;
  double pad = 0.0;
  std::filesystem::path folder;  // [dataset] folder, resolved against the TOML's directory
};

// Reads the [preprocess] table; InputError naming file, line and key.
Preprocess load_preprocess(const std::filesystem::path& toml);

// Every image under `dir`: labels from `dir/labels.csv` (lines `file,label`, label an
// integer) when present, else subfolder names sorted (class = index). Columns of the
// result are HWC images as the float model takes them. InputError for undecodable files,
// unknown labels, mixed sizes without a resize target, or no images.
Dataset load_image_folder(const std::filesystem::path& dir, const Preprocess& p, int limit = 0);

// The images of one split of a labelled folder: `dir/<split>` (test or train) when that
// subfolder exists, else `dir` itself (then Dataset::split is "all"). Preprocessing from
// `dir/preprocess.toml` when present, else from `fallback_toml` (e.g. the TOML next to the
// model); InputError when neither exists.
Dataset load_image_split(const std::filesystem::path& dir, const std::string& split,
                         const std::filesystem::path& fallback_toml, int limit = 0);

// Writes 8-bit pixels (HWC) as PNG (for tests and tools).
void write_png(const std::filesystem::path& path, int width, int height, int channels,
               const std::vector<uint8_t>& pixels);

}  // namespace rramsim::nn
