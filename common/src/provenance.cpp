#include "rramsim/common/provenance.hpp"

#include <chrono>
#include <ctime>

namespace rramsim {

std::string tool_version() { return RRAMSIM_VERSION; }
std::string git_commit() { return RRAMSIM_GIT_COMMIT; }

std::string utc_timestamp() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace rramsim
