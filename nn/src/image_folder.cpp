#include "rramsim/nn/image_folder.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "rramsim/common/config.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::nn {
namespace {

bool is_image(const std::filesystem::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), ::tolower);
  return e == ".png" || e == ".jpg" || e == ".jpeg" || e == ".bmp" || e == ".pgm" || e == ".ppm";
}

// Bilinear sample of channel c at output pixel (x, y) of an ow x oh resize, pixel centres
// aligned (as OpenCV's INTER_LINEAR).
double bilinear(const unsigned char* px, int iw, int ih, int C, int c, int x, int y, int ow, int oh) {
  const double sy = std::clamp((y + 0.5) * ih / oh - 0.5, 0.0, ih - 1.0);
  const double sx = std::clamp((x + 0.5) * iw / ow - 0.5, 0.0, iw - 1.0);
  const int y0 = int(sy), x0 = int(sx), y1 = std::min(y0 + 1, ih - 1), x1 = std::min(x0 + 1, iw - 1);
  const double fy = sy - y0, fx = sx - x0;
  auto at = [&](int yy, int xx) { return double(px[(size_t(yy) * iw + xx) * C + c]); };
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
}

// Decodes one file to `p.channels` channels, resized to the target, then normalised.
std::vector<float> decode(const std::filesystem::path& f, const Preprocess& p, int& w, int& h) {
  int iw = 0, ih = 0, n = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> px(stbi_load(f.c_str(), &iw, &ih, &n, p.channels), stbi_image_free);
  if (!px) throw InputError("image " + f.string() + ": cannot decode (" + stbi_failure_reason() + ")");
  if (int64_t(iw) * ih > (int64_t{1} << 26)) throw InputError("image " + f.string() + ": too large");
  const int C = p.channels;
  w = p.width ? p.width : iw;
  h = p.height ? p.height : ih;
  // "pad": the resized content is `cw` wide (PaddleOCR: min(width, ceil(height * iw / ih))).
  int cw = w;
  if (p.keep_ratio_pad) cw = int(std::min<double>(w, std::ceil(double(h) * iw / ih)));
  std::vector<float> out(size_t(w) * h * C, float(p.pad));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < cw; ++x)
      for (int c = 0; c < C; ++c) {
        const double v = bilinear(px.get(), iw, ih, C, c, x, y, cw, h);
        const int oc = p.bgr && C == 3 ? 2 - c : c;
        const double mean = p.mean.size() == 1 ? p.mean[0] : p.mean[oc];
        const double sd = p.std.size() == 1 ? p.std[0] : p.std[oc];
        out[(size_t(y) * w + x) * C + oc] = float((v * p.scale - mean) / sd);
      }
  return out;
}

}  // namespace

Preprocess load_preprocess(const std::filesystem::path& toml) {
  if (!std::filesystem::exists(toml)) throw InputError("preprocessing file " + toml.string() + " does not exist");
  ConfigDoc doc = ConfigDoc::from_file(toml);
  Config c = doc.root().table("preprocess");
  Preprocess p;
  p.channels = int(c.integer("channels", 3, {.min = 1, .max = 3}));
  if (p.channels == 2) throw InputError(c.where("channels") + ": channels must be 1 or 3");
  p.height = int(c.integer("height", 0, {.min = 0, .max = 1 << 14}));
  p.width = int(c.integer("width", 0, {.min = 0, .max = 1 << 14}));
  p.bgr = c.string("order", "rgb", {"rgb", "bgr"}) == "bgr";
  p.scale = c.number("scale", 1.0 / 255.0, {.min = 1e-12, .max = 1e12});
  p.mean = c.numbers("mean", {0.0});
  p.std = c.numbers("std", {1.0});
  for (auto* v : {&p.mean, &p.std})
    if (v->size() != 1 && int(v->size()) != p.channels)
      throw InputError(c.where(v == &p.mean ? "mean" : "std") + ": give one value or one per channel");
  for (double s : p.std)
    if (!(s > 0)) throw InputError(c.where("std") + ": values must be positive");
  p.keep_ratio_pad = c.string("resize", "stretch", {"stretch", "pad"}) == "pad";
  p.pad = c.number("pad", 0.0, {.min = -1e6, .max = 1e6});
  if (p.keep_ratio_pad && (p.height == 0 || p.width == 0))
    throw InputError(c.where("resize") + ": \"pad\" needs height and width");
  if (doc.root().has("dataset")) {
    Config d = doc.root().table("dataset");
    const std::string folder = d.string("folder", "");
    if (!folder.empty()) p.folder = std::filesystem::absolute(toml).parent_path() / folder;
  }
  doc.reject_unknown_keys();
  return p;
}

Dataset load_image_folder(const std::filesystem::path& dir, const Preprocess& p, int limit) {
  if (!std::filesystem::is_directory(dir)) throw InputError("image folder " + dir.string() + " does not exist");
  std::vector<std::pair<std::filesystem::path, int>> items;
  Dataset d;
  d.name = dir.string();
  d.split = "test";
  const auto csv = dir / "labels.csv";
  if (std::filesystem::exists(csv)) {
    std::ifstream f(csv);
    std::string line;
    int lineno = 0, top = -1;
    while (std::getline(f, line)) {
      ++lineno;
      if (line.empty() || line[0] == '#') continue;
      auto comma = line.rfind(',');
      try {
        if (comma == std::string::npos) throw std::invalid_argument("no comma");
        size_t used = 0;
        const std::string lab = line.substr(comma + 1);
        int label = std::stoi(lab, &used);
        if (label < 0 || used != lab.size()) throw std::invalid_argument("label");
        items.push_back({dir / line.substr(0, comma), label});
        top = std::max(top, label);
      } catch (const std::exception&) {
        if (lineno == 1) continue;  // a header line
        throw InputError(csv.string() + ":" + std::to_string(lineno) + ": expected 'file,label' with an integer label");
      }
    }
    d.num_classes = top + 1;
  } else {
    std::vector<std::filesystem::path> classes;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.is_directory()) classes.push_back(e.path());
    std::sort(classes.begin(), classes.end());
    for (size_t k = 0; k < classes.size(); ++k) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(classes[k]))
        if (e.is_regular_file() && is_image(e.path())) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) items.push_back({f, int(k)});
    }
    d.num_classes = int(classes.size());
  }
  if (items.empty()) throw InputError("image folder " + dir.string() + ": no images (subfolders per class or labels.csv)");
  if (limit > 0 && int(items.size()) > limit) items.resize(limit);
  d.channels = p.channels;
  for (size_t k = 0; k < items.size(); ++k) {
    int w = 0, h = 0;
    std::vector<float> v = decode(items[k].first, p, w, h);
    if (k == 0) {
      d.width = w, d.height = h;
      d.images.resize(int64_t(w) * h * p.channels, int64_t(items.size()));
    } else if (w != d.width || h != d.height) {
      throw InputError("image " + items[k].first.string() + " is " + std::to_string(w) + "x" + std::to_string(h) +
                       ", the first was " + std::to_string(d.width) + "x" + std::to_string(d.height) +
                       " (set height and width in [preprocess])");
    }
    d.images.col(int64_t(k)) = Eigen::Map<const Matrix>(v.data(), int64_t(v.size()), 1);
    d.labels.push_back(items[k].second);
  }
  return d;
}

Dataset load_image_split(const std::filesystem::path& dir, const std::string& split,
                         const std::filesystem::path& fallback_toml, int limit) {
  if (!std::filesystem::is_directory(dir)) throw InputError("image folder " + dir.string() + " does not exist");
  const auto own = dir / "preprocess.toml";
  std::filesystem::path toml = std::filesystem::exists(own) ? own : fallback_toml;
  if (toml.empty() || !std::filesystem::exists(toml))
    throw InputError("image folder " + dir.string() + ": no preprocessing (put a preprocess.toml in it, or a " +
                     "TOML with [preprocess] next to the model" +
                     (fallback_toml.empty() ? std::string() : ": " + fallback_toml.string()) + ")");
  Preprocess p = load_preprocess(toml);
  const bool has_split = std::filesystem::is_directory(dir / split);
  Dataset d = load_image_folder(has_split ? dir / split : dir, p, limit);
  d.name = dir.string();
  d.split = has_split ? split : "all";
  return d;
}

void write_png(const std::filesystem::path& path, int width, int height, int channels,
               const std::vector<uint8_t>& pixels) {
  if (pixels.size() != size_t(width) * height * channels) throw Error("write_png: pixel count mismatch");
  if (!stbi_write_png(path.c_str(), width, height, channels, pixels.data(), width * channels))
    throw Error("cannot write " + path.string());
}

}  // namespace rramsim::nn
