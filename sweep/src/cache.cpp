#include "rramsim/sweep/cache.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "rramsim/calibration/options.hpp"
#include "rramsim/calibration/pipeline.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/config.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::sweep {

namespace fs = std::filesystem;

fs::path cache_dir(const std::optional<fs::path>& explicit_dir) {
  if (explicit_dir && !explicit_dir->empty()) return *explicit_dir;
  auto env = [](const char* n) -> std::string {
    const char* v = std::getenv(n);
    return v ? v : "";
  };
  if (!env("RRAMSIM_CACHE_DIR").empty()) return env("RRAMSIM_CACHE_DIR");
  if (!env("XDG_CACHE_HOME").empty()) return fs::path(env("XDG_CACHE_HOME")) / "rramsim";
  if (!env("HOME").empty()) return fs::path(env("HOME")) / ".cache" / "rramsim";
  throw InputError("no cache folder: give --cache DIR or set RRAMSIM_CACHE_DIR");
}

bool cached(const CalibrationGroup& g) {
  if (!fs::exists(g.tables)) return false;
  try {
    (void)calibration::Tables::open(g.tables);
    return true;
  } catch (const Error&) {
    return false;  // damaged or foreign: calibrate again (AtomicOutput replaces it)
  }
}

double calibrate_group(const CalibrationGroup& g, const fs::path& base_config, int threads, bool quiet) {
  auto t0 = std::chrono::steady_clock::now();
  fs::create_directories(g.tables.parent_path());
  {  // the resolved config next to its tables, for people browsing the cache
    AtomicOutput out(fs::path(g.tables).replace_extension(".toml"));
    std::ofstream(out.tmp_path()) << "# resolved from " << base_config.string() << " by rramsim sweep\n" << g.text;
    out.commit();
  }
  auto o = calibration::parse_calibration_options(ConfigDoc::from_string(g.text, base_config.string()));
  o.config_name = base_config.string();
  // resume: a calibration killed with its sweep continues where it stopped.
  calibration::run_calibration(o, {.out = g.tables, .resume = true, .threads = threads, .quiet = quiet});
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace rramsim::sweep
