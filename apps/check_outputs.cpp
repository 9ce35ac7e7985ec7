// Output locations are checked before any work starts (see commands.hpp).
#include "commands.hpp"
#include <iostream>

#include "rramsim/common/paths.hpp"
#include "rramsim/common/plot.hpp"

namespace rramsim::apps {

void check_outputs(const std::vector<std::filesystem::path>& outputs,
                   const std::vector<std::filesystem::path>& inputs) {
  for (const auto& out : outputs)
    if (!out.empty()) check_output_path(out, inputs);
}

void write_with_plot(const std::filesystem::path& plot, const std::function<void()>& write_plot,
                     const std::function<void()>& write_main) {
  bool plotted = false;
  if (!plot.empty()) {
    if (gnuplot_available()) {
      write_plot();
      plotted = true;
    } else {
      std::cerr << "rramsim: gnuplot is not installed; no plot written\n";
    }
  }
  try {
    write_main();
  } catch (...) {
    std::error_code ec;
    if (plotted) std::filesystem::remove(plot, ec);
    throw;
  }
}

}  // namespace rramsim::apps
