// Regression cases from the reliability review (issue 13): hangs on unphysical inputs,
// outputs that would overwrite inputs, output folders checked before the work.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "support.hpp"

using namespace rramsim;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

TEST_CASE("reliability: unphysical sweeps and parameters are refused at once, not integrated for minutes") {
  auto dir = test::temp_dir("rel-hang");
  const std::string out = " --out " + (dir / "o.h5").string();
  for (const char* flag : {"--vmax 1e300", "--period 1e300", "--vmin 1e300", "--period 1e-300"}) {
    auto r = test::run_rramsim(std::string("device iv ") + flag + out);
    INFO(flag << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("device iv: --") != std::string::npos);
  }
  for (const char* field : {"tox_m = 1e-300", "vel0_m_per_s = 1e300", "gamma0 = 1e300", "tox_m = 1e300"}) {
    write_file(dir / "p.toml", field);
    auto r = test::run_rramsim("device iv --params " + (dir / "p.toml").string() + out);
    INFO(field << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("out of range") != std::string::npos);
    CHECK(r.err.find("p.toml") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir / "o.h5"));
}

TEST_CASE("reliability: an output that is one of the inputs is refused and the input is untouched") {
  auto dir = test::temp_dir("rel-inout");
  write_file(dir / "p.toml", "i0_amp = 1e-3\n");
  write_file(dir / "in.txt", "0.1 0 0.1 0\n");
  const auto p = (dir / "p.toml").string(), in = (dir / "in.txt").string();
  for (const std::string& cmd :
       {"device iv --params " + p + " --out " + p, "device program --devices 2 --params " + p + " --out " + p,
        "crossbar solve --rows 4 --cols 4 --inputs " + in + " --out " + in,
        "crossbar solve --rows 4 --cols 4 --inputs " + in + " --out " + dir.string() + "/./in.txt"}) {
    auto r = test::run_rramsim(cmd);
    INFO(cmd << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("refusing to overwrite") != std::string::npos);
  }
  std::ifstream a(p), b(in);
  std::string ta((std::istreambuf_iterator<char>(a)), {}), tb((std::istreambuf_iterator<char>(b)), {});
  CHECK(ta == "i0_amp = 1e-3\n");
  CHECK(tb == "0.1 0 0.1 0\n");
}

TEST_CASE("reliability: a missing output folder is refused before the work starts") {
  auto dir = test::temp_dir("rel-outdir");
  for (const std::string& cmd :
       {"device program --devices 100000 --out " + dir.string() + "/missing/o.h5",
        "crossbar solve --rows 512 --cols 512 --engine ngspice --out " + dir.string() + "/missing/o.h5",
        "device iv --out " + dir.string() + "/o.h5 --plot " + dir.string() + "/missing/o.png"}) {
    auto r = test::run_rramsim(cmd);
    INFO(cmd << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("does not exist") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir / "o.h5"));
}

TEST_CASE("reliability: train refuses a non-finite learning rate and an output equal to its network file") {
  auto dir = test::temp_dir("rel-train");
  auto r = test::run_rramsim("train --lr inf --epochs 1 --out " + (dir / "w.h5").string());
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--lr") != std::string::npos);
  fs::copy_file(fs::path(RRAMSIM_SOURCE_DIR) / "data/networks/lenet5.toml", dir / "n.toml");
  auto n = (dir / "n.toml").string();
  r = test::run_rramsim("train --network " + n + " --epochs 1 --out " + n);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("refusing to overwrite") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "w.h5"));
}

TEST_CASE("reliability: hardware sizes that would overflow are refused with the file and key") {
  auto dir = test::temp_dir("rel-hw");
  std::ifstream in(fs::path(RRAMSIM_SOURCE_DIR) / "data/hardware/isaac.toml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto set = [&](const std::string& key, const std::string& value) {
    auto at = text.find(key + " = ");
    REQUIRE(at != std::string::npos);
    text.replace(at, text.find('\n', at) - at, key + " = " + value);
  };
  set("imas_per_tile", "65536");
  set("tiles_per_chip", "1048576");
  write_file(dir / "big.toml", text);
  auto r = test::run_rramsim("evaluate --arch " + (dir / "big.toml").string() + " --network lenet5 --synthetic");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("crossbars per chip") != std::string::npos);
  CHECK(r.err.find("big.toml") != std::string::npos);
}
