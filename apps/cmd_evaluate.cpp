// Placeholder until the layer's command lands.
#include "commands.hpp"

namespace rramsim::apps {

void add_evaluate_command(CLI::App& app) { (void)app; }

}  // namespace rramsim::apps
