#pragma once
// ROS2 (Verwer et al. 1999): a two-stage, L-stable Rosenbrock method of order 2 with an
// embedded order-1 solution for step control, for small stiff systems (2 states here).
#include <algorithm>
#include <array>
#include <cmath>

namespace rramsim::device {

struct Rosenbrock2 {
  using Vec = std::array<double, 2>;
  using Mat = std::array<std::array<double, 2>, 2>;
  double abs_tol0, abs_tol1, rel_tol;

  // On success advances x and t and proposes the next dt; on failure shrinks dt.
  template <class Rhs, class Jac>
  bool try_step(Rhs&& rhs, Jac&& jac, Vec& x, double& t, double& dt) const {
    constexpr double gamma = 1.0 + 1.0 / 1.4142135623730951;
    Mat j;
    Vec dfdt, f0, f1, k1, k2, x1;
    rhs(x, f0, t);
    jac(x, j, t, dfdt);
    // W = I - gamma dt J, solved directly (2x2).
    double a = 1 - gamma * dt * j[0][0], b = -gamma * dt * j[0][1];
    double c = -gamma * dt * j[1][0], d = 1 - gamma * dt * j[1][1];
    double det = a * d - b * c;
    if (!std::isfinite(det) || det == 0) {
      dt *= 0.25;
      return false;
    }
    auto solve = [&](const Vec& r) { return Vec{(d * r[0] - b * r[1]) / det, (a * r[1] - c * r[0]) / det}; };
    Vec r1{f0[0] + gamma * dt * dfdt[0], f0[1] + gamma * dt * dfdt[1]};
    k1 = solve(r1);
    for (int i = 0; i < 2; ++i) x1[i] = x[i] + dt * k1[i];
    rhs(x1, f1, t + dt);
    Vec r2{f1[0] - 2 * k1[0] - gamma * dt * dfdt[0], f1[1] - 2 * k1[1] - gamma * dt * dfdt[1]};
    k2 = solve(r2);
    Vec xn, err;
    for (int i = 0; i < 2; ++i) {
      xn[i] = x[i] + 1.5 * dt * k1[i] + 0.5 * dt * k2[i];
      err[i] = xn[i] - x1[i];  // order 2 minus order 1
    }
    double e = 0;
    double atol[2] = {abs_tol0, abs_tol1};
    for (int i = 0; i < 2; ++i) {
      double sc = atol[i] + rel_tol * std::max(std::abs(x[i]), std::abs(xn[i]));
      e = std::max(e, std::abs(err[i]) / sc);
    }
    if (!std::isfinite(e)) {
      dt *= 0.25;
      return false;
    }
    double factor = std::clamp(0.8 / std::sqrt(std::max(e, 1e-10)), 0.2, 5.0);
    if (e > 1.0) {
      dt *= std::min(factor, 0.5);
      return false;
    }
    x = xn;
    t += dt;
    dt *= factor;
    return true;
  }
};

}  // namespace rramsim::device
