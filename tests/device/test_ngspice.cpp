#include <catch2/catch.hpp>

#include "rramsim/device/ngspice_session.hpp"

using namespace rramsim::device;

TEST_CASE("ngspice: a divider's operating point, errors carry ngspice's message, next run works") {
  auto& s = NgspiceSession::instance();
  std::vector<std::string> divider = {"* divider", "V1 in 0 1", "R1 in out 1k", "R2 out 0 3k"};
  auto v = s.run(divider, "op", {"v(out)"});
  REQUIRE(v.count("v(out)"));
  CHECK(v["v(out)"][0] == Approx(0.75).epsilon(1e-9));

  std::vector<std::string> bad = {"* bad", "V1 in 0 1", "R1 in out", "Q9 a b"};
  CHECK_THROWS_AS(s.run(bad, "op"), NgspiceError);
  // A missing model is reported with ngspice's own words.
  std::vector<std::string> nomodel = {"* nomodel", "V1 in 0 1", "D1 in 0 nosuchmodel"};
  CHECK_THROWS_WITH(s.run(nomodel, "op"), Catch::Contains("nosuchmodel"));
  // ngspice's own "quit" (a controlled exit) is survived too.
  CHECK_THROWS_AS(s.run(divider, "quit"), NgspiceError);

  auto again = s.run(divider, "op", {"v(out)"});
  CHECK(again["v(out)"][0] == Approx(0.75).epsilon(1e-9));

  // Transient with a B-source: all vectors when none are named.
  std::vector<std::string> rc = {"* rc", "V1 in 0 PWL(0 0 1u 1)", "R1 in out 1k", "C1 out 0 1n",
                                 "B1 b 0 V=2*V(out)", "R3 b 0 1k"};
  auto t = s.run(rc, "tran 10n 5u");
  REQUIRE(t.count("time"));
  REQUIRE(t.count("b"));
  CHECK(t["b"].back() == Approx(2 * t["out"].back()).epsilon(1e-6));
  CHECK(!s.version().empty());
}
