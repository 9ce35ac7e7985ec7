#pragma once
// ONNX import and export (docs/onnx.md), through the ONNX protobuf classes of Debian's
// libonnx-dev. Import turns a graph of the supported operators into the layer graph
// (network.hpp) plus the weights of its conv, fc and constant layers; export writes a
// network and its weights so that import reproduces the same float outputs bit for bit.
//
//   OnnxModel m = import_onnx("mobilenet.onnx");         // or "model.onnx:3x224x224"
//   m.network.layers ...; m.weights[i].weights ...
//
// Layout: ONNX tensors are NCHW; here an image is HWC (layer.hpp). A data tensor of rank r
// maps to Shape {d1, d2, d3} (missing dimensions are 1), d0 is the batch. Conv weights
// [M, C/g, kh, kw] become rows of M x K with K ordered (ky, kx, c); a Gemm after Flatten
// gets its columns permuted from CHW to HWC so the fc layer reads HWC activations.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rramsim/workload/network.hpp"

namespace rramsim::workload {

// Parameters of one layer in the float model's order: conv/fc weights are out_channels x K
// row-major (K as in the MacHook contract), bias has out_channels values; a constant layer
// holds its out_shape.elements() values in HWC order in `weights`. Empty for other kinds.
struct LayerWeights {
  std::vector<float> weights;
  std::vector<float> bias;
};

struct OnnxModel {
  Network network;
  std::vector<LayerWeights> weights;             // one per layer
  std::map<std::string, std::string> metadata;   // metadata_props (e.g. dataset)
  int input_rank = 4;                            // rank of the graph input (with batch)
  int output_rank = 2;                           // rank of the graph output (with batch)
  int64_t opset = 0;                             // default-domain opset
};

// A serialized TensorProto file (the ONNX test data's input_k.pb / output_k.pb): name,
// dims and values as float. Throws InputError.
struct OnnxTensor {
  std::string name;
  std::vector<int64_t> dims;
  std::vector<float> values;
  std::vector<int64_t> ints;  // integer tensors: the exact values
  bool is_int = false;
};
struct OnnxImportOptions {
  // Resolves dynamic (symbolic) channel/height/width of the input; the batch may be dynamic.
  std::optional<Shape> input_shape;
  // Feeds graph inputs other than the first data input from these tensors (treated as
  // initializers); name -> (dims, values). Used by tests that take the ONNX node test data.
  std::map<std::string, OnnxTensor> extra_initializers;
  // A graph with no Conv/Gemm/MatMul has nothing for the crossbars: an error unless false.
  bool require_weighted = true;
};

// True for "x.onnx" and "x.onnx:CxHxW" (the input shape of a model with dynamic dims).
bool is_onnx_file(const std::string& name_or_file);

// Throws InputError naming the file, and for a graph problem the node, its op type and
// what is unsupported. Never crashes on a corrupt or truncated file.
OnnxModel import_onnx(const std::string& file_or_spec, const OnnxImportOptions& options = {});
OnnxModel import_onnx_bytes(const std::string& bytes, const std::string& origin,
                            const OnnxImportOptions& options = {});

// Writes `net` with `weights` (one per layer, as above) as an ONNX model (opset 14,
// atomically). metadata goes to metadata_props.
void export_onnx(const Network& net, const std::vector<LayerWeights>& weights,
                 const std::map<std::string, std::string>& metadata, const std::filesystem::path& path);

OnnxTensor read_onnx_tensor(const std::filesystem::path& path);
// metadata_props of a model (no graph checks). Throws InputError if it is not ONNX.
std::map<std::string, std::string> onnx_metadata(const std::filesystem::path& model);
// Names of a model's graph inputs that are not initializers, in order.
std::vector<std::string> onnx_data_inputs(const std::filesystem::path& model);

// Parses "CxHxW" (or "NxCxHxW", the batch ignored). Throws InputError.
Shape parse_shape(const std::string& text);

}  // namespace rramsim::workload
