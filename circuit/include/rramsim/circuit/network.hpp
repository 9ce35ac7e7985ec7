#pragma once
// The crossbar as a circuit graph, shared by the native and ngspice engines so both solve
// exactly the same netlist.
//
// Terminals: per cell (i, j) a word-line node W(i,j) and a bit-line node B(i,j) (and, for
// nonlinear 1T1R cells, the node M(i,j) between transistor and RRAM); per row the driver
// input IN(i) (held at the row voltage); per column the sense node S(j) (virtual ground).
// Elements:
//   IN(i) -driver_ohm- W(i,0) -wl- W(i,1) - ... - W(i,C-1)
//   B(0,j) -bl- B(1,j) - ... - B(R-1,j) -sense_ohm- S(j)
//   cell (i,j): W(i,j) -> B(i,j), through M(i,j) when nonlinear 1T1R.
// Zero-ohm elements merge their terminals into one node; infinite ones are left out.
// The column current is the current flowing into S(j).
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "rramsim/circuit/crossbar.hpp"

namespace rramsim::circuit {

struct Resistor {
  int a = 0, b = 0;    // nodes (after merging)
  double siemens = 0;
};

// Nonlinear cell: I(a->b) = prefactor_amp * sinh(V_ab / v0_volt), the argument bounded at
// +-sinh_arg_max as in the device model (never reached at read voltages).
struct SinhCell {
  int a = 0, b = 0;
  double prefactor_amp = 0;
};


struct Network {
  int rows = 0, cols = 0;
  int nodes = 0;
  double v0_volt = 0.25;                  // sinh voltage scale of nonlinear cells
  double sinh_arg_max = 60.0;             // the device model's bound (Params::arg_max)
  std::vector<int> input_node;            // per row: the node held at the row voltage
  std::vector<int> sense_node;            // per column: the virtual-ground node
  std::vector<int> fixed_row;             // per node: row index if an input node, -1 else
  std::vector<char> grounded;             // per node: 1 if a sense node (0 V)
  std::vector<std::string> node_name;     // SPICE-safe names
  std::vector<int> wl_node, bl_node;      // per cell, row-major (i * cols + j): W and B nodes
  std::vector<Resistor> resistors;
  std::vector<SinhCell> sinh_cells;

  bool fixed(int n) const { return fixed_row[n] >= 0 || grounded[n]; }
};

// Linear conductance of each cell at spec.read_volt as seen between W and B (for 1T1R,
// in series with access_on_ohm), rows x cols.
Eigen::MatrixXd cell_siemens(const CrossbarSpec& spec, const CellArray& cells);
// Prefactor of each RRAM element's sinh I-V, rows x cols (I = A sinh(V/V0)).
Eigen::MatrixXd cell_sinh_prefactor_amp(const CrossbarSpec& spec, const CellArray& cells);

// Validates, then builds the graph.
Network build_network(const CrossbarSpec& spec, const CellArray& cells);

// Name of a node with no conducting path to any driver or sense node (its voltage is
// undefined: the nodal matrix is singular), or "" if there is none.
std::string floating_node(const Network& net);

// Voltage of every node for one input, given the free-node solution (free_of_node[n] >= 0
// indexes x; fixed nodes take their row voltage or 0).
Eigen::VectorXd node_volts(const Network& net, const std::vector<int>& free_of_node,
                           const Eigen::VectorXd& x, const Eigen::VectorXd& row_volt);

}  // namespace rramsim::circuit
