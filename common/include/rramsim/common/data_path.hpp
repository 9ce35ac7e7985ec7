#pragma once
// Where the shipped data lives (parameter sets, networks, hardware, schemes, ADC tables,
// weights, the npm data packages). One folder, one override:
//   1. $RRAMSIM_DATA_DIR, if set;
//   2. the source tree's data/ (a build tree), if it exists;
//   3. the installed <prefix>/share/rramsim/data (cmake --install).
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rramsim {

std::filesystem::path data_dir();

// A shipped file by kind (the data/ subfolder, e.g. "networks") and name. A name that
// already ends in `extension` (or holds a '/') is a path of the user's and is returned as
// given; otherwise data_dir()/kind/name+extension.
std::filesystem::path data_path(std::string_view kind, std::string_view name_or_file,
                                std::string_view extension = ".toml");

// True when data_path() would resolve `name_or_file` as a shipped name.
bool is_shipped_name(std::string_view name_or_file, std::string_view extension = ".toml");

// Names (stems) of the shipped files of a kind with that extension, sorted.
std::vector<std::string> shipped_names(std::string_view kind, std::string_view extension = ".toml");

}  // namespace rramsim
