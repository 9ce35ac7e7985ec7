#include "rramsim/arch/nn/im2col.hpp"

#include <algorithm>

namespace rramsim::arch::nn {
namespace {

// Calls f(col_offset_of_patch_row_block, activation_offset) for every in-bounds
// (kernel_y, kernel_x) of every output position of image b; out-of-bounds taps are
// reported with activation_offset = -1 (zero padding).
template <class F>
void for_each_tap(const LayerSpec& s, int b, F&& f) {
  const int K = s.mac_depth(), P = s.positions(), cg = s.in.channels / s.groups;
  for (int oy = 0; oy < s.out.height; ++oy)
    for (int ox = 0; ox < s.out.width; ++ox) {
      const long col = (static_cast<long>(b) * P + oy * s.out.width + ox) * K;
      for (int ky = 0; ky < s.kernel_h; ++ky) {
        const int iy = oy * s.stride - s.pad + ky;
        for (int kx = 0; kx < s.kernel_w; ++kx) {
          const int ix = ox * s.stride - s.pad + kx;
          const long dst = col + static_cast<long>(ky * s.kernel_w + kx) * cg;
          const bool inside = iy >= 0 && iy < s.in.height && ix >= 0 && ix < s.in.width;
          f(dst, inside ? (static_cast<long>(iy) * s.in.width + ix) * s.in.channels : -1L);
        }
      }
    }
}

}  // namespace

void im2col(const Matrix& a, const LayerSpec& s, int group, Matrix& cols) {
  const int batch = static_cast<int>(a.cols()), cg = s.in.channels / s.groups;
  cols.resize(s.mac_depth(), static_cast<long>(batch) * s.positions());
  float* out = cols.data();
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

void col2im_add(const Matrix& cols, const LayerSpec& s, int group, Matrix& a) {
  const int batch = static_cast<int>(a.cols()), cg = s.in.channels / s.groups;
  const float* in = cols.data();
  for (int b = 0; b < batch; ++b) {
    float* img = a.data() + static_cast<long>(b) * a.rows() + group * cg;
    for_each_tap(s, b, [&](long src_col, long dst) {
      if (dst < 0) return;
      for (int c = 0; c < cg; ++c) img[dst + c] += in[src_col + c];
    });
  }
}

}  // namespace rramsim::arch::nn
