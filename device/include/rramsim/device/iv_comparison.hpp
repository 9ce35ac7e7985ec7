#pragma once
// `rramsim device iv` as a library call: the same triangular sweep through one or both
// engines (native integrator, ngspice), their summaries and agreement, and the outputs
// (HDF5 "device.iv" layout in docs/schema.md, JSON, text, a PNG of the I-V loops).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rramsim/device/iv.hpp"

namespace rramsim::device {

// Version of the "device.iv" file layout (docs/schema.md).
inline constexpr int64_t kIvSchemaVersion = 2;

struct IvRun {
  std::string engine;  // "native" | "ngspice"
  TransientResult trace;
  IvSummary summary;
  double seconds = 0;  // wall time of the sweep
};

struct IvComparison {
  Params params;
  IvOptions options;
  double compliance_ohm = 0;       // series resistor, 0 = none (for the record)
  std::string engines;             // "native" | "ngspice" | "both"
  std::vector<IvRun> runs;
  double engine_max_rel_dev = NAN;  // with both engines: current_max_rel_dev

  void write_h5(const std::filesystem::path& out) const;  // complete or not at all
  nlohmann::json to_json() const;
  std::string to_text() const;
  void write_plot(const std::filesystem::path& png) const;
};

// engines: "native", "ngspice" or "both".
IvComparison characterize_iv(const Params& p, const IvOptions& o, const std::string& engines,
                             double compliance_ohm = 0);

}  // namespace rramsim::device
