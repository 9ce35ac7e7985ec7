// The output-file contract (provenance, units and axes, checksums) and readers that do not
// trust the file: every malformed input is an InputError naming file, object and attribute.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <hdf5_hl.h>
#include <sys/stat.h>

#include <fstream>

#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "rramsim/common/paths.hpp"
#include "rramsim/common/provenance.hpp"
#include "support.hpp"

using namespace rramsim;
namespace fs = std::filesystem;

TEST_CASE("h5: write with units and axes attaches dimension scales and reads back shape-checked") {
  auto p = test::temp_dir("h5-info") / "x.h5";
  {
    auto f = h5::File::create(p);
    auto g = f.create_group("g");
    g.write_axis("wire_ohm", std::vector<double>{0.5, 1.0}, "wire", "ohm");
    g.write("amp", std::vector<double>{1, 2, 3, 4, 5, 6}, {"A", {"wire", "column"}, {2, 3}});
    Eigen::MatrixXd m(2, 3);
    m << 1, 2, 3, 4, 5, 6;
    g.write("m", m, {"S", {"wire", "column"}});
    g.write("names", std::vector<std::string>{"a", "b"}, {"name", {"wire"}});
  }
  auto f = h5::File::open(p);
  auto g = f.group("g");
  auto amp = g.dataset("amp");
  CHECK(amp.attr_string("units") == "A");
  CHECK(amp.attr_string("axes") == "wire, column");
  auto wire = g.dataset("wire_ohm");
  CHECK(H5DSis_scale(wire.id()) > 0);
  CHECK(H5DSis_attached(amp.id(), wire.id(), 0) > 0);
  CHECK(g.dataset("m").read_doubles({2, 3}) == std::vector<double>{1, 2, 3, 4, 5, 6});  // row-major
  CHECK_THROWS_WITH(amp.read_doubles({3, 2}), Catch::Contains("x.h5:/g/amp has shape 2 x 3, expected 3 x 2"));
  CHECK(g.read_strings("names", {2}) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("h5: array, string and oversized attributes are refused when a scalar is read") {
  auto p = test::temp_dir("h5-attr") / "x.h5";
  {
    auto f = h5::File::create(p);
    f.attr("schema_version", std::vector<double>(4096, 1.0));
    f.attr("name", "text");
    f.attr("pi", 3.5);
  }
  auto f = h5::File::open(p);
  CHECK_THROWS_WITH(f.attr_int("schema_version"),
                    Catch::Contains("attribute 'schema_version' of ") && Catch::Contains("x.h5:/") &&
                        Catch::Contains("holds 4096 values, expected one"));
  CHECK_THROWS_WITH(f.attr_double("name"), Catch::Contains("attribute 'name'") && Catch::Contains("is not a number"));
  CHECK_THROWS_WITH(f.attr_string("pi"), Catch::Contains("attribute 'pi'") && Catch::Contains("is not a string"));
  CHECK_THROWS_WITH(f.attr_int("pi"), Catch::Contains("is not an integer"));
  CHECK_THROWS_AS(f.attr_int("absent"), InputError);
}

TEST_CASE("h5: a dataset declaring 2^40 elements is refused before allocating") {
  auto p = test::temp_dir("h5-huge") / "x.h5";
  {
    auto f = h5::File::create(p);
    hsize_t dims[1] = {hsize_t{1} << 40}, chunk[1] = {1024};
    hid_t sp = H5Screate_simple(1, dims, nullptr), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, chunk);
    hid_t d = H5Dcreate2(f.id(), "huge", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    REQUIRE(d >= 0);
    H5Dclose(d), H5Pclose(dcpl), H5Sclose(sp);
  }
  auto f = h5::File::open(p);
  CHECK_THROWS_WITH(f.dataset("huge").read_doubles(), Catch::Contains("x.h5:/huge declares 1099511627776 elements"));
}

TEST_CASE("h5: changed data fail their checksum, changed attributes fail the content checksum") {
  auto p = test::temp_dir("h5-sum") / "x.h5";
  {
    auto f = h5::File::create(p);
    f.write("small", std::vector<double>{1, 2, 3});
    f.write("big", std::vector<double>(10000, 2.0));
    f.attr("note", "original");
    f.seal();
  }
  {
    auto f = h5::File::open(p);
    CHECK(f.verify_seal());
    CHECK_NOTHROW(f.verify_all());
  }
  {  // behind the checksum's back, as a bit flip would
    auto f = h5::File::open(p, true);
    double v[3] = {1, 2, 4};
    H5Dwrite(f.dataset("small").id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    f.attr("note", "changed");
  }
  auto f = h5::File::open(p);
  CHECK_THROWS_WITH(f.dataset("small").read_doubles(), Catch::Contains("x.h5:/small: checksum mismatch"));
  CHECK(f.dataset("big").read_doubles().size() == 10000);
  CHECK_THROWS_WITH(f.verify_seal(), Catch::Contains("x.h5 is corrupt"));
}

TEST_CASE("provenance: one writer and reader for every kind; foreign kinds and versions are refused") {
  auto dir = test::temp_dir("prov");
  {
    auto f = h5::File::create(dir / "a.h5");
    f.write("v", std::vector<double>{1}, {"1", {"x"}});
    write_provenance(f, {.rramsim_kind = "device.iv", .schema_version = 3, .config_text = "a = 1\n"});
  }
  auto f = h5::File::open(dir / "a.h5");
  Provenance p = read_provenance(f);
  CHECK(p.rramsim_kind == "device.iv");
  CHECK(p.schema_version == 3);
  CHECK(p.tool_version == tool_version());
  CHECK(p.config_text == "a = 1\n");
  CHECK(!p.created_utc.empty());
  CHECK(p.command_line.find("test_common") != std::string::npos);
  CHECK(check_kind(f, "device.iv", {2, 3}) == 3);
  CHECK_THROWS_WITH(check_kind(f, "calibration", {2}), Catch::Contains("a.h5 is not a rramsim calibration file"));
  CHECK_THROWS_WITH(check_kind(f, "device.iv", {1}),
                    Catch::Contains("a.h5 has schema version 3") && Catch::Contains("reads version 1"));
  { h5::File::create(dir / "b.h5"); }
  CHECK_THROWS_WITH(read_provenance(h5::File::open(dir / "b.h5")), Catch::Contains("b.h5 is not a rramsim output file"));
}

TEST_CASE("paths: directories, FIFOs and missing files are refused as inputs without blocking") {
  auto dir = test::temp_dir("paths-in");
  std::ofstream(dir / "ok.toml") << "a = 1\n";
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  CHECK_NOTHROW(check_input_file(dir / "ok.toml", "configuration file"));
  CHECK_THROWS_WITH(check_input_file(dir, "configuration file"), Catch::Contains("is a directory"));
  CHECK_THROWS_WITH(check_input_file(dir / "fifo", "HDF5 file"), Catch::Contains("fifo: it is a FIFO"));
  CHECK_THROWS_WITH(check_input_file(dir / "no.toml", "configuration file"),
                    Catch::Contains("cannot open configuration file") && Catch::Contains("not found"));
  CHECK_THROWS_WITH(h5::File::open(dir / "fifo"), Catch::Contains("it is a FIFO"));
  CHECK_THROWS_WITH(h5::File::open(dir), Catch::Contains("it is a directory"));
}

TEST_CASE("paths: an output equal to an input, in a missing folder or a directory is refused") {
  auto dir = test::temp_dir("paths-out");
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "c.toml") << "a = 1\n";
  fs::create_symlink(dir / "c.toml", dir / "link.toml");
  CHECK_NOTHROW(check_output_path(dir / "t.h5", {dir / "c.toml"}));
  CHECK_THROWS_WITH(check_output_path(dir / "sub" / ".." / "c.toml", {dir / "c.toml"}), Catch::Contains("is the input"));
  CHECK_THROWS_WITH(check_output_path(dir / "link.toml", {dir / "c.toml"}), Catch::Contains("is the input"));
  CHECK_THROWS_WITH(check_output_path(dir / "none" / "t.h5", {}), Catch::Contains("does not exist"));
  CHECK_THROWS_WITH(check_output_path(dir / "sub", {}), Catch::Contains("is a directory"));
}

TEST_CASE("atomic output: temporaries of dead runs are removed, a live run's are kept") {
  auto dir = test::temp_dir("stale");
  auto out = dir / "o.h5";
  std::ofstream(dir / "o.h5.part4194305") << "x";  // above any pid_max: no such process
  auto mine = dir / ("o.h5.part" + std::to_string(::getpid()));
  std::ofstream(mine) << "x";
  std::ofstream(dir / "other.h5.part4194305") << "x";
  CHECK(remove_stale_parts(out) == 1);
  CHECK(!fs::exists(dir / "o.h5.part4194305"));
  CHECK(fs::exists(mine));
  CHECK(fs::exists(dir / "other.h5.part4194305"));
}
