// rramsim calibrate CONFIG.toml --out tables.h5 [--resume] [--threads N]
#include <cstdio>

#include "commands.hpp"
#include "rramsim/calibration/options.hpp"
#include "rramsim/calibration/pipeline.hpp"

namespace rramsim::apps {

void add_calibrate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("calibrate", "Run a calibration pipeline (device, crossbar, ADC) into an HDF5 table file");
  struct Args {
    std::string config, out;
    bool resume = false, quiet = false;
    int threads = 0;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("config", args->config, "Calibration TOML (see data/calibration/default.toml)")->required();
  cmd->add_option("--out,-o", args->out, "Output HDF5 file (written atomically)")->required();
  cmd->add_flag("--resume", args->resume, "Continue an interrupted run, keeping its finished work units");
  cmd->add_option("--threads,-j", args->threads, "Worker threads (0: all cores); results do not depend on it")
      ->check(CLI::Range(0, 256));
  cmd->add_flag("--quiet,-q", args->quiet, "No progress display");
  cmd->callback([args] {
    auto o = calibration::load_calibration_options(args->config);
    auto r = calibration::run_calibration(o, {.out = args->out, .resume = args->resume, .threads = args->threads,
                                              .quiet = args->quiet});
    std::printf("wrote %s in %.1f s\n", r.file.c_str(), r.wall_seconds);
    for (const auto& s : r.stages)
      std::printf("  %-10s %8.2f s  (%zu units, %zu resumed)\n", s.stage.c_str(), s.seconds, s.units, s.resumed);
  });
}

}  // namespace rramsim::apps
