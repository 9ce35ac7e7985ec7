// Builds the crossbar's circuit graph: terminals, zero-ohm merging, elements.
#include "rramsim/circuit/network.hpp"

#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "rramsim/device/model.hpp"

namespace rramsim::circuit {
namespace {

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(int n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(int a, int b) {
    a = find(a), b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);  // keep the lowest terminal as root
  }
};

double rram_siemens(const CrossbarSpec& spec, const CellArray& cells, int i, int j) {
  if (cells.gap_m.size() > 0)
    return device::current_amp(spec.device, spec.read_volt, cells.gap_m(i, j)) / spec.read_volt;
  return cells.siemens(i, j);
}

}  // namespace

Eigen::MatrixXd cell_siemens(const CrossbarSpec& spec, const CellArray& cells) {
  Eigen::MatrixXd g(spec.rows, spec.cols);
  for (int j = 0; j < spec.cols; ++j)
    for (int i = 0; i < spec.rows; ++i) {
      double s = rram_siemens(spec, cells, i, j);
      if (spec.cell == CellType::one_t_one_r) s = s / (1.0 + s * spec.access_on_ohm);
      g(i, j) = s;
    }
  return g;
}

Eigen::MatrixXd cell_sinh_prefactor_amp(const CrossbarSpec& spec, const CellArray& cells) {
  const double v0 = spec.device.v0_volt;
  Eigen::MatrixXd a(spec.rows, spec.cols);
  for (int j = 0; j < spec.cols; ++j)
    for (int i = 0; i < spec.rows; ++i) {
      if (cells.gap_m.size() > 0)
        a(i, j) = device::current_amp(spec.device, v0, cells.gap_m(i, j)) / std::sinh(1.0);
      else  // the sinh curve through the target conductance at read_volt
        a(i, j) = cells.siemens(i, j) * spec.read_volt / std::sinh(spec.read_volt / v0);
    }
  return a;
}

Network build_network(const CrossbarSpec& spec, const CellArray& cells) {
  validate(spec, cells);
  const int R = spec.rows, C = spec.cols, RC = R * C;
  const bool nonlinear = !spec.linear_cells;
  const bool mid = nonlinear && spec.cell == CellType::one_t_one_r && spec.access_on_ohm > 0;
  auto W = [&](int i, int j) { return i * C + j; };
  auto B = [&](int i, int j) { return RC + i * C + j; };
  auto M = [&](int i, int j) { return 2 * RC + i * C + j; };
  auto IN = [&](int i) { return 3 * RC + i; };
  auto S = [&](int j) { return 3 * RC + R + j; };
  const int T = 3 * RC + R + C;

  struct TermRes { int a, b; double siemens; };
  struct TermSinh { int a, b; double amp; };
  std::vector<TermRes> res;
  std::vector<TermSinh> sinh;
  UnionFind uf(T);
  auto add_ohm = [&](int a, int b, double ohm) {
    if (ohm == 0) uf.unite(a, b);
    else if (std::isfinite(ohm)) res.push_back({a, b, 1.0 / ohm});
  };
  res.reserve(4 * static_cast<size_t>(RC));
  for (int i = 0; i < R; ++i) {
    add_ohm(IN(i), W(i, 0), spec.driver_ohm);
    for (int j = 0; j + 1 < C; ++j) add_ohm(W(i, j), W(i, j + 1), spec.wordline_wire_ohm);
  }
  for (int j = 0; j < C; ++j) {
    for (int i = 0; i + 1 < R; ++i) add_ohm(B(i, j), B(i + 1, j), spec.bitline_wire_ohm);
    add_ohm(B(R - 1, j), S(j), spec.sense_ohm);
  }
  if (nonlinear) {
    Eigen::MatrixXd a = cell_sinh_prefactor_amp(spec, cells);
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < C; ++j) {
        int top = W(i, j);
        if (mid) {
          add_ohm(W(i, j), M(i, j), spec.access_on_ohm);
          top = M(i, j);
        } else if (spec.cell == CellType::one_t_one_r) {
          top = W(i, j);  // access_on_ohm == 0: the transistor is a short
        }
        if (a(i, j) > 0) sinh.push_back({top, B(i, j), a(i, j)});
      }
  } else {
    Eigen::MatrixXd g = cell_siemens(spec, cells);
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < C; ++j)
        if (g(i, j) > 0) res.push_back({W(i, j), B(i, j), g(i, j)});
  }

  // Number the merged nodes; M terminals exist only for nonlinear 1T1R with access_on_ohm.
  Network net;
  net.rows = R;
  net.cols = C;
  net.v0_volt = spec.device.v0_volt;
  net.sinh_arg_max = spec.device.arg_max;
  std::vector<int> node_of_root(T, -1);
  auto term_name = [&](int t) -> std::string {
    if (t < RC) return fmt::format("w{}_{}", t / C, t % C);
    if (t < 2 * RC) return fmt::format("b{}_{}", (t - RC) / C, (t - RC) % C);
    if (t < 3 * RC) return fmt::format("m{}_{}", (t - 2 * RC) / C, (t - 2 * RC) % C);
    if (t < 3 * RC + R) return fmt::format("in{}", t - 3 * RC);
    return fmt::format("s{}", t - 3 * RC - R);
  };
  auto node = [&](int t) {
    int r = uf.find(t);
    if (node_of_root[r] < 0) {
      node_of_root[r] = net.nodes++;
      net.fixed_row.push_back(-1);
      net.grounded.push_back(0);
      net.node_name.push_back(term_name(r));
    }
    return node_of_root[r];
  };
  for (int i = 0; i < R; ++i) {
    int n = node(IN(i));
    net.fixed_row[n] = i;
    net.node_name[n] = fmt::format("in{}", i);
    net.input_node.push_back(n);
  }
  for (int j = 0; j < C; ++j) {
    int n = node(S(j));
    net.grounded[n] = 1;
    net.node_name[n] = fmt::format("s{}", j);
    net.sense_node.push_back(n);
  }
  net.wl_node.resize(RC);
  net.bl_node.resize(RC);
  // Word lines row by row, then bit lines column by column: each line's nodes are
  // consecutive, so the line-block preconditioner of the native engine is tridiagonal.
  for (int t = 0; t < RC; ++t) net.wl_node[t] = node(t);
  for (int j = 0; j < C; ++j)
    for (int i = 0; i < R; ++i) net.bl_node[i * C + j] = node(RC + i * C + j);
  for (const auto& r : res) {
    int a = node(r.a), b = node(r.b);
    if (a != b) net.resistors.push_back({a, b, r.siemens});
  }
  for (const auto& s : sinh) {
    int a = node(s.a), b = node(s.b);
    if (a != b) net.sinh_cells.push_back({a, b, s.amp});
  }
  return net;
}

std::string floating_node(const Network& net) {
  UnionFind uf(net.nodes + 1);  // node `nodes` stands for "held at a known voltage"
  for (int n = 0; n < net.nodes; ++n)
    if (net.fixed(n)) uf.unite(n, net.nodes);
  for (const auto& r : net.resistors) uf.unite(r.a, r.b);
  for (const auto& c : net.sinh_cells) uf.unite(c.a, c.b);
  int anchor = uf.find(net.nodes);
  for (int n = 0; n < net.nodes; ++n)
    if (uf.find(n) != anchor) return net.node_name[n];
  return "";
}

Eigen::VectorXd node_volts(const Network& net, const std::vector<int>& free_of_node,
                           const Eigen::VectorXd& x, const Eigen::VectorXd& row_volt) {
  Eigen::VectorXd v(net.nodes);
  for (int n = 0; n < net.nodes; ++n)
    v[n] = free_of_node[n] >= 0 ? x[free_of_node[n]]
           : net.fixed_row[n] >= 0 ? row_volt[net.fixed_row[n]] : 0.0;
  return v;
}

}  // namespace rramsim::circuit
