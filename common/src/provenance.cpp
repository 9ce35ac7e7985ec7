#include "rramsim/common/provenance.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
#include <iterator>

#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"

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

std::string command_line() {
  // /proc/self/cmdline: argv separated by NULs; no global state needed to remember argv.
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && s.back() == '\0') s.pop_back();
  for (char& c : s)
    if (c == '\0') c = ' ';
  return s;
}

void write_provenance(h5::File& f, const Provenance& p) {
  f.attr("rramsim_kind", p.rramsim_kind);
  f.attr("schema_version", p.schema_version);
  f.attr("tool_version", p.tool_version);
  f.attr("git_commit", p.git_commit);
  f.attr("created_utc", p.created_utc);
  f.attr("command_line", p.command_line);
  if (!p.config_text.empty()) f.attr("config_toml", p.config_text);
  f.seal();
}

Provenance read_provenance(const h5::File& f) {
  const std::string name = f.file_path().string();
  if (!f.has_attr("rramsim_kind"))
    throw InputError(name + " is not a rramsim output file (no rramsim_kind attribute)");
  if (!f.has_attr("schema_version")) throw InputError(name + " has no schema_version attribute");
  Provenance p;
  try {
    p.rramsim_kind = f.attr_string("rramsim_kind");
    p.schema_version = f.attr_int("schema_version");
    auto opt = [&](const char* a) { return f.has_attr(a) ? f.attr_string(a) : std::string(); };
    p.tool_version = opt("tool_version");
    p.git_commit = opt("git_commit");
    p.created_utc = opt("created_utc");
    p.command_line = opt("command_line");
    p.config_text = opt("config_toml");
  } catch (const InputError& e) {
    throw InputError(name + ": malformed provenance: " + e.what());
  }
  f.verify_seal();
  return p;
}

int64_t check_kind(const h5::File& f, const std::string& kind, const std::vector<int64_t>& supported) {
  const std::string name = f.file_path().string();
  if (!f.has_attr("rramsim_kind") || f.attr_string("rramsim_kind") != kind)
    throw InputError(name + " is not a rramsim " + kind + " file (no rramsim_kind = \"" + kind + "\" attribute)");
  if (!f.has_attr("schema_version")) throw InputError(name + " has no schema_version attribute");
  // The version before the checksum: a file of another version is named as such.
  const int64_t version = f.attr_int("schema_version");
  bool known = false;
  std::string list;
  for (int64_t v : supported) {
    known |= v == version;
    list += (list.empty() ? "" : ", ") + std::to_string(v);
  }
  if (!known)
    throw InputError(name + " has schema version " + std::to_string(version) +
                     ", which this rramsim does not know (it reads version " + list + ")");
  read_provenance(f);
  return version;
}

}  // namespace rramsim
