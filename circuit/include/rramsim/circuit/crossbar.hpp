#pragma once
// A programmed crossbar: geometry, parasitics, cell type and the state of every cell.
#include <Eigen/Dense>
#include <string>

#include "rramsim/device/params.hpp"

namespace rramsim::circuit {

enum class CellType { passive_1r, one_t_one_r };

inline constexpr int kMaxLines = 512;  // largest supported rows or cols

struct CrossbarSpec {
  int rows = 128;
  int cols = 128;
  CellType cell = CellType::passive_1r;
  // Linear cells: each cell is its conductance at read_volt (an ohmic resistor).
  // Nonlinear: each cell follows the device's sinh I-V at its gap.
  bool linear_cells = true;
  // Resistances: 0 is a short (the nodes are merged), wires may be +inf (an open line).
  double wordline_wire_ohm = 1.0;   // per cell segment
  double bitline_wire_ohm = 1.0;    // per cell segment
  double driver_ohm = 0.0;          // source resistance of each row driver
  double sense_ohm = 0.0;           // input resistance of each column's virtual-ground sense node
  double read_volt = 0.1;           // the "1" level of binary inputs
  double access_on_ohm = 0.0;       // 1T1R: transistor on-resistance in series with the cell
  device::Params device;            // I-V of the cells (nonlinear) and conductance of gaps
};

// Cell states, rows x cols. Exactly one of the two is used: if `gap_m` is non-empty the
// cells are at those gaps; otherwise `siemens` gives each cell's conductance at read_volt.
struct CellArray {
  Eigen::MatrixXd gap_m;
  Eigen::MatrixXd siemens;
};

// 1T1R cells: `siemens` and `gap_m` describe the RRAM element; the access transistor (on,
// in deep triode at read voltages) is the series resistor access_on_ohm.

// Throws InputError for 0 rows, more than 512 rows or columns, negative or NaN
// resistances, or a cell array of the wrong shape.
void validate(const CrossbarSpec& spec, const CellArray& cells);

}  // namespace rramsim::circuit
