// rramsim calibrate CONFIG.toml --out tables.h5 [--resume] [--threads N] [--strict] [--json]
#include <iostream>

#include "commands.hpp"
#include "rramsim/calibration/options.hpp"
#include "rramsim/calibration/pipeline.hpp"

namespace rramsim::apps {

void add_calibrate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("calibrate", "Run a calibration pipeline (device, crossbar, ADC) into an HDF5 table file");
  struct Args {
    std::string config, out;
    bool resume = false, quiet = false, strict = false, json = false;
    int threads = 0;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("config", args->config, "Calibration TOML (see data/calibration/default.toml)")->required();
  cmd->add_option("--out,-o", args->out, "Output HDF5 file (written atomically)")->required();
  cmd->add_flag("--resume", args->resume, "Continue an interrupted run, keeping its finished work units");
  cmd->add_option("--threads,-j", args->threads, "Worker threads (0: all cores); results do not depend on it")
      ->check(CLI::Range(0, 256));
  cmd->add_flag("--quiet,-q", args->quiet, "No progress display");
  cmd->add_flag("--strict", args->strict,
                "Fail (no output) if write-verify success on any level is below device.min_success_fraction");
  cmd->add_flag("--json", args->json, "Print a JSON summary (output, stages, wall time, tables, write-verify per level)");
  cmd->callback([args] {
    auto o = calibration::load_calibration_options(args->config);
    auto r = calibration::run_calibration(o, {.out = args->out, .resume = args->resume, .threads = args->threads,
                                              .quiet = args->quiet, .strict = args->strict});
    std::cout << (args->json ? calibration::to_json(r).dump(2) + "\n" : calibration::to_text(r));
  });
}

}  // namespace rramsim::apps
