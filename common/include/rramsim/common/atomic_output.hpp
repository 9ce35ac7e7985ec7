#pragma once
// An output file that appears under its final name only when complete.
//
// Write everything to tmp_path(), then call commit(): the temporary is renamed onto the
// final path (atomic on one file system). If commit() is never reached (an exception, a
// crash, SIGKILL) the final path is untouched; the destructor removes the temporary.
#include <filesystem>
#include <string>

namespace rramsim {

class AtomicOutput {
 public:
  explicit AtomicOutput(std::filesystem::path final_path);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& tmp_path() const { return tmp_; }
  const std::filesystem::path& final_path() const { return final_; }
  void commit();

 private:
  std::filesystem::path final_;
  std::filesystem::path tmp_;
  bool committed_ = false;
};

// Removes temporaries FINAL.part<PID> left by killed runs (their process no longer exists),
// so a kill during a final write leaves nothing behind once the next run starts. Returns
// how many were removed.
std::size_t remove_stale_parts(const std::filesystem::path& final_path);

}  // namespace rramsim
