// rramsim sweep SWEEP.toml --out sweep.h5 [--resume] [--threads N] [--plot DIR] [--cache DIR] [--json]
// (docs/sweep.md). Under mpirun the points are shared across ranks; rank 0 prints and writes.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "rramsim/sweep/communicator.hpp"
#include "rramsim/sweep/options.hpp"
#include "rramsim/sweep/run.hpp"

namespace rramsim::apps {

void add_sweep_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("sweep", "Sweep calibration and scheme parameters: cached calibrations, one HDF5 file, plots");
  struct Args {
    std::string config, out, plot, cache;
    bool resume = false, quiet = false, json = false;
    int threads = 0;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("config", args->config, "Sweep TOML (see data/sweeps/)")->required();
  cmd->add_option("--out,-o", args->out, "Output HDF5 file (written atomically)")->required();
  cmd->add_flag("--resume", args->resume, "Continue an interrupted sweep, keeping its finished points");
  cmd->add_option("--threads,-j", args->threads, "Worker threads (0: all cores); results do not depend on it")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--plot", args->plot, "Folder for gnuplot PNGs (each metric vs each axis, heat map, Pareto front)");
  cmd->add_option("--cache", args->cache, "Calibration cache folder (default: $RRAMSIM_CACHE_DIR, else $XDG_CACHE_HOME/rramsim)");
  cmd->add_flag("--json", args->json, "Print the points as one JSON object");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress display");
  cmd->callback([args] {
    sweep::Communicator comm;  // MPI_Init under mpirun, MPI_Finalize when the command ends
    auto o = sweep::load_sweep_options(args->config);
    check_outputs({args->out}, {args->config, o.calibration});
    sweep::SweepRunOptions run{.out = args->out, .resume = args->resume, .threads = args->threads,
                               .plot_dir = args->plot, .quiet = args->quiet, .comm = &comm};
    if (!args->cache.empty()) run.cache = args->cache;
    auto r = sweep::run_sweep(o, run);
    if (!comm.root()) return;
    if (args->json)
      std::cout << sweep::to_json(r).dump(2) << "\n";
    else
      std::cout << sweep::to_text(r);
  });
}

}  // namespace rramsim::apps
