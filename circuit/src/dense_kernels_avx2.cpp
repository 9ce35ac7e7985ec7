// Dense kernels compiled for AVX2 + FMA (called only where the CPU has both; see
// dense_kernels.hpp). The CMake build targets baseline x86-64, so this file raises the
// target itself: the standard headers first at the baseline, then a target pragma, the
// feature macros Eigen selects its packet code by (GCC's pragma does not set them), and
// Eigen renamed, so that none of its inline functions compiled here for AVX2 can be picked
// by the linker for baseline code (or the other way round).
#include "dense_kernels_std.inc"

#include "dense_kernels.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__AVX2__)
#pragma GCC push_options
#pragma GCC target("avx,avx2,fma,sse3,ssse3,sse4.1,sse4.2,popcnt")
#define __SSE3__ 1
#define __SSSE3__ 1
#define __SSE4_1__ 1
#define __SSE4_2__ 1
#define __AVX__ 1
#define __AVX2__ 1
#define __FMA__ 1
#define RRAMSIM_POP_TARGET
#endif

#define Eigen rramsim_eigen_avx2
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Dense>

#define RRAMSIM_KERNEL_NS avx2
#include "dense_kernels.inc"

#ifdef RRAMSIM_POP_TARGET
#pragma GCC pop_options
#endif
