#pragma once
// Dense kernels of the native engine (private to the circuit layer): the transfer matrix
// by a sweep along the bit lines, and the batch product I = T V.
//
// Both exist three times: for the baseline x86-64 the project builds for, for AVX2 + FMA
// (dense_kernels_avx2.cpp) and for AVX-512 (dense_kernels_avx512.cpp), the widest the CPU
// supports chosen at run time. The build stays portable; the GEMM-bound work runs about 3x
// (AVX2) or 5x (AVX-512) faster than at the baseline. Results differ between the variants
// only in rounding (FMA, vector width); on one machine they are always the same (no
// threads inside, nothing depends on the caller's thread count).
//
// The interface is raw arrays, no Eigen types: the AVX2 copy compiles its own Eigen under
// another namespace (see dense_kernels_avx2.cpp), and the two must not share symbols.

namespace rramsim::circuit::detail {

// The crossbar's lines in nodal form, all arrays column-major, rows x cols = R x C
// (see line_system.hpp). Fixed nodes are identity rows with their couplings zeroed.
struct SweepLines {
  int rows = 0, cols = 0;
  const double* w_diag = nullptr;  // R x C: word-line node diagonal
  const double* w_off = nullptr;   // C: coupling W(i,j-1)-W(i,j) at index j >= 1 (all rows)
  const double* cell = nullptr;    // R x C: W(i,j)-B(i,j) coupling magnitude (0 if either fixed)
  const double* b_diag = nullptr;  // R x C: bit-line node diagonal
  const double* b_off = nullptr;   // R: coupling B(i-1,j)-B(i,j) at index i >= 1 (all columns)
  const double* w_drive = nullptr;  // C: word-line right-hand side per volt of the row's input
  const double* b_drive = nullptr;  // R: right-hand side at B(i,0) per volt of v_i
  // Column current: sense_fixed ? sense_last[j] W(R-1,j) + g_last B(R-2,j) : g_last B(R-1,j).
  bool sense_fixed = false;
  double g_last = 0;
  const double* sense_last = nullptr;  // C
};

// T (C x R, column-major, column current per volt at each row input). Eliminates the rows
// one at a time from the top: each word line exactly (a tridiagonal inverse), then a
// dense C x C Schur complement on the next bit-line row, carrying the inputs' equivalent
// injections along. O(R C^3 + R^2 C^2) flops, all in dense Cholesky, triangular and matrix
// products. False if a Schur complement is not positive definite (use the sparse path).
bool transfer_sweep(const SweepLines& s, double* t);

// c (m x n) = a (m x k) * b (k x n), column-major.
void multiply(const double* a, int m, int k, const double* b, int n, double* c);

// Which kernels run here: "avx512", "avx2" or "baseline".
const char* dense_kernel_isa();

namespace baseline {
bool transfer_sweep(const SweepLines& s, double* t);
void multiply(const double* a, int m, int k, const double* b, int n, double* c);
}  // namespace baseline
namespace avx2 {
bool transfer_sweep(const SweepLines& s, double* t);
void multiply(const double* a, int m, int k, const double* b, int n, double* c);
}  // namespace avx2
namespace avx512 {
bool transfer_sweep(const SweepLines& s, double* t);
void multiply(const double* a, int m, int k, const double* b, int n, double* c);
}  // namespace avx512

}  // namespace rramsim::circuit::detail
