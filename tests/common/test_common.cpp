#include <catch2/catch.hpp>

#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/config.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "support.hpp"

#include <fstream>

using namespace rramsim;

TEST_CASE("config: typed getters, ranges and unknown keys name file, line and key") {
  auto doc = ConfigDoc::from_string("a = 1.5\n[xb]\nrows = 128\nname = \"x\"\nbad = -1\nextra = 2\n", "t.toml");
  Config c = doc.root();
  CHECK(c.number("a", 0) == 1.5);
  Config xb = c.table("xb");
  CHECK(xb.integer("rows", 0, {.min = 1}) == 128);
  CHECK_THROWS_WITH(xb.integer("name", 0), Catch::Contains("t.toml:4: xb.name: expected an integer"));
  CHECK_THROWS_WITH(xb.number("bad", 0, {.min = 0}), Catch::Contains("xb.bad: value -1 is out of range"));
  CHECK_THROWS_WITH(doc.reject_unknown_keys(), Catch::Contains("unknown key"));
  CHECK_THROWS_AS(ConfigDoc::from_string("a = = 1", "s.toml"), InputError);
}

TEST_CASE("config: arrays of tables are checked element by element") {
  auto doc = ConfigDoc::from_string("[[layer]]\nname = \"a\"\n[[layer]]\nname = \"b\"\ntypo = 1\n", "n.toml");
  auto layers = doc.root().tables("layer");
  REQUIRE(layers.size() == 2);
  CHECK(layers[0].string("name", "") == "a");
  CHECK(layers[1].string("name", "") == "b");
  CHECK_THROWS_WITH(doc.reject_unknown_keys(), Catch::Contains("n.toml:5: unknown key 'layer[1].typo'"));
}

TEST_CASE("h5: round trip of datasets and attributes, foreign files are refused") {
  auto dir = test::temp_dir("h5");
  auto p = dir / "x.h5";
  {
    auto f = h5::File::create(p);
    auto g = f.create_group("g");
    std::vector<double> v(10000);
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.5 * i;
    g.write("v", v, {100, 100}).attr("units", "A");
    g.attr("n", int64_t{7});
    g.write_strings("names", {"a", "bc"});
  }
  auto f = h5::File::open(p);
  auto g = f.group("g");
  CHECK(g.attr_int("n") == 7);
  auto d = g.dataset("v");
  CHECK(d.attr_string("units") == "A");
  CHECK(d.dims() == h5::Dims{100, 100});
  CHECK(d.read_doubles()[9999] == Approx(4999.5));
  CHECK(g.read_strings("names")[1] == "bc");
  std::ofstream(dir / "not.h5") << "hello";
  CHECK_THROWS_WITH(h5::File::open(dir / "not.h5"), Catch::Contains("not an HDF5 file"));
}

TEST_CASE("atomic output: nothing appears under the final name unless committed") {
  auto dir = test::temp_dir("atomic");
  {
    AtomicOutput out(dir / "a.txt");
    std::ofstream(out.tmp_path()) << "x";
  }
  CHECK(!std::filesystem::exists(dir / "a.txt"));
  CHECK(std::filesystem::is_empty(dir));
  {
    AtomicOutput out(dir / "b.txt");
    std::ofstream(out.tmp_path()) << "x";
    out.commit();
  }
  CHECK(std::filesystem::exists(dir / "b.txt"));
}

TEST_CASE("cli: unknown subcommand is a non-zero exit and --help is zero") {
  CHECK(test::run_rramsim("--help").exit_code == 0);
  CHECK(test::run_rramsim("no-such-command").exit_code != 0);
}
