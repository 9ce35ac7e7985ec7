#include "rramsim/common/data_path.hpp"

#include <algorithm>
#include <cstdlib>

namespace rramsim {

std::filesystem::path data_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("RRAMSIM_DATA_DIR"); env && *env) return env;
  std::error_code ec;
  if (fs::is_directory(RRAMSIM_SOURCE_DATA_DIR, ec)) return RRAMSIM_SOURCE_DATA_DIR;
  return RRAMSIM_INSTALL_DATA_DIR;
}

bool is_shipped_name(std::string_view name, std::string_view extension) {
  const std::filesystem::path p{std::string(name)};
  return p.extension() != extension && name.find('/') == std::string_view::npos;
}

std::filesystem::path data_path(std::string_view kind, std::string_view name, std::string_view extension) {
  if (!is_shipped_name(name, extension)) return std::string(name);
  return data_dir() / std::string(kind) / (std::string(name) + std::string(extension));
}

std::vector<std::string> shipped_names(std::string_view kind, std::string_view extension) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir() / std::string(kind), ec))
    if (e.path().extension() == extension) names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace rramsim
