// Output locations are checked before any work starts (see commands.hpp).
#include <unistd.h>

#include "commands.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::apps {

void check_outputs(const std::vector<std::filesystem::path>& outputs,
                   const std::vector<std::filesystem::path>& inputs) {
  namespace fs = std::filesystem;
  for (const auto& out : outputs) {
    if (out.empty()) continue;
    std::error_code ec;
    const fs::path resolved = fs::weakly_canonical(out, ec);
    for (const auto& in : inputs)
      if (!in.empty() && fs::exists(in) && (fs::equivalent(in, out, ec) || fs::weakly_canonical(in, ec) == resolved))
        throw InputError("output " + out.string() + " is the input " + in.string() +
                         "; refusing to overwrite an input");
    if (fs::is_directory(out, ec)) throw InputError("output " + out.string() + " is a directory");
    fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
    if (!fs::is_directory(dir, ec))
      throw InputError("output folder " + dir.string() + " does not exist (for " + out.string() + ")");
    if (::access(dir.c_str(), W_OK) != 0)
      throw InputError("output folder " + dir.string() + " is not writable (for " + out.string() + ")");
  }
}

}  // namespace rramsim::apps
