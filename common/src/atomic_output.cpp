#include "rramsim/common/atomic_output.hpp"

#include <unistd.h>

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

}  // namespace rramsim
