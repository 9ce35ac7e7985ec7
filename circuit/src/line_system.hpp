#pragma once
// The crossbar's nodal system in line form (private to the circuit layer). Word line i
// (nodes W(i,0..C-1)) and bit line j (nodes B(0..R-1,j)) are tridiagonal chains; the only
// coupling between lines is each cell, a diagonal W(i,j)-B(i,j) term. So the word lines
// can be eliminated exactly (R independent tridiagonal solves), leaving the bit-line
// Schur complement S = A_b - H A_w^-1 H, solved by conjugate gradients preconditioned by
// the bit lines (C independent tridiagonal solves). Wires couple a line's nodes strongly
// and cells couple lines weakly, so few iterations reach round-off.
//
// Same circuit as network.hpp, without merging: a zero-ohm driver or sense resistance
// makes the end node a fixed node (an identity row, its couplings moved to the right-hand
// side). Zero-ohm wires, or both wires open, are not representable: `make` says no and the
// engine uses the general sparse network instead.
#include <Eigen/Dense>
#include <optional>

#include "rramsim/circuit/crossbar.hpp"

namespace rramsim::circuit::detail {

using Grid = Eigen::MatrixXd;  // rows x cols, column-major: index i + R j

struct CgReport {
  bool converged = false;
  int iterations = 0;
};

class LineSystem {
 public:
  // nullopt if the spec is not representable in line form (see above).
  static std::optional<LineSystem> make(const CrossbarSpec& spec);

  // Sets the cell conductances (R x C) and factors every line. False if a line's pivot is
  // not safely positive (a floating node or a near-singular line): use the direct solver.
  bool set_cells(Grid siemens);
  // The cell conductances back (for the general network when the iteration fails).
  Grid cell_siemens() const;

  // One input: word- and bit-line node voltages (fixed nodes included). Not thread-safe:
  // the iteration's vectors are kept between calls (a fresh page costs more than the
  // arithmetic at these sizes).
  CgReport solve(const Eigen::VectorXd& row_volt, double tol_rel, int max_iterations, Grid& w,
                 Grid& b);
  // The same system with a given right-hand side at every free node (rw at the word-line
  // nodes, rb at the bit-line nodes; 0 at fixed nodes, which come back 0): a Newton step.
  // Stops at a Schur residual below tol_rel times the right-hand side's.
  CgReport solve_rhs(const Grid& rw, const Grid& rb, double tol_rel, int max_iterations, Grid& w,
                     Grid& b);
  // The transfer matrix T (cols x rows; column currents per volt at each row input) by a
  // dense sweep along the bit lines (dense_kernels.hpp). False if the sweep found a Schur
  // complement not positive definite (use the sparse path).
  bool transfer(Eigen::MatrixXd& t) const;
  // Net current leaving each free node through the wires, drivers and sense resistances
  // (fixed nodes: 0), for node voltages w, b (fixed nodes included) and inputs v.
  void wire_currents(const Eigen::VectorXd& row_volt, const Grid& w, const Grid& b, Grid& fw,
                     Grid& fb) const;
  // Column currents from node voltages.
  Eigen::VectorXd column_amp(const Grid& w, const Grid& b) const;

  bool driver_fixed() const { return w_fixed0_; }
  bool sense_fixed() const { return b_fixed_last_; }
  double bitline_siemens() const { return gb_; }
  double sense_siemens() const { return gs_; }
  int rows() const { return R_; }
  int cols() const { return C_; }
  int free_nodes() const { return 2 * R_ * C_ - (w_fixed0_ ? R_ : 0) - (b_fixed_last_ ? C_ : 0); }

 private:
  double off_w(int j) const { return j == 1 ? off_w0_ : -gw_; }  // W(i,j-1)-W(i,j)
  double off_b(int i) const { return i == R_ - 1 ? off_b_last_ : -gb_; }  // B(i-1,j)-B(i,j)
  void solve_word_lines(Grid& x) const;  // in place: x <- A_w^-1 x
  void solve_bit_lines(Grid& x) const;   // in place: x <- A_b^-1 x
  void apply_bit_lines_minus(const Grid& x, Grid& y) const;
  double cell(int i, int j) const { return (j == 0 && w_fixed0_) || (i == R_ - 1 && b_fixed_last_)
                                               ? (j == 0 ? gc_col0_[i] : gc_row_last_[j]) : h_(i, j); }
  double b_diag(int i, int j) const { return i == R_ - 1 && b_fixed_last_ ? 1.0 : cell(i, j) + b_wires_[i]; }
  void word_line_rhs(const Eigen::VectorXd& v, Grid& rw) const;

  int R_ = 0, C_ = 0;
  double gw_ = 0, gb_ = 0;   // word-line and bit-line wire conductance per segment (0: open)
  double gd_ = 0, gs_ = 0;   // driver and sense conductance when the end node is free
  bool w_fixed0_ = false;    // driver_ohm == 0: W(i,0) is held at v_i
  bool b_fixed_last_ = false;  // sense_ohm == 0: B(R-1,j) is held at 0
  Eigen::VectorXd gc_col0_, gc_row_last_;  // cell conductances at the fixed ends
  Grid h_;                   // cell coupling between two free nodes (0 if either is fixed)
  Eigen::VectorXd b_wires_;  // per row: bit-line wire and sense conductance at a B node
  Grid w_inv_piv_, b_inv_piv_;  // 1 / pivots of the lines' LDL^T factors
  Grid r_, p_, t_, rw_, rb_;  // CG workspace
  double off_w0_ = 0;        // off-diagonal W(i,0)-W(i,1) (0 if W(i,0) is fixed)
  double off_b_last_ = 0;    // off-diagonal B(R-2,j)-B(R-1,j) (0 if B(R-1,j) is fixed)
};

}  // namespace rramsim::circuit::detail
