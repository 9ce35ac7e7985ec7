#pragma once
// Each layer's subcommands register themselves here; main.cpp only dispatches.
// A command's callback throws rramsim::Error on bad input: main turns that into
// "rramsim: error: ..." on stderr and exit status 1.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <vector>

namespace rramsim::apps {

void add_device_commands(CLI::App& app);     // cmd_device.cpp:    device iv | program
void add_crossbar_commands(CLI::App& app);   // cmd_crossbar.cpp:  crossbar solve
void add_calibrate_command(CLI::App& app);   // cmd_calibrate.cpp: calibrate
void add_inspect_command(CLI::App& app);     // cmd_inspect.cpp:   inspect
void add_evaluate_command(CLI::App& app);    // cmd_evaluate.cpp:  evaluate
void add_train_command(CLI::App& app);       // cmd_train.cpp:     train
void add_export_command(CLI::App& app);      // cmd_export.cpp:    export
void add_sweep_command(CLI::App& app);       // cmd_sweep.cpp:     sweep

// Before any work: refuses an output (empty entries are skipped) that resolves to one of
// the inputs, or whose folder is missing or not writable. InputError names the path.
void check_outputs(const std::vector<std::filesystem::path>& outputs,
                   const std::vector<std::filesystem::path>& inputs);

// Writes the optional plot (when `plot` is set and gnuplot is installed, else a note) and
// then the main file, so that a failing plot leaves no main file behind; if the main file
// fails, the plot just written is removed.
void write_with_plot(const std::filesystem::path& plot, const std::function<void()>& write_plot,
                     const std::function<void()>& write_main);

}  // namespace rramsim::apps
