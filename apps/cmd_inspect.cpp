// rramsim inspect FILE.h5 [--json]
#include <iostream>

#include "commands.hpp"
#include "rramsim/calibration/inspect.hpp"

namespace rramsim::apps {

void add_inspect_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("inspect", "Summarize a calibration table file (groups, axes, provenance, headline figures)");
  auto file = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  cmd->add_option("file", *file, "rramsim calibration HDF5 file")->required();
  cmd->add_flag("--json", *as_json, "Machine-readable JSON on stdout");
  cmd->callback([file, as_json] {
    auto j = calibration::inspect_json(*file);
    if (*as_json)
      std::cout << j.dump(2) << "\n";
    else
      std::cout << calibration::inspect_text(j);
  });
}

}  // namespace rramsim::apps
