#pragma once
// Progress of a long stage on stderr: a self-updating line on a terminal, plain lines
// (about every 10 %) otherwise, so logs stay readable. Thread-safe; silent when quiet.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace rramsim {

class Progress {
 public:
  Progress(std::string stage, std::size_t total, bool quiet = false);
  ~Progress();
  void advance(std::size_t n = 1);
  void finish();  // prints the closing line with the elapsed time
  double elapsed_seconds() const;

 private:
  void print(bool final_line);
  std::string stage_;
  std::size_t total_, done_ = 0;
  bool quiet_, tty_, finished_ = false;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_print_;
  std::mutex mu_;
};

}  // namespace rramsim
