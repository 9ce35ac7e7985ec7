#include "rramsim/common/paths.hpp"

#include <unistd.h>

#include "rramsim/common/error.hpp"

namespace rramsim {

namespace fs = std::filesystem;

namespace {
const char* kind_of(fs::file_type t) {
  switch (t) {
    case fs::file_type::directory: return "a directory";
    case fs::file_type::fifo: return "a FIFO";
    case fs::file_type::socket: return "a socket";
    case fs::file_type::block:
    case fs::file_type::character: return "a device";
    default: return "not a regular file";
  }
}
}  // namespace

void check_input_file(const fs::path& path, const std::string& what) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);  // stat(): does not open, so a FIFO cannot block
  if (st.type() == fs::file_type::not_found || st.type() == fs::file_type::none)
    throw InputError("cannot open " + what + " " + path.string() + ": not found");
  if (st.type() != fs::file_type::regular)
    throw InputError("cannot open " + what + " " + path.string() + ": it is " + kind_of(st.type()));
  if (::access(path.c_str(), R_OK) != 0)
    throw InputError("cannot open " + what + " " + path.string() + ": not readable");
}

void check_output_path(const fs::path& out, const std::vector<fs::path>& inputs) {
  if (out.empty()) throw InputError("output path is empty");
  std::error_code ec;
  fs::file_status st = fs::status(out, ec);
  if (fs::exists(st) && st.type() != fs::file_type::regular)
    throw InputError("output " + out.string() + " is " + kind_of(st.type()) + ", not a file");
  fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  if (!fs::is_directory(dir, ec)) throw InputError("output folder " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK | X_OK) != 0) throw InputError("output folder " + dir.string() + " is not writable");
  fs::path canon = fs::weakly_canonical(out, ec);
  for (const auto& in : inputs) {
    if (in.empty()) continue;
    std::error_code e1, e2;
    bool same = fs::weakly_canonical(in, e1) == canon && !e1;
    if (!same && fs::exists(out) && fs::exists(in)) same = fs::equivalent(in, out, e2) && !e2;
    if (same) throw InputError("output " + out.string() + " is the input " + in.string() + ": refusing to overwrite it");
  }
}

}  // namespace rramsim
