#include "rramsim/nn/layer_ops.hpp"

#include <algorithm>
#include <cmath>

namespace rramsim::nn {

using workload::Activation;
using workload::LayerKind;
using workload::Shape;

void elementwise_forward(const std::vector<const Matrix*>& in, const std::vector<Shape>& shapes,
                         const workload::Layer& s, Matrix& out) {
  const Shape o = s.out_shape;
  long batch = 1;
  for (const Matrix* m : in) batch = std::max<long>(batch, m->cols());
  const bool mul = s.kind == LayerKind::mul;
  bool same = true;
  for (size_t k = 0; k < in.size(); ++k) same = same && shapes[k] == o && in[k]->cols() == batch;
  if (same) {  // the common case: residual adds of equal shapes
    out = *in[0];
    for (size_t k = 1; k < in.size(); ++k) {
      if (mul) out.array() *= in[k]->array();
      else out += *in[k];
    }
    return;
  }
  out.resize(o.elements(), batch);
  for (long b = 0; b < batch; ++b)
    for (int y = 0; y < o.height; ++y)
      for (int x = 0; x < o.width; ++x)
        for (int c = 0; c < o.channels; ++c) {
          float acc = mul ? 1.0f : 0.0f;
          for (size_t k = 0; k < in.size(); ++k) {
            const Shape& si = shapes[k];
            const long row = (long(si.height == 1 ? 0 : y) * si.width + (si.width == 1 ? 0 : x)) * si.channels +
                             (si.channels == 1 ? 0 : c);
            const float v = (*in[k])(row, in[k]->cols() == 1 ? 0 : b);
            acc = k == 0 ? v : mul ? acc * v : acc + v;
          }
          out((long(y) * o.width + x) * o.channels + c, b) = acc;
        }
}

void concat_forward(const std::vector<const Matrix*>& in, const std::vector<Shape>& shapes, const workload::Layer& s,
                    Matrix& out) {
  const Shape o = s.out_shape;
  long batch = 1;
  for (const Matrix* m : in) batch = std::max<long>(batch, m->cols());
  out.resize(o.elements(), batch);
  const long positions = long(o.height) * o.width;
  for (long b = 0; b < batch; ++b) {
    int c0 = 0;
    for (size_t k = 0; k < in.size(); ++k) {
      const int C = shapes[k].channels;
      const float* src = in[k]->data() + (in[k]->cols() == 1 ? 0 : b) * in[k]->rows();
      float* dst = out.data() + b * out.rows();
      for (long p = 0; p < positions; ++p) std::copy_n(src + p * C, C, dst + p * o.channels + c0);
      c0 += C;
    }
  }
}

void pad_forward(const Matrix& in, const workload::Layer& s, Matrix& out) {
  const Shape i = s.in_shape, o = s.out_shape;
  out.setConstant(o.elements(), in.cols(), s.pad_value);
  for (long b = 0; b < in.cols(); ++b)
    for (int y = 0; y < i.height; ++y)
      for (int x = 0; x < i.width; ++x)
        std::copy_n(in.data() + b * in.rows() + (long(y) * i.width + x) * i.channels, i.channels,
                    out.data() + b * out.rows() + (long(y + s.pad_top) * o.width + x + s.pad_left) * o.channels);
}

void softmax_forward(const Matrix& in, const workload::Layer& s, Matrix& out) {
  const int C = s.in_shape.channels;
  out.resize(in.rows(), in.cols());
  const long groups = in.size() / C;
  for (long g = 0; g < groups; ++g) {
    const float* x = in.data() + g * C;
    float* y = out.data() + g * C;
    const float top = *std::max_element(x, x + C);
    double sum = 0;
    for (int c = 0; c < C; ++c) sum += std::exp(double(x[c] - top));
    for (int c = 0; c < C; ++c) y[c] = static_cast<float>(std::exp(double(x[c] - top)) / sum);
  }
}

void reshape_forward(const Matrix& in, const workload::Layer& s, Matrix& out) {
  const Shape i = s.in_shape, o = s.out_shape;
  out.resize(o.elements(), in.cols());
  // ONNX order (c, y, x) of the input; the same flat index in the output shape.
  for (long b = 0; b < in.cols(); ++b) {
    const float* src = in.data() + b * in.rows();
    float* dst = out.data() + b * out.rows();
    long n = 0;
    for (int c = 0; c < i.channels; ++c)
      for (int y = 0; y < i.height; ++y)
        for (int x = 0; x < i.width; ++x, ++n) {
          const int oc = int(n / (long(o.height) * o.width)), rest = int(n % (long(o.height) * o.width));
          const int oy = rest / o.width, ox = rest % o.width;
          dst[(long(oy) * o.width + ox) * o.channels + oc] = src[(long(y) * i.width + x) * i.channels + c];
        }
  }
}

void activation_forward(const workload::Layer& s, Matrix& x) {
  switch (s.activation) {
    case Activation::none: return;
    case Activation::relu: x = x.cwiseMax(0.0f); return;
    default: {
      const float a = s.act_alpha, b = s.act_beta;
      float* p = x.data();
      for (long k = 0; k < x.size(); ++k) p[k] = workload::activate(s.activation, a, b, p[k]);
    }
  }
}

}  // namespace rramsim::nn
