// rramsim: from the RRAM device to the CNN accelerator. See README.md.
#include <iostream>

#include "commands.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/memory.hpp"
#include "rramsim/common/provenance.hpp"

int main(int argc, char** argv) {
  rramsim::keep_freed_memory();
  CLI::App app{"rramsim: oxide RRAM crossbar accelerator toolkit (device, circuit, calibration, architecture)"};
  app.set_version_flag("--version", rramsim::tool_version() + " (" + rramsim::git_commit() + ")");
  app.require_subcommand(1);
  rramsim::apps::add_device_commands(app);
  rramsim::apps::add_crossbar_commands(app);
  rramsim::apps::add_calibrate_command(app);
  rramsim::apps::add_inspect_command(app);
  rramsim::apps::add_evaluate_command(app);
  rramsim::apps::add_train_command(app);
  rramsim::apps::add_export_command(app);
  rramsim::apps::add_sweep_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const rramsim::Error& e) {
    std::cerr << "rramsim: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "rramsim: internal error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
