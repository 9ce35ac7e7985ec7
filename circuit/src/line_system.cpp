// The crossbar in line form: tridiagonal word and bit lines coupled by the cells.
#include "line_system.hpp"

#include <cmath>

#include "dense_kernels.hpp"

namespace rramsim::circuit::detail {
namespace {

// A pivot below this fraction of its diagonal means a (nearly) floating node.
constexpr double kMinPivotRel = 1e-13;

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

bool LineSystem::set_cells(Grid siemens) {
  const int R = R_, C = C_;
  gc_col0_ = siemens.col(0);
  gc_row_last_ = siemens.row(R - 1).transpose();
  h_ = std::move(siemens);  // no copy: a fresh page costs more than the arithmetic here
  if (w_fixed0_) h_.col(0).setZero();
  if (b_fixed_last_) h_.row(R - 1).setZero();
  b_wires_.resize(R);
  for (int i = 0; i < R; ++i) b_wires_[i] = (i > 0 ? gb_ : 0.0) + (i + 1 < R ? gb_ : gs_);
  bool ok = true;
  // Word lines, all R at once along j (the inner loop runs over rows and vectorizes).
  w_inv_piv_.resize(R, C);
  for (int j = 0; j < C; ++j) {
    const double wires = (j > 0 ? gw_ : gd_) + (j + 1 < C ? gw_ : 0.0);
    const double o2 = j > 0 ? off_w(j) * off_w(j) : 0.0;
    for (int i = 0; i < R; ++i) {
      double d = (j == 0 && w_fixed0_) ? 1.0 : cell(i, j) + wires;
      double p = j > 0 ? d - o2 * w_inv_piv_(i, j - 1) : d;
      ok &= p > kMinPivotRel * d;
      w_inv_piv_(i, j) = 1.0 / p;
    }
  }
  // Bit lines, each along i.
  b_inv_piv_.resize(R, C);
  for (int j = 0; j < C; ++j)
    for (int i = 0; i < R; ++i) {
      double d = b_diag(i, j);
      double p = i > 0 ? d - off_b(i) * off_b(i) * b_inv_piv_(i - 1, j) : d;
      ok &= p > kMinPivotRel * d;
      b_inv_piv_(i, j) = 1.0 / p;
    }
  return ok;
}

Grid LineSystem::cell_siemens() const {
  Grid g = h_;
  g.col(0) = gc_col0_;
  g.row(R_ - 1) = gc_row_last_.transpose();
  return g;
}

void LineSystem::solve_word_lines(Grid& x) const {
  auto X = x.array();
  const auto P = w_inv_piv_.array();
  for (int j = 1; j < C_; ++j) X.col(j) -= off_w(j) * P.col(j - 1) * X.col(j - 1);
  X *= P;
  for (int j = C_ - 2; j >= 0; --j) X.col(j) -= off_w(j + 1) * P.col(j) * X.col(j + 1);
}

void LineSystem::solve_bit_lines(Grid& x) const {
  const int R = R_, C = C_;
  double* X = x.data();
  const double* P = b_inv_piv_.data();
  // Across the columns in the inner loop: C independent chains keep the pipeline full.
  for (int i = 1; i < R; ++i) {
    const double o = off_b(i);
    for (int j = 0; j < C; ++j) X[i + R * j] -= o * P[i - 1 + R * j] * X[i - 1 + R * j];
  }
  x.array() *= b_inv_piv_.array();
  for (int i = R - 2; i >= 0; --i) {
    const double o = off_b(i + 1);
    for (int j = 0; j < C; ++j) X[i + R * j] -= o * P[i + R * j] * X[i + 1 + R * j];
  }
}

// y <- A_b x - H y, in place in y (each y(i,j) is read before it is written).
void LineSystem::apply_bit_lines_minus(const Grid& x, Grid& y) const {
  const int R = R_, C = C_;
  for (int j = 0; j < C; ++j) {
    const double* xj = x.data() + R * j;
    const double* hj = h_.data() + R * j;
    const double* gj = (j == 0 && w_fixed0_) ? gc_col0_.data() : hj;
    double* yj = y.data() + R * j;
    for (int i = 0; i < R; ++i) yj[i] = (gj[i] + b_wires_[i]) * xj[i] - hj[i] * yj[i];
    if (b_fixed_last_) yj[R - 1] = xj[R - 1];
    for (int i = 1; i < R; ++i) {
      const double o = off_b(i);
      yj[i] += o * xj[i - 1];
      yj[i - 1] += o * xj[i];
    }
  }
}

void LineSystem::word_line_rhs(const Eigen::VectorXd& v, Grid& rw) const {
  rw.setZero(R_, C_);
  if (w_fixed0_) {
    rw.col(0) = v;
    if (C_ > 1) rw.col(1) = gw_ * v;
  } else {
    rw.col(0) = gd_ * v;
  }
}

CgReport LineSystem::solve(const Eigen::VectorXd& v, double tol_rel, int max_iterations, Grid& w,
                           Grid& b) {
  word_line_rhs(v, rw_);
  rb_.setZero(R_, C_);
  if (w_fixed0_) {  // cells from a held W(i,0) drive B(i,0) directly
    rb_.col(0) = gc_col0_.cwiseProduct(v);
    if (b_fixed_last_) rb_(R_ - 1, 0) = 0;
  }
  return solve_rhs(rw_, rb_, tol_rel, max_iterations, w, b);
}

CgReport LineSystem::solve_rhs(const Grid& rw, const Grid& rb, double tol_rel, int max_iterations,
                               Grid& w, Grid& b) {
  CgReport rep;
  // Right-hand side of the bit-line Schur complement: f = rb + H A_w^-1 rw.
  t_ = rw;
  solve_word_lines(t_);
  r_ = h_.cwiseProduct(t_) + rb;
  const double fnorm = r_.norm();
  b.setZero(R_, C_);
  p_ = r_;
  solve_bit_lines(p_);
  double rz = r_.cwiseProduct(p_).sum();
  rep.converged = fnorm == 0;
  while (!rep.converged && rep.iterations < max_iterations) {
    ++rep.iterations;
    t_ = h_.cwiseProduct(p_);  // q = S p = A_b p - H A_w^-1 H p, in t
    solve_word_lines(t_);
    apply_bit_lines_minus(p_, t_);
    const double pq = p_.cwiseProduct(t_).sum();
    if (!(pq > 0)) break;  // S is not positive definite (numerically): give up
    const double alpha = rz / pq;
    b += alpha * p_;
    r_ -= alpha * t_;
    if (r_.norm() <= tol_rel * fnorm) {
      rep.converged = true;
      break;
    }
    t_ = r_;  // z = A_b^-1 r, in t
    solve_bit_lines(t_);
    const double rz_next = r_.cwiseProduct(t_).sum();
    p_ = t_ + (rz_next / rz) * p_;
    rz = rz_next;
  }
  t_ = rw + h_.cwiseProduct(b);
  solve_word_lines(t_);
  std::swap(w, t_);  // the caller's old grid becomes the workspace: no fresh pages
  return rep;
}

bool LineSystem::transfer(Eigen::MatrixXd& t) const {
  const int R = R_, C = C_;
  Grid w_diag(R, C), b_diag_grid(R, C);
  Eigen::VectorXd w_off = Eigen::VectorXd::Zero(C), b_off = Eigen::VectorXd::Zero(R);
  Eigen::VectorXd w_drive = Eigen::VectorXd::Zero(C), b_drive = Eigen::VectorXd::Zero(R);
  for (int j = 0; j < C; ++j) {
    const double wires = (j > 0 ? gw_ : gd_) + (j + 1 < C ? gw_ : 0.0);
    if (j > 0) w_off[j] = off_w(j);
    for (int i = 0; i < R; ++i) {
      w_diag(i, j) = (j == 0 && w_fixed0_) ? 1.0 : cell(i, j) + wires;
      b_diag_grid(i, j) = b_diag(i, j);
    }
  }
  for (int i = 1; i < R; ++i) b_off[i] = off_b(i);
  if (w_fixed0_) {  // W(i,0) = v_i: its wire drives W(i,1), its cell B(i,0)
    w_drive[0] = 1.0;
    if (C > 1) w_drive[1] = gw_;
    b_drive = gc_col0_;
  } else {
    w_drive[0] = gd_;
  }
  SweepLines s;
  s.rows = R;
  s.cols = C;
  s.w_diag = w_diag.data();
  s.w_off = w_off.data();
  s.cell = h_.data();
  s.b_diag = b_diag_grid.data();
  s.b_off = b_off.data();
  s.w_drive = w_drive.data();
  s.b_drive = b_drive.data();
  s.sense_fixed = b_fixed_last_;
  s.g_last = b_fixed_last_ ? gb_ : gs_;
  s.sense_last = gc_row_last_.data();
  t.resize(C, R);
  return transfer_sweep(s, t.data());
}

void LineSystem::wire_currents(const Eigen::VectorXd& v, const Grid& w, const Grid& b, Grid& fw,
                               Grid& fb) const {
  const int R = R_, C = C_;
  fw.setZero(R, C);
  fb.setZero(R, C);
  for (int j = 0; j + 1 < C; ++j) {
    auto cur = (gw_ * (w.col(j) - w.col(j + 1))).eval();
    fw.col(j) += cur;
    fw.col(j + 1) -= cur;
  }
  if (!w_fixed0_) fw.col(0) += gd_ * (w.col(0) - v);
  for (int j = 0; j < C; ++j)
    for (int i = 0; i + 1 < R; ++i) {
      const double cur = gb_ * (b(i, j) - b(i + 1, j));
      fb(i, j) += cur;
      fb(i + 1, j) -= cur;
    }
  if (!b_fixed_last_) fb.row(R - 1) += gs_ * b.row(R - 1);
  if (w_fixed0_) fw.col(0).setZero();
  if (b_fixed_last_) fb.row(R - 1).setZero();
}

Eigen::VectorXd LineSystem::column_amp(const Grid& w, const Grid& b) const {
  if (!b_fixed_last_) return gs_ * b.row(R_ - 1).transpose();
  Eigen::VectorXd out = gc_row_last_.cwiseProduct(w.row(R_ - 1).transpose());
  if (R_ > 1) out += gb_ * b.row(R_ - 2).transpose();
  return out;
}

}  // namespace rramsim::circuit::detail
