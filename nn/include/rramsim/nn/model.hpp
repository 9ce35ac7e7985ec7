#pragma once
// The float CNN: a graph of Layer (built from the architecture's network description or
// an ONNX file, see from_network.hpp) plus weights, run as a DAG in layer order (residual
// add, concat, broadcast mul, activations; layer.hpp). Every conv/fc layer is one matrix product per group,
// out (M x P) = W (M x K) * X (K x P) as in mac_hook.hpp; a MacHook, when given, computes
// that product (e.g. the bit-accurate crossbar), otherwise Eigen's float GEMM does.
//
//   Model m = load_model("lenet5", "data/weights/lenet5-mnist.h5");
//   double acc = m.accuracy(test_set, &crossbar_hook);
#include <string>
#include <vector>

#include "rramsim/nn/dataset.hpp"
#include "rramsim/workload/layer.hpp"
#include "rramsim/nn/mac_hook.hpp"

namespace rramsim::nn {

using workload::Layer;
using workload::LayerKind;
using workload::Shape;

using Vector = Eigen::Matrix<float, Eigen::Dynamic, 1>;

// Weights of one conv/fc layer: W is (out channels) x K with groups stacked by rows
// (rows g*M .. g*M+M-1 are group g's M x K matrix); a constant layer: its values as one
// column (HWC); empty for other layers.
struct LayerParams {
  Matrix weights;
  Vector bias;
};

// What the backward pass needs from a forward pass (backprop.hpp).
struct ForwardTrace {
  std::vector<Matrix> inputs;             // per layer: its first input's activations
  std::vector<Matrix> outputs;            // per layer: its output (after the activation)
  std::vector<std::vector<Matrix>> cols;  // conv: im2col patches per group
  std::vector<std::vector<int>> argmax;   // max pooling: input row of each maximum
};

class Model {
 public:
  Model() = default;
  // Zero weights of the right shapes; a layer with no inputs reads the previous one.
  // Throws InputError if a layer's input shape disagrees with what it reads.
  Model(std::string network_name, Shape input, std::vector<Layer> layers);

  // images: input.size() x batch (HWC columns); returns logits (classes x batch).
  // Without hook or trace, slices of the batch run on OpenMP threads (one parallel region
  // per call: many small regions stall badly on a loaded machine). A hook is called from
  // the calling thread only, with the whole batch, so it may parallelise inside.
  Matrix forward(const Matrix& images, MacHook* hook = nullptr, ForwardTrace* trace = nullptr) const;
  // Index of the largest logit per image.
  std::vector<int> predict(const Matrix& images, MacHook* hook = nullptr) const;
  // Fraction of the first `limit` images (0: all) classified correctly, in batches.
  double accuracy(const Dataset& data, MacHook* hook = nullptr, int limit = 0, int batch = 500) const;

  const std::string& network_name() const { return name_; }
  const Shape& input_shape() const { return input_; }
  int num_classes() const { return layers_.empty() ? 0 : static_cast<int>(layers_.back().out_shape.elements()); }
  const std::vector<Layer>& layers() const { return layers_; }
  std::vector<LayerParams>& params() { return params_; }  // one per layer
  const std::vector<LayerParams>& params() const { return params_; }
  // Index among conv/fc layers (MacCall::layer_index) of layer i; -1 for the others.
  int mac_index(int layer) const { return mac_index_[layer]; }
  long parameter_count() const;

 private:
  Matrix forward_serial(const Matrix& images, MacHook* hook, ForwardTrace* trace) const;
  std::string name_;
  Shape input_;
  std::vector<Layer> layers_;
  std::vector<LayerParams> params_;
  std::vector<int> mac_index_;
  std::vector<int> last_use_;  // per layer: the last layer reading its output
};

}  // namespace rramsim::nn
