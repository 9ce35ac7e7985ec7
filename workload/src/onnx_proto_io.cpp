// ONNX tensors and files: TensorProto decoding, the size checks, and the public readers
// (tensors, metadata, data inputs, CxHxW shapes).
#include "onnx_importer.hpp"

namespace rramsim::workload::onnx_detail {

std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

int64_t checked_numel(const std::vector<int64_t>& dims, const std::string& where) {
  int64_t n = 1;
  for (auto d : dims) {
    if (d < 0) throw InputError(where + ": negative dimension in " + dims_str(dims));
    if (d > 0 && n > kMaxElements / d)
      throw InputError(where + ": tensor " + dims_str(dims) + " has more than " + std::to_string(kMaxElements) +
                       " elements");
    n *= d;
  }
  return n;
}

Tensor decode_tensor(const onnx::TensorProto& t, const std::string& where) {
  Tensor r;
  if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0)
    throw InputError(where + ": tensor '" + t.name() + "' uses external data (not supported)");
  for (auto d : t.dims()) r.dims.push_back(d);
  if (r.dims.size() > 8) throw InputError(where + ": tensor '" + t.name() + "' has rank > 8");
  const int64_t n = checked_numel(r.dims, where + ": tensor '" + t.name() + "'");
  const std::string& raw = t.raw_data();
  auto need = [&](int64_t have, const char* field) {
    if (have != n)
      throw InputError(where + ": tensor '" + t.name() + "' " + dims_str(r.dims) + " holds " + std::to_string(have) +
                       " values in " + field + ", expected " + std::to_string(n) + " (truncated or corrupt)");
  };
  // Values come either packed little-endian in raw_data or in the typed repeated field.
  auto decode = [&](auto tag, const auto& field, const char* field_name, auto& out) {
    using T = decltype(tag);
    if (!raw.empty()) {
      if (raw.size() % sizeof(T)) need(-1, "raw_data");
      need(static_cast<int64_t>(raw.size() / sizeof(T)), "raw_data");
      std::vector<T> d(n);
      std::memcpy(d.data(), raw.data(), raw.size());
      out.assign(d.begin(), d.end());
    } else {
      need(field.size(), field_name);
      out.assign(field.begin(), field.end());
    }
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      decode(float{}, t.float_data(), "float_data", r.f);
      break;
    case onnx::TensorProto::DOUBLE:
      decode(double{}, t.double_data(), "double_data", r.f);
      break;
    case onnx::TensorProto::INT64:
      r.is_int = true;
      decode(int64_t{}, t.int64_data(), "int64_data", r.i);
      break;
    case onnx::TensorProto::INT32:
      r.is_int = true;
      decode(int32_t{}, t.int32_data(), "int32_data", r.i);
      break;
    default:
      throw InputError(where + ": tensor '" + t.name() + "' has element type " + std::to_string(t.data_type()) +
                       " (supported: float, double, int32, int64)");
  }
  if (r.is_int) {
    r.f.assign(r.i.begin(), r.i.end());
  } else {
    for (float v : r.f)
      if (!std::isfinite(v)) throw InputError(where + ": tensor '" + t.name() + "' holds non-finite values");
  }
  return r;
}

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw InputError("cannot read " + p.string());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace rramsim::workload::onnx_detail

namespace rramsim::workload {

using namespace onnx_detail;

Shape parse_shape(const std::string& text) {
  std::vector<int64_t> d;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, 'x')) {
    try {
      size_t used = 0;
      long long v = std::stoll(part, &used);
      if (used != part.size() || v < 1 || v > kMaxElements) throw std::invalid_argument("range");
      d.push_back(v);
    } catch (const std::exception&) {
      throw InputError("input shape '" + text + "': expected CxHxW with positive integers");
    }
  }
  if (d.size() == 4) d.erase(d.begin());
  if (d.size() != 3) throw InputError("input shape '" + text + "': expected CxHxW");
  Shape s{int(d[0]), int(d[1]), int(d[2])};
  if (s.elements() > kMaxElements)
    throw InputError("input shape '" + text + "' has more than " + std::to_string(kMaxElements) + " values");
  return s;
}

bool is_onnx_file(const std::string& s) {
  auto colon = s.rfind(':');
  std::string file = colon != std::string::npos && s.find(".onnx:") != std::string::npos ? s.substr(0, colon) : s;
  return std::filesystem::path(file).extension() == ".onnx";
}

OnnxTensor read_onnx_tensor(const std::filesystem::path& path) {
  onnx::TensorProto t;
  if (!t.ParseFromString(read_bytes(path))) throw InputError(path.string() + ": not a serialized ONNX tensor");
  Tensor d = decode_tensor(t, path.string());
  return {t.name(), d.dims, d.f, d.i, d.is_int};
}

std::map<std::string, std::string> onnx_metadata(const std::filesystem::path& model) {
  if (!std::filesystem::is_regular_file(model)) throw InputError("ONNX file " + model.string() + " does not exist");
  onnx::ModelProto m;
  if (!m.ParseFromString(read_bytes(model)))
    throw InputError(model.string() + ": not an ONNX model (protobuf parse failed: corrupt or truncated)");
  std::map<std::string, std::string> r;
  for (const auto& p : m.metadata_props()) r[p.key()] = p.value();
  return r;
}

std::vector<std::string> onnx_data_inputs(const std::filesystem::path& model) {
  onnx::ModelProto m;
  if (!m.ParseFromString(read_bytes(model))) throw InputError(model.string() + ": not an ONNX model");
  std::set<std::string> init;
  for (const auto& t : m.graph().initializer()) init.insert(t.name());
  std::vector<std::string> r;
  for (const auto& i : m.graph().input())
    if (!init.count(i.name())) r.push_back(i.name());
  return r;
}

}  // namespace rramsim::workload
