#pragma once
// The crossbar network (network.hpp) as a SPICE netlist for ngspice .op, one input vector.
//   vin<i>   in<i> 0 dc v_i          row drivers
//   vsense<j> s<j> 0 dc 0             column sense (virtual ground); i(vsense<j>) = column current
//   r<k>     resistors (wires, driver, sense, linear cells, access transistors)
//   b<k>     nonlinear cells: i = A*sinh(v(a,b)/V0), argument bounded as in the native engine
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "rramsim/circuit/network.hpp"

namespace rramsim::circuit {

std::vector<std::string> spice_netlist(const Network& net, const Eigen::VectorXd& row_volt);

// Name of column j's sense current vector in ngspice's result ("vsense<j>#branch").
std::string sense_vector_name(int col);

}  // namespace rramsim::circuit
