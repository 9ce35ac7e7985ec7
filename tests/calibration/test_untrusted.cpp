// Regression tests of issue 13 (readers that trust the file) and of the work folder:
// values read from files are range-checked like configuration values, shapes are checked
// before indexing, damaged work units are recomputed, paths are checked before work starts.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "rramsim/calibration/options.hpp"
#include "rramsim/calibration/pipeline.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "support.hpp"

using namespace rramsim;
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }
std::string read_text(const fs::path& p) {
  std::stringstream ss;
  ss << std::ifstream(p).rdbuf();
  return ss.str();
}

const char* kSmall =
    "seed = 3\n[device]\ndevices = 16\nvariation = false\n[crossbar]\nrows = 16\ncols = 16\nactive_rows = [4, 16]\n"
    "inputs_per_count = 4\narrays_per_mix = 2\ncolumn_buckets = 2\nwire_ohm = [1.0]\n[crossbar.check]\n"
    "engine = \"none\"\n[adc]\nbits = [2, 4]\nmin_samples = 5\n";

// A small tables file, made once per test.
fs::path small_tables(const fs::path& dir) {
  write_text(dir / "c.toml", kSmall);
  auto o = calibration::load_calibration_options((dir / "c.toml").string());
  calibration::run_calibration(o, {.out = dir / "t.h5", .threads = 2, .quiet = true});
  return dir / "t.h5";
}

// A copy of `good` changed by `edit` and sealed again: a consistent file with bad content,
// so the reader's own checks (not the checksum) must refuse it.
fs::path edited(const fs::path& good, const std::string& name, const std::function<void(h5::File&)>& edit) {
  auto p = good.parent_path() / name;
  fs::copy_file(good, p, fs::copy_options::overwrite_existing);
  auto f = h5::File::open(p, true);
  edit(f);
  f.seal();
  return p;
}

void expect_refused(const fs::path& p, const std::string& words) {
  auto r = test::run_rramsim("inspect " + p.string());
  INFO(p << ": " << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("rramsim: error: ") != std::string::npos);
  CHECK(r.err.find(p.filename().string()) != std::string::npos);
  CHECK(r.err.find(words) != std::string::npos);
}

}  // namespace

TEST_CASE("tables: out-of-range values from the file are refused like configuration values") {
  auto dir = test::temp_dir("untrusted-range");
  auto good = small_tables(dir);
  expect_refused(edited(good, "bpc40.h5", [](h5::File& f) { f.group("device").attr("bits_per_cell", int64_t{40}); }),
                 "bits_per_cell = 40 is outside 1 .. 4");
  expect_refused(edited(good, "bpcneg.h5", [](h5::File& f) { f.group("device").attr("bits_per_cell", int64_t{-1}); }),
                 "bits_per_cell = -1 is outside");
  expect_refused(edited(good, "rows.h5", [](h5::File& f) { f.group("crossbar").attr("rows", int64_t{1} << 30); }),
                 "rows = 1073741824 is outside 1 .. 512");
  expect_refused(edited(good, "version_array.h5",
                        [](h5::File& f) { f.attr("schema_version", std::vector<double>(4096, 2.0)); }),
                 "attribute 'schema_version'");
}

TEST_CASE("tables: datasets smaller than their axes and tables that are not distributions are refused") {
  auto dir = test::temp_dir("untrusted-shape");
  auto good = small_tables(dir);
  expect_refused(edited(good, "short_err.h5",
                        [](h5::File& f) { f.group("adc").write("error_rate", std::vector<double>{0.1}); }),
                 "error_rate has shape 1, expected 2 x 1");
  auto zero = edited(good, "zero_row.h5", [](h5::File& f) {
    auto g = f.group("adc").group("bits_04");
    auto d = g.dataset("prob");
    auto dims = d.dims();
    auto v = d.read_doubles();
    std::fill(v.begin(), v.begin() + dims[3], 0.0);
    g.write("prob", v, {"1", {"wire", "active_key", "psum", "code"}, dims});
  });
  expect_refused(zero, "the row for partial sum 0 sums to 0");
  auto t = calibration::Tables::open(zero);
  CHECK_THROWS_WITH(t.error_table(4), Catch::Contains("zero_row.h5"));
}

TEST_CASE("calibrate: an impossible level target names file, line and key and leaves no work folder") {
  auto dir = test::temp_dir("untrusted-target");
  write_text(dir / "bad.toml", "[device]\nmin_target_siemens = 0.5\n");
  auto r = test::run_rramsim("calibrate " + (dir / "bad.toml").string() + " -o " + (dir / "o.h5").string());
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("bad.toml:2: device.min_target_siemens") != std::string::npos);
  CHECK(!fs::exists(dir / "o.h5.work"));
  CHECK(!fs::exists(dir / "o.h5"));
}

TEST_CASE("calibrate: a file or folder named OUT.work that is not ours is never touched") {
  auto dir = test::temp_dir("untrusted-work");
  write_text(dir / "c.toml", kSmall);
  fs::create_directories(dir / "o.h5.work");
  write_text(dir / "o.h5.work" / "precious.txt", "mine");
  write_text(dir / "p.h5.work", "also mine");
  for (const char* out : {"o.h5", "p.h5"}) {
    for (const char* resume : {"", " --resume"}) {
      auto r = test::run_rramsim("calibrate " + (dir / "c.toml").string() + " -o " + (dir / out).string() + resume);
      INFO(r.err);
      CHECK(r.exit_code == 1);
      CHECK(r.err.find("is not a rramsim work folder") != std::string::npos);
    }
  }
  CHECK(read_text(dir / "o.h5.work" / "precious.txt") == "mine");
  CHECK(read_text(dir / "p.h5.work") == "also mine");
}

TEST_CASE("calibrate: a temporary left by a run killed in its final write is removed by the next run") {
  auto dir = test::temp_dir("untrusted-part");
  write_text(dir / "c.toml", kSmall);
  write_text(dir / "o.h5.part4194305", "half a file");  // no process has this id
  auto r = test::run_rramsim("calibrate -q " + (dir / "c.toml").string() + " -o " + (dir / "o.h5").string());
  REQUIRE(r.exit_code == 0);
  CHECK(!fs::exists(dir / "o.h5.part4194305"));
}

TEST_CASE("calibrate: a damaged work unit is recomputed on resume, saying so, to the same tables") {
  auto dir = test::temp_dir("untrusted-unit");
  write_text(dir / "c.toml", kSmall);
  auto o = calibration::load_calibration_options((dir / "c.toml").string());
  // Stop the run once the crossbar units are written: the work folder stays.
  auto stop = [](const calibration::ProgressEvent& e) {
    if (e.kind == calibration::ProgressEvent::Kind::stage_done && e.stage == "crossbar") throw InputError("stopped");
  };
  CHECK_THROWS(calibration::run_calibration(o, {.out = dir / "a.h5", .threads = 1, .on_progress = stop}));
  auto unit = dir / "a.h5.work" / "crossbar" / "u000001.h5";
  REQUIRE(fs::exists(unit));
  {  // flip one byte inside the stored currents
    auto f = h5::File::open(unit);
    haddr_t off = H5Dget_offset(f.dataset("current_amp").id());
    if (off == HADDR_UNDEF) {  // chunked: the first chunk
      unsigned mask;
      hsize_t size, offset[2] = {0, 0};
      REQUIRE(H5Dget_chunk_info_by_coord(f.dataset("current_amp").id(), offset, &mask, &off, &size) >= 0);
    }
    std::fstream io(unit, std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(off + 13));
    char c;
    io.read(&c, 1);
    c ^= 0x10;
    io.seekp(static_cast<std::streamoff>(off + 13));
    io.write(&c, 1);
  }
  std::vector<std::string> notes;
  auto collect = [&](const calibration::ProgressEvent& e) {
    if (e.kind == calibration::ProgressEvent::Kind::note) notes.push_back(e.message);
  };
  auto r = calibration::run_calibration(o, {.out = dir / "a.h5", .resume = true, .threads = 1, .on_progress = collect});
  bool said = false;
  for (const auto& n : notes) said |= n.find("u000001.h5 is damaged") != std::string::npos;
  CHECK(said);
  CHECK(r.stages[1].resumed == r.stages[1].units - 1);
  calibration::run_calibration(o, {.out = dir / "b.h5", .threads = 1, .quiet = true});
  auto a = h5::File::open(dir / "a.h5"), b = h5::File::open(dir / "b.h5");
  for (const char* d : {"calibrated_mean_amp", "psum_weight", "error_rate"})
    CHECK(a.group("adc").dataset(d).read_doubles() == b.group("adc").dataset(d).read_doubles());
  CHECK(a.group("adc").group("bits_04").dataset("prob").read_doubles() ==
        b.group("adc").group("bits_04").dataset("prob").read_doubles());
}

TEST_CASE("calibrate and inspect: directories, FIFOs and an output equal to an input are refused up front") {
  auto dir = test::temp_dir("untrusted-paths");
  write_text(dir / "c.toml", kSmall);
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  auto r = test::run_rramsim("calibrate " + dir.string() + " -o " + (dir / "o.h5").string());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("is a directory") != std::string::npos);
  r = test::run_rramsim("calibrate " + (dir / "fifo").string() + " -o " + (dir / "o.h5").string());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("it is a FIFO") != std::string::npos);
  r = test::run_rramsim("inspect " + (dir / "fifo").string());  // used to block forever
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("it is a FIFO") != std::string::npos);
  r = test::run_rramsim("inspect " + dir.string());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("is a directory") != std::string::npos);
  r = test::run_rramsim("calibrate " + (dir / "c.toml").string() + " -o " + (dir / "c.toml").string());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("is the input") != std::string::npos);
  CHECK(read_text(dir / "c.toml") == kSmall);
  CHECK(!fs::exists(dir / "c.toml.work"));
  r = test::run_rramsim("calibrate " + (dir / "c.toml").string() + " -o " + (dir / "no" / "o.h5").string());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("does not exist") != std::string::npos);
}

TEST_CASE("calibrate: progress reaches the caller's callback, stage by stage, with totals") {
  auto dir = test::temp_dir("progress-callback");
  write_text(dir / "c.toml", kSmall);
  auto o = calibration::load_calibration_options((dir / "c.toml").string());
  std::vector<calibration::ProgressEvent> events;
  calibration::run_calibration(o, {.out = dir / "t.h5", .threads = 2,
                                   .on_progress = [&](const calibration::ProgressEvent& e) { events.push_back(e); }});
  using Kind = calibration::ProgressEvent::Kind;
  std::vector<std::string> started, done;
  for (const auto& e : events) {
    if (e.kind == Kind::stage_start) started.push_back(e.stage);
    if (e.kind == Kind::stage_done) {
      done.push_back(e.stage);
      CHECK(e.done == e.total);
    }
  }
  CHECK(started == std::vector<std::string>{"device", "crossbar", "check"});
  CHECK(done == started);
  CHECK(events.front().total == 16);  // one step per write-verify device
}
