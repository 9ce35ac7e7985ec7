#include "rramsim/calibration/work_dir.hpp"

#include <fstream>
#include <sstream>

#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::calibration {

namespace fs = std::filesystem;

namespace {
const char* kConfigName = "config.toml";
// Marks a folder as made by WorkDir: only such a folder is ever removed or resumed.
const char* kMarkerName = ".rramsim-work";
const char* kMarkerText = "rramsim calibration work folder: finished work units of an unfinished run\n";

// Removes unit temporaries (UNIT.h5.part<PID>) of runs that no longer exist.
void remove_stale_unit_parts(const fs::path& dir) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    auto pos = name.rfind(".part");
    if (pos != std::string::npos && it->is_regular_file()) remove_stale_parts(it->path().parent_path() / name.substr(0, pos));
  }
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

WorkDir::WorkDir(fs::path dir, const std::string& config_text, bool resume) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::file_status st = fs::symlink_status(dir_, ec);
  if (fs::exists(st)) {
    // Never remove or reuse what we did not make: a user's file or folder of that name.
    if (!fs::is_directory(st) || !fs::is_regular_file(dir_ / kMarkerName))
      throw InputError(dir_.string() + " exists and is not a rramsim work folder (no " + kMarkerName +
                       "); move it away or choose another output name");
  }
  if (resume && fs::exists(dir_ / kConfigName)) {
    if (read_text(dir_ / kConfigName) != config_text)
      throw InputError("--resume: " + dir_.string() +
                       " holds a run of a different configuration; run without --resume to start afresh");
    remove_stale_unit_parts(dir_);
    for (auto it = fs::recursive_directory_iterator(dir_, ec); it != fs::recursive_directory_iterator(); ++it)
      if (it->path().extension() == ".h5") ++resumed_;
    return;
  }
  fs::remove_all(dir_, ec);
  fs::create_directories(dir_, ec);
  if (ec) throw InputError("cannot create work directory " + dir_.string() + ": " + ec.message());
  std::ofstream(dir_ / kMarkerName) << kMarkerText;
  AtomicOutput out(dir_ / kConfigName);
  std::ofstream(out.tmp_path()) << config_text;
  out.commit();
}

fs::path WorkDir::path(const std::string& unit) const { return dir_ / (unit + ".h5"); }

bool WorkDir::has(const std::string& unit) const { return fs::exists(path(unit)); }

void WorkDir::write(const std::string& unit, const std::function<void(h5::File&)>& fill) const {
  fs::path p = path(unit);
  fs::create_directories(p.parent_path());
  AtomicOutput out(p);
  {
    auto f = h5::File::create(out.tmp_path());
    fill(f);
    f.seal();  // with the per-dataset checksums: a damaged unit is recognised on resume
  }
  out.commit();
}

h5::File WorkDir::open(const std::string& unit) const {
  auto f = h5::File::open(path(unit));
  if (!f.verify_seal()) throw InputError(path(unit).string() + " has no content checksum");
  return f;
}

void WorkDir::remove() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

uint64_t unit_seed(uint64_t run_seed, uint64_t stage, uint64_t unit) {
  // splitmix64 over the three numbers
  auto mix = [](uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  return mix(mix(mix(run_seed) ^ stage) ^ unit);
}

}  // namespace rramsim::calibration
