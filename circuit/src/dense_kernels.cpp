// Dense kernels, baseline x86-64 build, and the run-time choice (dense_kernels.hpp).
#include "dense_kernels.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#define EIGEN_DONT_PARALLELIZE  // one thread per call: results never depend on thread counts
#include <Eigen/Dense>

#define RRAMSIM_KERNEL_NS baseline
#include "dense_kernels.inc"

namespace rramsim::circuit::detail {
namespace {

enum class Isa { baseline, avx2, avx512 };

Isa supported_isa() {
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return Isa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::avx2;
  return Isa::baseline;
}

// The widest the CPU supports, capped by RRAMSIM_DENSE_ISA (baseline | avx2 | avx512) to
// reproduce another machine's rounding or to measure the variants. Read once.
Isa cpu_isa() {
  static const Isa isa = [] {
    Isa best = supported_isa();
    const char* env = std::getenv("RRAMSIM_DENSE_ISA");
    if (!env) return best;
    Isa cap = std::strcmp(env, "baseline") == 0 ? Isa::baseline
              : std::strcmp(env, "avx2") == 0   ? Isa::avx2
                                                : Isa::avx512;
    return std::min(best, cap);
  }();
  return isa;
}

}  // namespace

bool transfer_sweep(const SweepLines& s, double* t) {
  switch (cpu_isa()) {
    case Isa::avx512: return avx512::transfer_sweep(s, t);
    case Isa::avx2: return avx2::transfer_sweep(s, t);
    default: return baseline::transfer_sweep(s, t);
  }
}

void multiply(const double* a, int m, int k, const double* b, int n, double* c) {
  switch (cpu_isa()) {
    case Isa::avx512: return avx512::multiply(a, m, k, b, n, c);
    case Isa::avx2: return avx2::multiply(a, m, k, b, n, c);
    default: return baseline::multiply(a, m, k, b, n, c);
  }
}

const char* dense_kernel_isa() {
  switch (cpu_isa()) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    default: return "baseline";
  }
}

}  // namespace rramsim::circuit::detail
