#include "rramsim/nn/im2col.hpp"

#include <algorithm>

namespace rramsim::nn {
namespace {

// Calls f(col_offset_of_patch_row_block, activation_offset) for every in-bounds
// (kernel_y, kernel_x) of every output position of image b; out-of-bounds taps are
// reported with activation_offset = -1 (zero padding).
template <class F>
void for_each_tap(const Layer& s, int b, F&& f) {
  const int K = s.kernel_rows(), P = s.positions(), cg = s.in_shape.channels / s.groups;
  for (int oy = 0; oy < s.out_shape.height; ++oy)
    for (int ox = 0; ox < s.out_shape.width; ++ox) {
      const long col = (static_cast<long>(b) * P + oy * s.out_shape.width + ox) * K;
      for (int ky = 0; ky < s.kernel_h; ++ky) {
        const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
        for (int kx = 0; kx < s.kernel_w; ++kx) {
          const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
          const long dst = col + static_cast<long>(ky * s.kernel_w + kx) * cg;
          const bool inside = iy >= 0 && iy < s.in_shape.height && ix >= 0 && ix < s.in_shape.width;
          f(dst, inside ? (static_cast<long>(iy) * s.in_shape.width + ix) * s.in_shape.channels : -1L);
        }
      }
    }
}

}  // namespace

void im2col(const Matrix& a, const Layer& s, int group, Matrix& cols) {
  const int batch = static_cast<int>(a.cols()), cg = s.in_shape.channels / s.groups;
  cols.resize(s.kernel_rows(), static_cast<long>(batch) * s.positions());
  float* out = cols.data();
  // Images are independent: a bit-accurate run (the hook parallelizes only inside each layer)
  // would otherwise copy a batch's tens of MB of patches on one thread. Inside an already
  // parallel region (the float model's shards) this runs serially.
#pragma omp parallel for schedule(static) if (batch >= 8)
  for (int b = 0; b < batch; ++b) {
    const float* img = a.data() + static_cast<long>(b) * a.rows() + group * cg;
    for_each_tap(s, b, [&](long dst, long src) {
      if (src < 0)
        std::fill_n(out + dst, cg, 0.0f);
      else
        std::copy_n(img + src, cg, out + dst);
    });
  }
}

void col2im_add(const Matrix& cols, const Layer& s, int group, Matrix& a) {
  const int batch = static_cast<int>(a.cols()), cg = s.in_shape.channels / s.groups;
  const float* in = cols.data();
  for (int b = 0; b < batch; ++b) {
    float* img = a.data() + static_cast<long>(b) * a.rows() + group * cg;
    for_each_tap(s, b, [&](long src_col, long dst) {
      if (dst < 0) return;
      for (int c = 0; c < cg; ++c) img[dst + c] += in[src_col + c];
    });
  }
}

}  // namespace rramsim::nn
