#include "rramsim/arch/nn/pooling.hpp"

#include <limits>

namespace rramsim::arch::nn {

void pool_forward(const Matrix& in, const LayerSpec& s, Matrix& out, std::vector<int>* argmax) {
  const int batch = static_cast<int>(in.cols()), C = s.in.channels;
  const bool is_max = s.kind == LayerKind::max_pool;
  const float inv_area = 1.0f / static_cast<float>(s.kernel_h * s.kernel_w);
  out.resize(s.out.size(), batch);
  if (argmax) argmax->assign(static_cast<size_t>(out.size()), 0);
  for (int b = 0; b < batch; ++b) {
    const float* x = in.data() + static_cast<long>(b) * in.rows();
    float* y = out.data() + static_cast<long>(b) * out.rows();
    for (int oy = 0; oy < s.out.height; ++oy)
      for (int ox = 0; ox < s.out.width; ++ox)
        for (int c = 0; c < C; ++c) {
          float best = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
          int best_row = 0;
          for (int ky = 0; ky < s.kernel_h; ++ky)
            for (int kx = 0; kx < s.kernel_w; ++kx) {
              const int iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx;
              if (iy < 0 || iy >= s.in.height || ix < 0 || ix >= s.in.width) continue;
              const int row = (iy * s.in.width + ix) * C + c;
              if (!is_max) {
                best += x[row];
              } else if (x[row] > best) {
                best = x[row];
                best_row = row;
              }
            }
          const int orow = (oy * s.out.width + ox) * C + c;
          y[orow] = is_max ? best : best * inv_area;
          if (argmax && is_max) (*argmax)[static_cast<long>(b) * out.rows() + orow] = best_row;
        }
  }
}

void pool_backward(const Matrix& g, const LayerSpec& s, const std::vector<int>& argmax, Matrix& gin) {
  const int batch = static_cast<int>(g.cols()), C = s.in.channels;
  const float inv_area = 1.0f / static_cast<float>(s.kernel_h * s.kernel_w);
  gin.setZero(s.in.size(), batch);
  for (int b = 0; b < batch; ++b) {
    const float* gy = g.data() + static_cast<long>(b) * g.rows();
    float* gx = gin.data() + static_cast<long>(b) * gin.rows();
    for (int orow = 0; orow < g.rows(); ++orow) {
      if (s.kind == LayerKind::max_pool) {
        gx[argmax[static_cast<long>(b) * g.rows() + orow]] += gy[orow];
        continue;
      }
      const int c = orow % C, pos = orow / C, oy = pos / s.out.width, ox = pos % s.out.width;
      for (int ky = 0; ky < s.kernel_h; ++ky)
        for (int kx = 0; kx < s.kernel_w; ++kx) {
          const int iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx;
          if (iy < 0 || iy >= s.in.height || ix < 0 || ix >= s.in.width) continue;
          gx[(iy * s.in.width + ix) * C + c] += gy[orow] * inv_area;
        }
    }
  }
}

}  // namespace rramsim::arch::nn
