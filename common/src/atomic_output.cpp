#include "rramsim/common/atomic_output.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "rramsim/common/error.hpp"

namespace rramsim {

AtomicOutput::AtomicOutput(std::filesystem::path final_path) : final_(std::move(final_path)) {
  require(!final_.empty(), "output path is empty");
  auto dir = final_.parent_path();
  if (!dir.empty() && !std::filesystem::is_directory(dir))
    throw InputError("output directory does not exist: " + dir.string());
  tmp_ = final_;
  tmp_ += ".part" + std::to_string(::getpid());
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove(tmp_, ec);
  }
}

void AtomicOutput::commit() {
  std::error_code ec;
  std::filesystem::rename(tmp_, final_, ec);
  if (ec) throw Error("cannot move " + tmp_.string() + " to " + final_.string() + ": " + ec.message());
  committed_ = true;
}

std::size_t remove_stale_parts(const std::filesystem::path& final_path) {
  namespace fs = std::filesystem;
  const std::string prefix = final_path.filename().string() + ".part";
  fs::path dir = final_path.parent_path().empty() ? fs::path(".") : final_path.parent_path();
  std::error_code ec;
  std::size_t removed = 0;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0 || !it->is_regular_file()) continue;
    std::string pid = name.substr(prefix.size());
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos || pid.size() > 9) continue;
    pid_t p = static_cast<pid_t>(std::stol(pid));
    if (p == ::getpid() || (::kill(p, 0) == 0 || errno != ESRCH)) continue;  // still running: not ours to remove
    std::error_code rm;
    removed += fs::remove(it->path(), rm);
  }
  return removed;
}

}  // namespace rramsim
