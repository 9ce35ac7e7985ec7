#include "rramsim/nn/pooling.hpp"

#include <algorithm>
#include <limits>

namespace rramsim::nn {

void pool_forward(const Matrix& in, const Layer& s, Matrix& out, std::vector<int>* argmax) {
  const int batch = static_cast<int>(in.cols()), C = s.in_shape.channels;
  const bool is_max = s.is_max_pool();
  const float inv_area = 1.0f / static_cast<float>(s.kernel_h * s.kernel_w);
  out.resize(s.out_shape.elements(), batch);
  if (argmax) argmax->assign(static_cast<size_t>(out.size()), 0);
  for (int b = 0; b < batch; ++b) {
    const float* x = in.data() + static_cast<long>(b) * in.rows();
    float* y = out.data() + static_cast<long>(b) * out.rows();
    for (int oy = 0; oy < s.out_shape.height; ++oy)
      for (int ox = 0; ox < s.out_shape.width; ++ox)
        for (int c = 0; c < C; ++c) {
          float best = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
          int best_row = 0, taps = 0;
          for (int ky = 0; ky < s.kernel_h; ++ky)
            for (int kx = 0; kx < s.kernel_w; ++kx) {
              const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
              const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
              if (iy < 0 || iy >= s.in_shape.height || ix < 0 || ix >= s.in_shape.width) continue;
              const int row = (iy * s.in_shape.width + ix) * C + c;
              ++taps;
              if (!is_max) {
                best += x[row];
              } else if (x[row] > best) {
                best = x[row];
                best_row = row;
              }
            }
          const int orow = (oy * s.out_shape.width + ox) * C + c;
          y[orow] = is_max ? best : s.avg_count_pad ? best * inv_area : best / static_cast<float>(std::max(taps, 1));
          if (argmax && is_max) (*argmax)[static_cast<long>(b) * out.rows() + orow] = best_row;
        }
  }
}

void pool_backward(const Matrix& g, const Layer& s, const std::vector<int>& argmax, Matrix& gin) {
  const int batch = static_cast<int>(g.cols()), C = s.in_shape.channels;
  const float inv_area = 1.0f / static_cast<float>(s.kernel_h * s.kernel_w);
  gin.setZero(s.in_shape.elements(), batch);
  for (int b = 0; b < batch; ++b) {
    const float* gy = g.data() + static_cast<long>(b) * g.rows();
    float* gx = gin.data() + static_cast<long>(b) * gin.rows();
    for (int orow = 0; orow < g.rows(); ++orow) {
      if (s.is_max_pool()) {
        gx[argmax[static_cast<long>(b) * g.rows() + orow]] += gy[orow];
        continue;
      }
      const int c = orow % C, pos = orow / C, oy = pos / s.out_shape.width, ox = pos % s.out_shape.width;
      auto inside = [&](int ky, int kx, int& row) {
        const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
        const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
        row = (iy * s.in_shape.width + ix) * C + c;
        return iy >= 0 && iy < s.in_shape.height && ix >= 0 && ix < s.in_shape.width;
      };
      int taps = 0, row = 0;
      for (int ky = 0; ky < s.kernel_h; ++ky)
        for (int kx = 0; kx < s.kernel_w; ++kx) taps += inside(ky, kx, row);
      const float scale = s.avg_count_pad ? inv_area : 1.0f / static_cast<float>(std::max(taps, 1));
      for (int ky = 0; ky < s.kernel_h; ++ky)
        for (int kx = 0; kx < s.kernel_w; ++kx)
          if (inside(ky, kx, row)) gx[row] += gy[orow] * scale;
    }
  }
}

}  // namespace rramsim::nn
