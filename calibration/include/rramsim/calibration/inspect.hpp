#pragma once
// Summary of a calibration file for `rramsim inspect`: groups and datasets with axes and
// units, provenance, headline figures. Refuses foreign files and unknown schema versions
// (through Tables::open) before reading anything else.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace rramsim::calibration {

nlohmann::json inspect_json(const std::filesystem::path& file);
// The same content for a person to read.
std::string inspect_text(const nlohmann::json& summary);

}  // namespace rramsim::calibration
