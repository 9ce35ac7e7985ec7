#include "rramsim/nn/weights.hpp"

#include <algorithm>
#include <cmath>

#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "rramsim/common/provenance.hpp"
#include "rramsim/nn/onnx_model.hpp"

namespace rramsim::nn {
namespace {

constexpr const char* kKind = "weights";
constexpr const char* kLegacyFormat = "rramsim-weights";  // schema version 1
constexpr int64_t kSchemaVersion = 2;

h5::Dims weight_dims(const Layer& s) {
  if (s.kind == LayerKind::fc) return {hsize_t(s.out_shape.channels), hsize_t(s.in_shape.elements())};
  return {hsize_t(s.out_shape.channels), hsize_t(s.kernel_h), hsize_t(s.kernel_w),
          hsize_t(s.in_shape.channels / s.groups)};
}

std::string dims_text(const h5::Dims& d) {
  std::string t = "[";
  for (size_t i = 0; i < d.size(); ++i) t += (i ? "," : "") + std::to_string(d[i]);
  return t + "]";
}

// Version 2 carries the common provenance contract (rramsim_kind = "weights"); version 1
// files (format = "rramsim-weights", e.g. the shipped ones) still read.
h5::File open_weights(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw InputError("weights file " + path.string() + ": no such file");
  h5::File f = h5::File::open(path);
  if (f.has_attr("rramsim_kind")) {
    check_kind(f, kKind, {kSchemaVersion});
    return f;
  }
  if (!f.has_attr("format") || f.attr_string("format") != kLegacyFormat)
    throw InputError("weights file " + path.string() + ": not an rramsim weights file (no rramsim_kind = \"" +
                     kKind + "\" attribute)");
  if (f.attr_int("schema_version") != 1)
    throw InputError("weights file " + path.string() + ": schema version " +
                     std::to_string(f.attr_int("schema_version")) + " is not supported (expected 1 or 2)");
  return f;
}

}  // namespace

void save_weights(const Model& m, const TrainingRecord& r, const std::filesystem::path& path) {
  AtomicOutput out(path);
  {
    auto f = h5::File::create(out.tmp_path());
    f.attr("network", m.network_name());
    f.attr("dataset", r.dataset).attr("optimizer", r.optimizer).attr("epochs", int64_t{r.epochs});
    f.attr("batch_size", int64_t{r.batch_size}).attr("learning_rate", r.learning_rate).attr("seed", r.seed);
    f.attr("test_accuracy", r.test_accuracy).attr("train_seconds", r.train_seconds).attr("command", r.command);
    for (size_t i = 0; i < m.layers().size(); ++i) {
      const Layer& s = m.layers()[i];
      if (!s.is_weighted()) continue;
      const LayerParams& p = m.params()[i];
      auto g = f.create_group(s.name);
      g.attr("kind", s.kind == LayerKind::fc ? "fc" : "conv").attr("layer_index", int64_t(m.mac_index(i)));
      const std::vector<std::string> axes =
          s.kind == LayerKind::fc ? std::vector<std::string>{"out_features", "in_features"}
                                  : std::vector<std::string>{"out_channels", "kernel_h", "kernel_w", "in_channels_per_group"};
      // Row-major [M][K] with K = (ky, kx, c) is the Matrix's row order.
      std::vector<double> w(p.weights.size());
      for (long r2 = 0; r2 < p.weights.rows(); ++r2)
        for (long c = 0; c < p.weights.cols(); ++c) w[r2 * p.weights.cols() + c] = p.weights(r2, c);
      g.write("weight", w, {"1", axes, weight_dims(s)});
      g.write("bias", std::vector<double>(p.bias.data(), p.bias.data() + p.bias.size()),
              {"1", {"out_features"}, {hsize_t(p.bias.size())}});
    }
    write_provenance(f, {.rramsim_kind = kKind, .schema_version = kSchemaVersion});
  }
  out.commit();
}

void load_weights(Model& m, const std::filesystem::path& path) {
  h5::File f = open_weights(path);
  const std::string where = "weights file " + path.string();
  const std::string net = f.attr_string("network");
  if (net != m.network_name())
    throw InputError(where + ": trained for network '" + net + "', not '" + m.network_name() + "'");
  std::vector<std::string> expected;
  for (size_t i = 0; i < m.layers().size(); ++i) {
    const Layer& s = m.layers()[i];
    if (!s.is_weighted()) continue;
    expected.push_back(s.name);
    if (!f.has_group(s.name)) throw InputError(where + ": no weights for layer '" + s.name + "'");
    auto g = f.group(s.name);
    auto wd = g.dataset("weight");
    if (wd.dims() != weight_dims(s))
      throw InputError(where + ": layer '" + s.name + "' weight shape " + dims_text(wd.dims()) +
                       " does not match the network's " + dims_text(weight_dims(s)));
    auto bd = g.dataset("bias");
    if (bd.dims() != h5::Dims{hsize_t(s.out_shape.channels)})
      throw InputError(where + ": layer '" + s.name + "' bias shape " + dims_text(bd.dims()) +
                       " does not match the network's [" + std::to_string(s.out_shape.channels) + "]");
    auto w = wd.read_doubles();
    auto b = bd.read_doubles();
    LayerParams& p = m.params()[i];
    for (long r = 0; r < p.weights.rows(); ++r)
      for (long c = 0; c < p.weights.cols(); ++c) p.weights(r, c) = static_cast<float>(w[r * p.weights.cols() + c]);
    for (long r = 0; r < p.bias.size(); ++r) p.bias(r) = static_cast<float>(b[r]);
    if (!p.weights.allFinite() || !p.bias.allFinite())
      throw InputError(where + ": layer '" + s.name + "' holds non-finite values");
  }
  for (const auto& child : f.children())
    if (std::find(expected.begin(), expected.end(), child) == expected.end())
      throw InputError(where + ": layer '" + child + "' is not a weighted layer of network '" +
                       m.network_name() + "'");
}

TrainingRecord read_training_record(const std::filesystem::path& path) {
  if (workload::is_onnx_file(path.string())) {
    const std::filesystem::path file = path.string().substr(0, path.string().find(".onnx") + 5);
    TrainingRecord r = training_record_from_metadata(workload::onnx_metadata(file));
    // A model.toml next to model.onnx (image folder + preprocessing) is the data set.
    auto side = std::filesystem::path(file).replace_extension(".toml");
    if (std::filesystem::exists(side)) r.dataset = side.string();
    return r;
  }
  h5::File f = open_weights(path);
  TrainingRecord r;
  r.dataset = f.attr_string("dataset");
  r.optimizer = f.attr_string("optimizer");
  r.epochs = static_cast<int>(f.attr_int("epochs"));
  r.batch_size = static_cast<int>(f.attr_int("batch_size"));
  r.learning_rate = f.attr_double("learning_rate");
  r.seed = f.attr_int("seed");
  r.test_accuracy = f.attr_double("test_accuracy");
  r.train_seconds = f.attr_double("train_seconds");
  r.command = f.attr_string("command");
  return r;
}

}  // namespace rramsim::nn
