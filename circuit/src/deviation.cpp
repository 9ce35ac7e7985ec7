#include "rramsim/circuit/deviation.hpp"

#include <algorithm>

#include "rramsim/common/error.hpp"

namespace rramsim::circuit {

Eigen::MatrixXd relative_deviation(const Eigen::MatrixXd& value, const Eigen::MatrixXd& ref,
                                   double floor_rel) {
  if (value.rows() != ref.rows() || value.cols() != ref.cols())
    throw InputError("relative_deviation: shapes differ");
  if (ref.size() == 0) return Eigen::MatrixXd(value.rows(), value.cols());
  double floor = std::max(floor_rel * ref.cwiseAbs().maxCoeff(), 1e-300);
  return (value - ref).cwiseAbs().cwiseQuotient(ref.cwiseAbs().cwiseMax(floor));
}

double max_relative_deviation(const Eigen::MatrixXd& value, const Eigen::MatrixXd& ref,
                              double floor_rel) {
  if (value.size() == 0) return 0.0;
  return relative_deviation(value, ref, floor_rel).maxCoeff();
}

}  // namespace rramsim::circuit
