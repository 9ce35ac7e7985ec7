#pragma once
// The outputs of `rramsim device program` (write_verify.hpp): the HDF5 file ("device.program"
// layout in docs/schema.md), JSON, text, and a PNG histogram of the achieved levels.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "rramsim/device/write_verify.hpp"

namespace rramsim::device {

// Version of the "device.program" file layout (docs/schema.md).
inline constexpr int64_t kProgramSchemaVersion = 2;

void write_program_h5(const std::filesystem::path& out, const Params& p, const WriteVerifyOptions& o,
                      const WriteVerifyReport& rep);  // complete or not at all
nlohmann::json program_to_json(const Params& p, const WriteVerifyOptions& o, const WriteVerifyReport& rep);
std::string program_to_text(const Params& p, const WriteVerifyOptions& o, const WriteVerifyReport& rep);
void write_levels_plot(const WriteVerifyReport& rep, const std::filesystem::path& png);

}  // namespace rramsim::device
