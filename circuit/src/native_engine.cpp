// Native crossbar solver: sparse nodal analysis (see native_engine.hpp).
#include "rramsim/circuit/native_engine.hpp"

#include <Eigen/Sparse>
#include <Eigen/SparseCholesky>
#include <algorithm>
#include <chrono>
#include <cmath>

#include "detail.hpp"
#include "dense_kernels.hpp"
#include "line_system.hpp"

namespace rramsim::circuit {
namespace {

using SpMat = Eigen::SparseMatrix<double>;
using Ldlt = Eigen::SimplicialLDLT<SpMat, Eigen::Lower, Eigen::AMDOrdering<int>>;
constexpr int kBlock = 32;  // right-hand sides per solve when forming T

// Index of entry (r, c) in a compressed column-major matrix's value array.
int value_index(const SpMat& m, int r, int c) {
  const int* begin = m.innerIndexPtr() + m.outerIndexPtr()[c];
  const int* end = m.innerIndexPtr() + m.outerIndexPtr()[c + 1];
  const int* it = std::lower_bound(begin, end, r);
  return static_cast<int>(it - m.innerIndexPtr());
}

// A nonlinear cell in nodal terms: free indices (-1 if fixed) and value positions.
struct DeviceStamp {
  int a, b;       // nodes
  int fa, fb;     // free indices or -1
  int paa = -1, pbb = -1, pab = -1, pba = -1;
  double amp;     // sinh prefactor
};

// Solves K X = B for a block of right-hand sides with the LDL^T factors, streaming L once
// per block instead of once per column (Eigen's simplicial solve goes column by column and
// is memory-bound for many right-hand sides). B and X are n x nb.
Eigen::MatrixXd block_solve(const Ldlt& f, const Eigen::MatrixXd& b) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto& L = f.matrixL().nestedExpression();  // strictly lower, column-major
  const auto& P = f.permutationP();
  const Eigen::VectorXd d = f.vectorD();
  const Eigen::Index n = b.rows(), nb = b.cols();
  RowMajor y(n, nb);
  for (Eigen::Index i = 0; i < n; ++i) y.row(P.indices()[i]) = b.row(i);
  const int* Lp = L.outerIndexPtr();
  const int* Li = L.innerIndexPtr();
  const double* Lx = L.valuePtr();
  double* Y = y.data();
  for (Eigen::Index j = 0; j < n; ++j) {  // forward: L z = y
    const double* yj = Y + j * nb;
    for (int p = Lp[j]; p < Lp[j + 1]; ++p) {
      double* yi = Y + static_cast<Eigen::Index>(Li[p]) * nb;
      const double l = Lx[p];
      for (Eigen::Index c = 0; c < nb; ++c) yi[c] -= l * yj[c];
    }
  }
  for (Eigen::Index j = 0; j < n; ++j) {
    const double inv = 1.0 / d[j];
    for (Eigen::Index c = 0; c < nb; ++c) Y[j * nb + c] *= inv;
  }
  for (Eigen::Index j = n - 1; j >= 0; --j) {  // backward: L^T x = z
    double* yj = Y + j * nb;
    for (int p = Lp[j]; p < Lp[j + 1]; ++p) {
      const double* yi = Y + static_cast<Eigen::Index>(Li[p]) * nb;
      const double l = Lx[p];
      for (Eigen::Index c = 0; c < nb; ++c) yj[c] -= l * yi[c];
    }
  }
  Eigen::MatrixXd x(n, nb);
  for (Eigen::Index i = 0; i < n; ++i) x.row(i) = y.row(P.indices()[i]);
  return x;
}

// Sinh cells fit the line form when each cell joins W(i,j) and B(i,j) directly (1R, or
// 1T1R with a zero-ohm transistor); otherwise 1T1R has an internal node per cell.
bool line_newton_applies(const CrossbarSpec& spec) {
  return spec.cell == CellType::passive_1r || spec.access_on_ohm == 0;
}

}  // namespace

struct NativeEngine::Impl {
  NativeOptions opts;
  bool programmed = false;
  bool linear = true;
  CrossbarSpec spec;     // kept to build the general network only when it is needed
  CellArray cells;       // (in line form the line system holds the conductances instead)
  std::optional<detail::LineSystem> lines;  // linear cells in line form (the fast path)
  detail::Grid w_grid, b_grid;  // its node voltages
  bool lines_stalled = false;   // an input's iteration failed: use the factorization
  bool generic = false;  // the general network below is built and assembled
  Network net;
  std::vector<int> free_of_node;
  std::vector<int> sense_col;  // per node: column index if a sense node, -1 else
  int n = 0;
  SpMat K;          // n x n, resistors only (pattern also holds the nonlinear cells' stamps)
  SpMat Bm;         // n x rows: K x = Bm v (+ nonlinear cell currents)
  SpMat Cm, Dm;     // column currents I = Cm x + Dm v (+ nonlinear cells into sense nodes)
  std::vector<DeviceStamp> devices;
  Ldlt ldlt;        // linear: K; nonlinear: the chord matrix
  bool factored = false;
  Ldlt jac;         // nonlinear: Newton Jacobian (symbolic analysis reused)
  Eigen::MatrixXd T;
  bool has_transfer = false;
  long direct_inputs = 0;  // inputs solved without T (T pays off after ~min(R,C) of them)
  NativeStats stats;
  // Nonlinear cells in line form: sinh prefactors, chord conductances (Newton's start).
  detail::Grid sinh_amp, chord_siemens;
  detail::Grid fw, fb, dw, db;  // Newton residual and step (kept: no fresh pages)
  bool sparse_newton_ready = false;

  void build_generic();
  void prepare_sparse_newton();
  bool line_newton(const Eigen::VectorXd& v, int& iterations);
  void solve_nonlinear(const Eigen::MatrixXd& row_volts, const SolveOptions& o, Solution& s);
  void assemble();
  void factor();
  void form_transfer();
  Eigen::VectorXd direct_column_amp(const Eigen::VectorXd& v, Eigen::VectorXd* node_v);
  void solve_linear(const Eigen::MatrixXd& row_volts, const SolveOptions& o, Solution& s);
  Eigen::VectorXd newton(const Eigen::VectorXd& v, int& iterations);
  Eigen::VectorXd device_currents_into_columns(const Eigen::VectorXd& node_v) const;
};

NativeEngine::NativeEngine(NativeOptions opts) : impl_(std::make_unique<Impl>()) {
  impl_->opts = opts;
}
NativeEngine::~NativeEngine() = default;

void NativeEngine::Impl::assemble() {
  const int R = net.rows, C = net.cols;
  free_of_node.assign(net.nodes, -1);
  std::vector<int> node_of_free;
  n = 0;
  for (int k = 0; k < net.nodes; ++k)
    if (!net.fixed(k)) {
      free_of_node[k] = n++;
      node_of_free.push_back(k);
    }
  sense_col.assign(net.nodes, -1);
  for (int j = 0; j < C; ++j) sense_col[net.sense_node[j]] = j;

  std::vector<Eigen::Triplet<double>> tk, tb, tc, td;
  tk.reserve(4 * net.resistors.size() + 4 * net.sinh_cells.size());
  auto stamp = [&](int a, int b, double g) {
    int fa = free_of_node[a], fb = free_of_node[b];
    if (fa >= 0) tk.emplace_back(fa, fa, g);
    if (fb >= 0) tk.emplace_back(fb, fb, g);
    if (fa >= 0 && fb >= 0) {
      tk.emplace_back(fa, fb, -g);
      tk.emplace_back(fb, fa, -g);
    }
  };
  for (const auto& r : net.resistors) {
    stamp(r.a, r.b, r.siemens);
    for (auto [p, q] : {std::pair{r.a, r.b}, std::pair{r.b, r.a}}) {
      // Drive from a fixed input node q into free node p.
      if (free_of_node[p] >= 0 && net.fixed_row[q] >= 0)
        tb.emplace_back(free_of_node[p], net.fixed_row[q], r.siemens);
      // Current into sense node q from p.
      if (sense_col[q] >= 0 && sense_col[p] < 0) {
        if (free_of_node[p] >= 0) tc.emplace_back(sense_col[q], free_of_node[p], r.siemens);
        else if (net.fixed_row[p] >= 0) td.emplace_back(sense_col[q], net.fixed_row[p], r.siemens);
      }
    }
  }
  devices.clear();
  for (const auto& c : net.sinh_cells) {
    devices.push_back({c.a, c.b, free_of_node[c.a], free_of_node[c.b], -1, -1, -1, -1, c.prefactor_amp});
    stamp(c.a, c.b, 0.0);  // pattern only
  }
  K.resize(n, n);
  K.setFromTriplets(tk.begin(), tk.end());
  K.makeCompressed();
  Bm.resize(n, R);
  Bm.setFromTriplets(tb.begin(), tb.end());
  Cm.resize(C, n);
  Cm.setFromTriplets(tc.begin(), tc.end());
  Dm.resize(C, R);
  Dm.setFromTriplets(td.begin(), td.end());
  for (auto& d : devices) {
    if (d.fa >= 0) d.paa = value_index(K, d.fa, d.fa);
    if (d.fb >= 0) d.pbb = value_index(K, d.fb, d.fb);
    if (d.fa >= 0 && d.fb >= 0) {
      d.pab = value_index(K, d.fa, d.fb);
      d.pba = value_index(K, d.fb, d.fa);
    }
  }
}

void NativeEngine::Impl::factor() {
  if (factored) return;
  ldlt.compute(K);
  if (ldlt.info() != Eigen::Success)
    throw SolverError("native engine: factorization of the nodal matrix failed (singular system)");
  stats.factor_nonzeros = ldlt.matrixL().nestedExpression().nonZeros();
  factored = true;
}

void NativeEngine::Impl::form_transfer() {
  if (lines && !lines_stalled && opts.transfer_by_sweep && lines->transfer(T)) {
    stats.transfer_by_sweep = true;
    has_transfer = true;
    return;
  }
  build_generic();
  factor();
  const int R = net.rows, C = net.cols;
  T.resize(C, R);
  const Eigen::MatrixXd D = Dm;
  if (R <= C) {  // one solve per row driver: T = Cm K^-1 Bm + Dm
    const int blocks = (R + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < blocks; ++b) {
      int k = b * kBlock, nb = std::min(kBlock, R - k);
      Eigen::MatrixXd x = block_solve(ldlt, Eigen::MatrixXd(Bm.middleCols(k, nb)));
      T.middleCols(k, nb) = Cm * x + D.middleCols(k, nb);
    }
  } else {  // adjoint: one solve per column, K symmetric
    const SpMat Ct = Cm.transpose();
    const SpMat Bt = Bm.transpose();
    const int blocks = (C + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < blocks; ++b) {
      int k = b * kBlock, nb = std::min(kBlock, C - k);
      Eigen::MatrixXd y = block_solve(ldlt, Eigen::MatrixXd(Ct.middleCols(k, nb)));
      T.middleRows(k, nb) = (Bt * y).transpose() + D.middleRows(k, nb);
    }
  }
  has_transfer = true;
}

// The general sparse network: always for nonlinear cells; for linear cells only when the
// line form does not apply, its iteration fails, or the transfer matrix is asked for.
void NativeEngine::Impl::build_generic() {
  if (generic) return;
  if (lines && linear) {  // the same linear network from the line system's conductances
    CrossbarSpec s = spec;
    s.cell = CellType::passive_1r;  // cell_siemens already holds the access resistance
    s.access_on_ohm = 0;
    CellArray c;
    c.siemens = lines->cell_siemens();
    net = build_network(s, c);
  } else {
    net = build_network(spec, cells);
  }
  if (auto f = floating_node(net); !f.empty())
    throw SolverError("native engine: node " + f +
                      " is floating (no conducting path to a driver or sense node): singular system");
  assemble();
  stats.unknowns = n;
  factored = false;
  generic = true;
}

void NativeEngine::program(const CrossbarSpec& spec, const CellArray& cells) {
  auto t0 = std::chrono::steady_clock::now();
  Impl& m = *impl_;
  m.programmed = false;
  m.generic = false;
  m.lines_stalled = false;
  m.factored = false;
  m.has_transfer = false;
  m.direct_inputs = 0;
  m.stats = {};
  validate(spec, cells);
  m.spec = spec;
  m.linear = spec.linear_cells;
  m.lines.reset();
  if (m.linear) {
    m.lines = detail::LineSystem::make(spec);
    if (m.lines && !m.lines->set_cells(cell_siemens(spec, cells))) m.lines.reset();
  }
  m.sparse_newton_ready = false;
  if (!m.linear && line_newton_applies(spec)) {  // sinh cells: Newton in line form
    m.lines = detail::LineSystem::make(spec);
    m.sinh_amp = cell_sinh_prefactor_amp(spec, cells);
    const double vr = spec.read_volt, v0 = spec.device.v0_volt;
    m.chord_siemens = m.sinh_amp * (std::sinh(vr / v0) / vr);
    if (m.lines && !m.lines->set_cells(m.chord_siemens)) m.lines.reset();
  }
  m.cells = m.lines && m.linear ? CellArray{} : cells;
  if (m.lines) {
    m.stats.unknowns = m.lines->free_nodes();
    m.stats.line_form = true;
  } else {
    m.build_generic();
    if (!m.linear) m.prepare_sparse_newton();
  }
  m.programmed = true;
  m.stats.program_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The general network's Newton: chord matrix factored once (the start point), Jacobian
// pattern analysed once. Built at programming when the line form does not apply, else
// only when a line-form Newton fails.
void NativeEngine::Impl::prepare_sparse_newton() {
  if (sparse_newton_ready) return;
  build_generic();
  SpMat chord = K;
  const double vr = spec.read_volt;
  for (const auto& d : devices) {
    double g = d.amp * std::sinh(vr / net.v0_volt) / vr;
    if (d.paa >= 0) chord.valuePtr()[d.paa] += g;
    if (d.pbb >= 0) chord.valuePtr()[d.pbb] += g;
    if (d.pab >= 0) chord.valuePtr()[d.pab] -= g;
    if (d.pba >= 0) chord.valuePtr()[d.pba] -= g;
  }
  ldlt.compute(chord);
  jac.analyzePattern(K);
  if (ldlt.info() != Eigen::Success)
    throw SolverError("native engine: factorization of the nodal matrix failed (singular system)");
  stats.factor_nonzeros = ldlt.matrixL().nestedExpression().nonZeros();
  factored = true;
  sparse_newton_ready = true;
}

Eigen::VectorXd NativeEngine::Impl::device_currents_into_columns(const Eigen::VectorXd& node_v) const {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(net.cols);
  for (const auto& d : devices) {
    int ja = sense_col[d.a], jb = sense_col[d.b];
    if (ja < 0 && jb < 0) continue;
    double i = detail::sinh_amp(d.amp, node_v[d.a] - node_v[d.b], net.v0_volt, net.sinh_arg_max);
    if (jb >= 0) out[jb] += i;
    if (ja >= 0) out[ja] -= i;
  }
  return out;
}

Eigen::VectorXd NativeEngine::Impl::newton(const Eigen::VectorXd& v, int& iterations) {
  iterations = 0;
  if (n == 0) return Eigen::VectorXd();  // every node held by a driver or a sense node
  const double v0 = net.v0_volt;
  const double vmax = std::max(v.cwiseAbs().maxCoeff(), 1e-300);
  Eigen::VectorXd bv = Bm * v;
  Eigen::VectorXd x = ldlt.solve(bv);
  SpMat J = K;
  const double* base = K.valuePtr();
  double* jv = J.valuePtr();
  for (iterations = 1; iterations <= opts.newton_max_iterations; ++iterations) {
    Eigen::VectorXd nv = node_volts(net, free_of_node, x, v);
    Eigen::VectorXd r = K * x - bv;
    std::copy(base, base + K.nonZeros(), jv);
    for (const auto& d : devices) {
      double vd = nv[d.a] - nv[d.b];
      const double am = net.sinh_arg_max;
      double i = detail::sinh_amp(d.amp, vd, v0, am), g = detail::sinh_siemens(d.amp, vd, v0, am);
      if (d.fa >= 0) r[d.fa] += i;
      if (d.fb >= 0) r[d.fb] -= i;
      if (d.paa >= 0) jv[d.paa] += g;
      if (d.pbb >= 0) jv[d.pbb] += g;
      if (d.pab >= 0) jv[d.pab] -= g;
      if (d.pba >= 0) jv[d.pba] -= g;
    }
    jac.factorize(J);
    if (jac.info() != Eigen::Success)
      throw SolverError("native engine: Newton Jacobian is singular");
    Eigen::VectorXd dx = jac.solve(-r);
    double step = dx.cwiseAbs().maxCoeff();
    if (!std::isfinite(step)) throw SolverError("native engine: Newton diverged (non-finite update)");
    if (step > opts.newton_max_step_volt) dx *= opts.newton_max_step_volt / step;
    x += dx;
    if (step <= opts.newton_tol_volt * std::max(1.0, vmax)) return x;
  }
  throw SolverError(fmt::format("native engine: Newton did not converge in {} iterations",
                                opts.newton_max_iterations));
}

// Column currents of one input by the factorization (node voltages too if asked).
Eigen::VectorXd NativeEngine::Impl::direct_column_amp(const Eigen::VectorXd& v, Eigen::VectorXd* node_v) {
  build_generic();
  factor();
  Eigen::VectorXd x = ldlt.solve(Eigen::VectorXd(Bm * v));
  if (node_v) *node_v = node_volts(net, free_of_node, x, v);
  return Cm * x + Dm * v;
}

void NativeEngine::Impl::solve_linear(const Eigen::MatrixXd& row_volts, const SolveOptions& o, Solution& s) {
  // Form T once the inputs seen would have cost as much as forming it. By sparse solves T
  // costs min(R, C) of them; by the line sweep (O(n^4) dense, against ~15 CG iterations
  // of O(n^2) per input) about min(R, C) / 8 at 64-256 lines (bench_circuit:
  // BM_NativeTransfer vs BM_NativeSingle), not below 16 (short batches keep the iteration).
  const long lines_min = std::min(spec.rows, spec.cols);
  const bool sweep = lines && !lines_stalled && opts.transfer_by_sweep;
  const long breakeven = sweep ? std::max(16L, lines_min / 8) : lines_min;
  if (!has_transfer && direct_inputs + row_volts.cols() >= breakeven) {
    auto t0 = std::chrono::steady_clock::now();
    form_transfer();
    stats.program_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const bool want_nodes = o.node_voltages;
  Eigen::VectorXd node_v;  // general network: node voltages of the first input
  detail::Grid& w = w_grid;  // line form: the same (kept: no fresh pages per input)
  detail::Grid& b = b_grid;
  stats.last_cg_iterations = 0;
  if (has_transfer) {
    s.column_amp.resize(T.rows(), row_volts.cols());
    detail::multiply(T.data(), static_cast<int>(T.rows()), static_cast<int>(T.cols()), row_volts.data(),
                     static_cast<int>(row_volts.cols()), s.column_amp.data());
  } else {
    direct_inputs += row_volts.cols();
    s.column_amp.resize(spec.cols, row_volts.cols());
    for (Eigen::Index k = 0; k < row_volts.cols(); ++k) {
      Eigen::VectorXd v = row_volts.col(k);
      bool first = k == 0 && want_nodes;
      if (lines && !lines_stalled) {
        auto rep = lines->solve(v, opts.cg_tol_rel, opts.cg_max_iterations, w, b);
        stats.last_cg_iterations = std::max(stats.last_cg_iterations, rep.iterations);
        if (rep.converged) {
          s.column_amp.col(k) = lines->column_amp(w, b);
          if (first) {
            s.wordline_volt = w.matrix();
            s.bitline_volt = b.matrix();
          }
          continue;
        }
        // The iteration stalled: the factorization is exact, and the same array's other
        // inputs would stall too, so they go straight to it.
        lines_stalled = true;
      }
      if (lines) ++stats.direct_fallbacks;
      s.column_amp.col(k) = direct_column_amp(v, first ? &node_v : nullptr);
      if (first) detail::fill_node_maps(net, node_v, s);
    }
    return;
  }
  if (want_nodes) {  // T gives currents only: one more solve for the node voltages
    Eigen::VectorXd v = row_volts.col(0);
    if (lines && !lines_stalled && lines->solve(v, opts.cg_tol_rel, opts.cg_max_iterations, w, b).converged) {
      s.wordline_volt = w.matrix();
      s.bitline_volt = b.matrix();
    } else {
      direct_column_amp(v, &node_v);
      detail::fill_node_maps(net, node_v, s);
    }
  }
}

// Newton on the line form for one input: each step's Jacobian is the linear-cell matrix
// with every cell at its differential conductance dI/dV, solved by the line-form CG to a
// residual 1e-10 of the step's right-hand side (inexact Newton: the step's error shrinks
// with the residual). Starts from the chord solution. False if a line solve fails.
bool NativeEngine::Impl::line_newton(const Eigen::VectorXd& v, int& iterations) {
  auto& L = *lines;
  const int R = spec.rows, C = spec.cols;
  const double v0 = spec.device.v0_volt, am = spec.device.arg_max;
  iterations = 0;
  if (!L.set_cells(chord_siemens)) return false;
  if (!L.solve(v, opts.cg_tol_rel, opts.cg_max_iterations, w_grid, b_grid).converged) return false;
  const double vmax = std::max(v.cwiseAbs().maxCoeff(), 1e-300);
  detail::Grid g(R, C), cur(R, C);
  for (iterations = 1; iterations <= opts.newton_max_iterations; ++iterations) {
    for (int j = 0; j < C; ++j)
      for (int i = 0; i < R; ++i) {
        const double vd = w_grid(i, j) - b_grid(i, j);
        cur(i, j) = detail::sinh_amp(sinh_amp(i, j), vd, v0, am);
        g(i, j) = detail::sinh_siemens(sinh_amp(i, j), vd, v0, am);
      }
    L.wire_currents(v, w_grid, b_grid, fw, fb);  // residual F = wires + cells, negated
    fw = -(fw + cur);
    fb = cur - fb;
    if (L.driver_fixed()) fw.col(0).setZero();
    if (L.sense_fixed()) fb.row(R - 1).setZero();
    if (!L.set_cells(g)) return false;
    auto rep = L.solve_rhs(fw, fb, opts.newton_cg_tol_rel, opts.cg_max_iterations, dw, db);
    stats.last_cg_iterations = std::max(stats.last_cg_iterations, rep.iterations);
    if (!rep.converged) return false;
    const double step = std::max(dw.cwiseAbs().maxCoeff(), db.cwiseAbs().maxCoeff());
    if (!std::isfinite(step)) return false;
    const double scale = step > opts.newton_max_step_volt ? opts.newton_max_step_volt / step : 1.0;
    w_grid += scale * dw;
    b_grid += scale * db;
    if (step <= opts.newton_tol_volt * std::max(1.0, vmax)) return true;
  }
  return false;
}

void NativeEngine::Impl::solve_nonlinear(const Eigen::MatrixXd& row_volts, const SolveOptions& o,
                                         Solution& s) {
  const int R = spec.rows, C = spec.cols;
  s.column_amp.resize(C, row_volts.cols());
  stats.last_newton_iterations = 0;
  stats.last_cg_iterations = 0;
  for (Eigen::Index k = 0; k < row_volts.cols(); ++k) {
    Eigen::VectorXd v = row_volts.col(k);
    const bool first = k == 0 && o.node_voltages;
    int it = 0;
    if (lines && !lines_stalled) {
      if (line_newton(v, it)) {
        stats.last_newton_iterations = std::max(stats.last_newton_iterations, it);
        auto out = s.column_amp.col(k);
        if (!lines->sense_fixed()) {
          out = lines->sense_siemens() * b_grid.row(R - 1).transpose();
        } else {  // into the held sense node: the last row's cells and the wire above
          for (int j = 0; j < C; ++j)
            out[j] = detail::sinh_amp(sinh_amp(R - 1, j), w_grid(R - 1, j), spec.device.v0_volt,
                                      spec.device.arg_max) +
                     (R > 1 ? lines->bitline_siemens() * b_grid(R - 2, j) : 0.0);
        }
        if (first) {
          s.wordline_volt = w_grid;
          s.bitline_volt = b_grid;
        }
        continue;
      }
      lines_stalled = true;  // the array's later inputs go straight to the general network
    }
    if (lines) ++stats.direct_fallbacks;
    prepare_sparse_newton();
    Eigen::VectorXd x = (v.cwiseAbs().maxCoeff() == 0) ? Eigen::VectorXd::Zero(n) : newton(v, it);
    stats.last_newton_iterations = std::max(stats.last_newton_iterations, it);
    Eigen::VectorXd nv = node_volts(net, free_of_node, x, v);
    s.column_amp.col(k) = Cm * x + Dm * v + device_currents_into_columns(nv);
    if (first) detail::fill_node_maps(net, nv, s);
  }
}

Solution NativeEngine::solve(const Eigen::MatrixXd& row_volts, const SolveOptions& opts) {
  Impl& m = *impl_;
  detail::check_inputs("native", m.programmed, m.spec.rows, row_volts);
  Solution s;
  if (m.linear) m.solve_linear(row_volts, opts, s);
  else m.solve_nonlinear(row_volts, opts, s);
  return s;
}

const Eigen::MatrixXd& NativeEngine::transfer() {
  if (!impl_->programmed || !impl_->linear)
    throw InputError("native engine: the transfer matrix exists only for programmed linear cells");
  if (!impl_->has_transfer) {
    auto t0 = std::chrono::steady_clock::now();
    impl_->form_transfer();
    impl_->stats.program_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return impl_->T;
}

const NativeStats& NativeEngine::stats() const { return impl_->stats; }

}  // namespace rramsim::circuit
