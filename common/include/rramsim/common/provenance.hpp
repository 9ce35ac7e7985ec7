#pragma once
// Facts about this build and run, stored in every output file: one contract for all kinds
// (docs/schema.md, "Provenance").
//
//   // writer, after everything else (it seals the file with its content checksum):
//   write_provenance(file, {.kind = "calibration", .schema_version = 2, .config_text = text});
//   // reader, before anything else:
//   int64_t v = check_kind(file, "calibration", {2});
#include <cstdint>
#include <string>
#include <vector>

namespace rramsim {

namespace h5 {
class File;
}

std::string tool_version();    // e.g. "0.1.0"
std::string git_commit();      // short hash at configure time, or "unknown"
std::string utc_timestamp();   // ISO 8601, e.g. "2026-11-26T02:19:06Z"
std::string command_line();    // this process's argv, space-separated ("" if unknown)

// Root attributes of every rramsim output file. Names are the attribute names.
struct Provenance {
  std::string rramsim_kind;  // "calibration", "device.iv", "device.program", "crossbar.solve", "weights"
  int64_t schema_version = 0;
  std::string tool_version = rramsim::tool_version();
  std::string git_commit = rramsim::git_commit();
  std::string created_utc = utc_timestamp();
  std::string command_line = rramsim::command_line();
  std::string config_text;  // the configuration as given (optional; "" = not written)
};

// Writes the attributes above on the root group, then seals the file (File::seal): call it
// last, once every group, dataset and attribute is in place.
void write_provenance(h5::File& f, const Provenance& p);

// Reads them back; InputError naming the file if rramsim_kind or schema_version is absent
// or malformed, or if the content checksum does not match. Missing optional attributes
// read as "".
Provenance read_provenance(const h5::File& f);

// read_provenance, then InputError naming the file unless rramsim_kind is `kind` and
// schema_version one of `supported`. Returns the version.
int64_t check_kind(const h5::File& f, const std::string& kind, const std::vector<int64_t>& supported);

}  // namespace rramsim
