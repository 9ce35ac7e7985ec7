#pragma once
// The provenance attributes of the device layer's output files.
#include <string>

#include "rramsim/common/h5.hpp"
#include "rramsim/common/provenance.hpp"

namespace rramsim::device {

inline void write_output_provenance(h5::File& f, const std::string& command, const std::string& schema) {
  f.attr("schema", schema);
  f.attr("command", command);
  f.attr("tool_version", tool_version());
  f.attr("git_commit", git_commit());
  f.attr("created_utc", utc_timestamp());
}

}  // namespace rramsim::device
