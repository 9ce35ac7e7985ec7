#pragma once
// Facts about this build and run, stored in every output file.
#include <string>

namespace rramsim {

std::string tool_version();    // e.g. "0.1.0"
std::string git_commit();      // short hash at configure time, or "unknown"
std::string utc_timestamp();   // ISO 8601, e.g. "2026-11-26T02:19:06Z"

}  // namespace rramsim
