#pragma once
// The native engine: nodal analysis of the crossbar network (network.hpp).
//
// Linear cells, few inputs: the line form (word and bit lines as tridiagonal chains, CG on
// the bit-line Schur complement; docs/circuit.md); program() only factors the lines. If
// the iteration stalls, the input is solved by the sparse factorization (Eigen's LDL^T,
// AMD ordering; built then).
// Linear cells, many inputs: the transfer matrix T (cols x rows, column currents per volt
// at each row driver), after which every input is I = T v, one dense product per batch.
// In line form T comes from a dense sweep along the bit lines (O(n^4) in dense products);
// otherwise from min(rows, cols) blocked sparse solves. It is formed as soon as the inputs
// seen would have cost as much as forming it (at once for a batch that large).
// Nonlinear cells: Newton per input. In line form (1R, or 1T1R with a zero-ohm transistor)
// each step is a line-form CG solve of the Jacobian, from the chord solution (each cell at
// its read conductance); otherwise, or if a line solve fails, the Jacobian is re-factorized
// each iteration on a symbolic analysis done once, from the factored chord network.
#include <memory>

#include "rramsim/circuit/engine.hpp"

namespace rramsim::circuit {

struct NativeStats {
  int unknowns = 0;              // free nodes in the nodal system
  long factor_nonzeros = 0;      // non-zeros of L
  double program_seconds = 0;    // factorization (+ transfer matrix once formed)
  int last_newton_iterations = 0;  // most iterations any input of the last solve() needed
  bool line_form = false;        // linear cells solved in line form (conjugate gradients)
  int last_cg_iterations = 0;    // most CG iterations any input of the last solve() needed
  bool transfer_by_sweep = false;  // T formed by the dense line sweep (else sparse solves)
  long direct_fallbacks = 0;     // line form: inputs solved by the factorization instead
                                 // (the iteration failed on one; the array's later inputs follow)
};

struct NativeOptions {
  double newton_tol_volt = 1e-13;  // stop when the largest node update is below this
  int newton_max_iterations = 60;
  double newton_max_step_volt = 0.2;  // damping: largest node update per iteration
  // Line-form conjugate gradients: stop at this residual relative to the right-hand side;
  // beyond the iteration cap (large wire resistance, near-singular arrays) the input is
  // solved by the sparse factorization instead.
  double cg_tol_rel = 1e-13;
  int cg_max_iterations = 300;
  // Nonlinear cells in line form: each Newton step's CG stops at this residual relative to
  // the step's right-hand side (the Newton residual), so the steps' error shrinks with it.
  double newton_cg_tol_rel = 1e-10;
  // Linear cells in line form: the transfer matrix by the dense line sweep (false: by the
  // sparse factorization, as where the line form does not apply; for comparisons).
  bool transfer_by_sweep = true;
};

class NativeEngine : public Engine {
 public:
  explicit NativeEngine(NativeOptions opts = {});
  ~NativeEngine() override;
  std::string name() const override { return "native"; }
  void program(const CrossbarSpec& spec, const CellArray& cells) override;
  Solution solve(const Eigen::MatrixXd& row_volts, const SolveOptions& opts = {}) override;
  // cols x rows (formed on first call); linear cells only (InputError otherwise).
  const Eigen::MatrixXd& transfer();
  const NativeStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rramsim::circuit
