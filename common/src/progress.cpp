#include "rramsim/common/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace rramsim {

Progress::Progress(std::string stage, std::size_t total, bool quiet)
    : stage_(std::move(stage)), total_(total), quiet_(quiet), tty_(::isatty(2) == 1),
      start_(std::chrono::steady_clock::now()), last_print_(start_) {}

Progress::~Progress() {
  if (!finished_ && tty_ && !quiet_) std::fputc('\n', stderr);
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::advance(std::size_t n) {
  std::lock_guard lock(mu_);
  done_ += n;
  if (quiet_) return;
  auto now = std::chrono::steady_clock::now();
  int decile = total_ ? static_cast<int>(10 * done_ / total_) : 10;
  if (tty_ ? now - last_print_ > std::chrono::milliseconds(200) : decile != last_decile_) {
    last_decile_ = decile;
    last_print_ = now;
    print(false);
  }
}

void Progress::finish() {
  std::lock_guard lock(mu_);
  if (finished_) return;
  finished_ = true;
  if (!quiet_) print(true);
}

void Progress::print(bool final_line) {
  double t = elapsed_seconds();
  double frac = total_ ? static_cast<double>(done_) / total_ : 1.0;
  char eta[48] = "";
  if (!final_line && frac > 0.02) std::snprintf(eta, sizeof eta, ", about %.0f s left", t / frac - t);
  std::fprintf(stderr, "%s[%s] %zu/%zu (%.0f %%), %.1f s%s%s", tty_ ? "\r\033[K" : "", stage_.c_str(),
               done_, total_, 100 * frac, t, final_line ? " done" : eta,
               (final_line || !tty_) ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace rramsim
