// The crossbar in line form: tridiagonal word and bit lines coupled by the cells.
#include "line_system.hpp"

#include <cmath>

namespace rramsim::circuit::detail {
namespace {

// A pivot below this fraction of its diagonal means a (nearly) floating node.
constexpr double kMinPivotRel = 1e-13;

// Factors chains running along the first index of `d` (stride 1 between chains is the
// other index): element k of every chain at once, so the inner loop vectorizes.
// `off(k)` is the off-diagonal between elements k-1 and k, the same for every chain.
template <class Off>
bool factor_chains(Chains& c, int len, int count, bool along_cols, Off off) {
  c.inv_piv.resize(c.diag.rows(), c.diag.cols());
  c.mult.resize(c.diag.rows(), c.diag.cols());
  bool ok = true;
  auto at = [&](Grid& g, int k, int n) -> double& { return along_cols ? g(n, k) : g(k, n); };
  for (int n = 0; n < count; ++n) {
    double d = at(c.diag, 0, n);
    ok &= d > 0;
    at(c.inv_piv, 0, n) = 1.0 / d;
    at(c.mult, 0, n) = 0;
  }
  for (int k = 1; k < len; ++k) {
    const double o = off(k);
    for (int n = 0; n < count; ++n) {
      double l = o * at(c.inv_piv, k - 1, n);
      double d = at(c.diag, k, n);
      double p = d - l * o;
      ok &= p > kMinPivotRel * d;
      at(c.mult, k, n) = l;
      at(c.inv_piv, k, n) = 1.0 / p;
    }
  }
  return ok;
}

}  // namespace

std::optional<LineSystem> LineSystem::make(const CrossbarSpec& spec) {
  const double wl = spec.wordline_wire_ohm, bl = spec.bitline_wire_ohm;
  if (wl == 0 || bl == 0 || (std::isinf(wl) && std::isinf(bl))) return std::nullopt;
  if (!std::isfinite(spec.driver_ohm) || !std::isfinite(spec.sense_ohm)) return std::nullopt;
  LineSystem s;
  s.R_ = spec.rows;
  s.C_ = spec.cols;
  s.gw_ = std::isinf(wl) ? 0.0 : 1.0 / wl;
  s.gb_ = std::isinf(bl) ? 0.0 : 1.0 / bl;
  s.w_fixed0_ = spec.driver_ohm == 0;
  s.b_fixed_last_ = spec.sense_ohm == 0;
  s.gd_ = s.w_fixed0_ ? 0.0 : 1.0 / spec.driver_ohm;
  s.gs_ = s.b_fixed_last_ ? 0.0 : 1.0 / spec.sense_ohm;
  s.off_w0_ = s.w_fixed0_ ? 0.0 : -s.gw_;
  s.off_b_last_ = s.b_fixed_last_ ? 0.0 : -s.gb_;
  return s;
}

bool LineSystem::set_cells(const Grid& siemens) {
  const int R = R_, C = C_;
  gc_ = siemens;
  h_ = gc_;
  if (w_fixed0_) h_.col(0) = 0;
  if (b_fixed_last_) h_.row(R - 1) = 0;
  wl_.diag = gc_;
  for (int j = 0; j < C; ++j) {
    double wires = (j > 0 ? gw_ : 0.0) + (j + 1 < C ? gw_ : 0.0) + (j == 0 ? gd_ : 0.0);
    wl_.diag.col(j) += wires;
  }
  if (w_fixed0_) wl_.diag.col(0) = 1.0;
  bl_.diag = gc_;
  for (int i = 0; i < R; ++i) {
    double wires = (i > 0 ? gb_ : 0.0) + (i + 1 < R ? gb_ : gs_);
    bl_.diag.row(i) += wires;
  }
  if (b_fixed_last_) bl_.diag.row(R - 1) = 1.0;
  bool ok = factor_chains(wl_, C, R, true, [&](int k) { return k == 1 ? off_w0_ : -gw_; });
  ok &= factor_chains(bl_, R, C, false, [&](int k) { return k == R - 1 ? off_b_last_ : -gb_; });
  return ok;
}

void LineSystem::solve_word_lines(Grid& x) const {
  const int R = R_, C = C_;
  for (int j = 1; j < C; ++j) x.col(j) -= wl_.mult.col(j) * x.col(j - 1);
  x *= wl_.inv_piv;
  for (int j = C - 2; j >= 0; --j) x.col(j) -= wl_.mult.col(j + 1) * x.col(j + 1);
  (void)R;
}

void LineSystem::solve_bit_lines(Grid& x) const {
  const int R = R_, C = C_;
  double* X = x.data();
  const double* L = bl_.mult.data();
  for (int i = 1; i < R; ++i)
    for (int j = 0; j < C; ++j) X[i + R * j] -= L[i + R * j] * X[i - 1 + R * j];
  x *= bl_.inv_piv;
  for (int i = R - 2; i >= 0; --i)
    for (int j = 0; j < C; ++j) X[i + R * j] -= L[i + 1 + R * j] * X[i + 1 + R * j];
}

void LineSystem::apply_bit_lines(const Grid& x, Grid& y) const {
  const int R = R_, C = C_;
  y = bl_.diag * x;
  for (int i = 0; i + 1 < R; ++i) {
    const double o = i == R - 2 ? off_b_last_ : -gb_;
    y.row(i) += o * x.row(i + 1);
    y.row(i + 1) += o * x.row(i);
  }
  (void)C;
}

void LineSystem::rhs(const Eigen::VectorXd& v, Grid& rw, Grid& rb) const {
  rw.setZero(R_, C_);
  rb.setZero(R_, C_);
  if (w_fixed0_) {
    rw.col(0) = v.array();
    if (C_ > 1) rw.col(1) = gw_ * v.array();
    rb.col(0) = gc_.col(0) * v.array();
    if (b_fixed_last_) rb(R_ - 1, 0) = 0;
  } else {
    rw.col(0) = gd_ * v.array();
  }
}

CgReport LineSystem::solve(const Eigen::VectorXd& v, double tol_rel, int max_iterations, Grid& w,
                           Grid& b) const {
  CgReport rep;
  Grid rw, rb;
  rhs(v, rw, rb);
  // Right-hand side of the bit-line Schur complement: f = rb + H A_w^-1 rw.
  Grid y = rw;
  solve_word_lines(y);
  Grid r = rb + h_ * y;
  const double fnorm = std::sqrt((r * r).sum());
  b.setZero(R_, C_);
  Grid z = r, p, q(R_, C_);
  solve_bit_lines(z);
  p = z;
  double rz = (r * z).sum();
  rep.converged = fnorm == 0;
  while (!rep.converged && rep.iterations < max_iterations) {
    ++rep.iterations;
    y = h_ * p;  // q = S p = A_b p - H A_w^-1 H p
    solve_word_lines(y);
    apply_bit_lines(p, q);
    q -= h_ * y;
    const double pq = (p * q).sum();
    if (!(pq > 0)) break;  // S is not positive definite (numerically): give up
    const double alpha = rz / pq;
    b += alpha * p;
    r -= alpha * q;
    if (std::sqrt((r * r).sum()) <= tol_rel * fnorm) {
      rep.converged = true;
      break;
    }
    z = r;
    solve_bit_lines(z);
    const double rz_next = (r * z).sum();
    p = z + (rz_next / rz) * p;
    rz = rz_next;
  }
  w = rw + h_ * b;
  solve_word_lines(w);
  return rep;
}

Eigen::VectorXd LineSystem::column_amp(const Grid& w, const Grid& b) const {
  if (!b_fixed_last_) return (gs_ * b.row(R_ - 1)).transpose().matrix();
  Eigen::VectorXd out = (gc_.row(R_ - 1) * w.row(R_ - 1)).transpose().matrix();
  if (R_ > 1) out += (gb_ * b.row(R_ - 2)).transpose().matrix();
  return out;
}

}  // namespace rramsim::circuit::detail
