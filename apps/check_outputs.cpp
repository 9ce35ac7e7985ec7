// Output locations are checked before any work starts (see commands.hpp).
#include "commands.hpp"
#include "rramsim/common/paths.hpp"

namespace rramsim::apps {

void check_outputs(const std::vector<std::filesystem::path>& outputs,
                   const std::vector<std::filesystem::path>& inputs) {
  for (const auto& out : outputs)
    if (!out.empty()) check_output_path(out, inputs);
}

}  // namespace rramsim::apps
