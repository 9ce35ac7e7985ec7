#pragma once
// The seam between the float network model (nn/) and the bit-accurate crossbar datapath
// (schemes/). Every convolution and fully connected layer is computed as one matrix
// product per group,
//     out (M x P) = W (M x K) * X (K x P),
// with K = in_channels/groups * kernel_h * kernel_w (im2col patches), P = output positions
// (times batch), M = output channels of the group. The float model calls a MacHook for that
// product when one is given; it adds the bias and applies the activation itself.
// Orders (nn/im2col.hpp): K rows are (kernel_y, kernel_x, input channel of the group), P
// columns are (image, output_y, output_x); the hook is called from one thread with the
// whole batch, once per group, layers in network order.
#include <Eigen/Dense>
#include <string>

namespace rramsim::nn {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;

struct MacCall {
  const std::string& layer;  // layer name in the network file
  int layer_index = 0;       // index among the network's conv/fc layers
  int group = 0;             // group index for grouped convolutions
  const Matrix& weights;     // M x K
  const Matrix& inputs;      // K x P
};

class MacHook {
 public:
  virtual ~MacHook() = default;
  virtual Matrix compute(const MacCall& call) = 0;  // returns M x P
};

}  // namespace rramsim::nn
