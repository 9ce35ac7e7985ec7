#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>

#include "rramsim/common/error.hpp"
#include "rramsim/device/model.hpp"
#include "rramsim/device/params.hpp"
#include "support.hpp"

using namespace rramsim;
using namespace rramsim::device;

TEST_CASE("model: Stanford defaults give LRS 540 ohm and HRS 218.6 kohm at 0.1 V") {
  Params p = preset("stanford-pku");
  CHECK(1.0 / read_siemens(p, p.gap_min_m) == Approx(540.0).epsilon(0.01));
  CHECK(1.0 / read_siemens(p, p.gap_max_m) == Approx(218.6e3).epsilon(0.01));
  Params a = preset("asu");
  CHECK(1.0 / read_siemens(a, a.gap_min_m) == Approx(10e3).epsilon(0.05));
  CHECK(1.0 / read_siemens(a, a.gap_max_m) == Approx(3.4e6).epsilon(0.05));
}

TEST_CASE("model: I(0) = 0 and I is odd in V at fixed gap") {
  for (const auto& name : preset_names()) {
    Params p = preset(name);
    for (double g : {p.gap_min_m, 0.5 * (p.gap_min_m + p.gap_max_m), p.gap_max_m}) {
      CHECK(current_amp(p, 0.0, g) == 0.0);
      for (double v : {0.05, 0.3, 1.0, 2.0, 50.0}) {
        double ip = current_amp(p, v, g);
        CHECK(ip > 0);
        CHECK(current_amp(p, -v, g) == -ip);
      }
    }
  }
}

TEST_CASE("model: gap_for_siemens inverts read_siemens, every function is finite") {
  Params p = preset("stanford-pku");
  for (double g = p.gap_min_m; g <= p.gap_max_m; g += 0.1e-9)
    CHECK(gap_for_siemens(p, read_siemens(p, g)) == Approx(g).epsilon(1e-9));
  CHECK(gap_for_siemens(p, 1e3) == p.gap_min_m);
  CHECK(gap_for_siemens(p, 1e-30) == p.gap_max_m);
  for (double v : {-1e6, -2.0, 0.0, 2.0, 1e6})
    for (double t : {0.0, 300.0, 1e9}) {
      CHECK(std::isfinite(gap_velocity_m_per_s(p, v, 1e-9, t)));
      CHECK(std::isfinite(current_amp(p, v, 1e-9)));
      CHECK(temperature_k(p, v, current_amp(p, v, 1e-9)) <= p.t_max_k);
    }
  // Set (positive V) shrinks the gap, reset grows it; below F_min nothing moves.
  CHECK(gap_velocity_m_per_s(p, 2.0, 1.0e-9, 400) < 0);
  CHECK(gap_velocity_m_per_s(p, -2.0, 1.0e-9, 400) > 0);
  CHECK(std::abs(gap_velocity_m_per_s(p, 0.5, 1.0e-9, 300)) < 1e-20);
  // The confined velocity is exactly zero at a bound when pushing outwards.
  CHECK(confined_gap_velocity_m_per_s(p, 2.0, p.gap_min_m, 400) == 0.0);
  CHECK(confined_gap_velocity_m_per_s(p, -2.0, p.gap_max_m, 400) == 0.0);
}

TEST_CASE("params: presets by name, TOML overrides, unknown names and bad values are errors") {
  CHECK_THROWS_WITH(preset("nope"), Catch::Contains("unknown device parameter set 'nope'") &&
                                        Catch::Contains("stanford-pku"));
  CHECK_THROWS_AS(params_from_spec("nope"), InputError);
  Params p = preset("stanford-pku");
  p.tox_m = -1e-9;
  CHECK_THROWS_WITH(validate(p), Catch::Contains("tox_m"));
  p = preset("stanford-pku");
  p.gap_min_m = 2e-9;
  CHECK_THROWS_WITH(validate(p), Catch::Contains("gap_min_m"));
  p = preset("stanford-pku");
  p.i0_amp = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(validate(p), Catch::Contains("i0_amp") && Catch::Contains("finite"));

  auto dir = test::temp_dir("params");
  std::ofstream(dir / "ok.toml") << "base = \"asu\"\ntox_m = 6e-9\nthermal = \"quasi_static\"\n";
  Params q = load_params(dir / "ok.toml");
  CHECK(q.tox_m == 6e-9);
  CHECK(q.i0_amp == preset("asu").i0_amp);
  CHECK(q.thermal == ThermalModel::quasi_static);
  std::ofstream(dir / "typo.toml") << "tox = 6e-9\n";
  CHECK_THROWS_WITH(load_params(dir / "typo.toml"), Catch::Contains("tox"));
  std::ofstream(dir / "neg.toml") << "tox_m = -6e-9\n";
  CHECK_THROWS_WITH(load_params(dir / "neg.toml"), Catch::Contains("tox_m"));
  std::ofstream(dir / "nan.toml") << "g0_m = nan\n";
  CHECK_THROWS_WITH(load_params(dir / "nan.toml"), Catch::Contains("g0_m"));
  Params shipped = load_params(std::filesystem::path(RRAMSIM_SOURCE_DIR) / "data/device/stanford-thin-oxide.toml");
  CHECK(shipped.tox_m == 10e-9);
  std::ofstream(dir / "order.toml") << "gap_min_m = 1.8e-9\n";
  CHECK_THROWS_WITH(load_params(dir / "order.toml"), Catch::Contains("gap_min_m"));
}
