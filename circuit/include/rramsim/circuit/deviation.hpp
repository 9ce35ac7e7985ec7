#pragma once
// Relative deviation of column currents from a reference (ideal or ngspice).
#include <Eigen/Dense>

namespace rramsim::circuit {

// |value - ref| / |ref| element by element. Where |ref| is below floor_rel * max|ref|
// (a column with almost no current) that floor is the denominator, so an idle column
// never produces an infinite deviation.
Eigen::MatrixXd relative_deviation(const Eigen::MatrixXd& value, const Eigen::MatrixXd& ref,
                                   double floor_rel = 1e-9);
double max_relative_deviation(const Eigen::MatrixXd& value, const Eigen::MatrixXd& ref,
                              double floor_rel = 1e-9);

}  // namespace rramsim::circuit
