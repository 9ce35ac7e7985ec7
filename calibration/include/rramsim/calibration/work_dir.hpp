#pragma once
// Finished work units of a calibration run, kept next to the output so --resume can skip
// them. Each unit is its own small HDF5 file written through AtomicOutput: a run killed at
// any moment leaves only complete units (and stray *.part files, removed on resume). The
// folder carries a marker file; a file or folder of that name without it is never touched.
// Units are sealed with checksums: open() throws InputError for a damaged one.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "rramsim/common/h5.hpp"

namespace rramsim::calibration {

class WorkDir {
 public:
  // resume = false starts afresh (an old directory is removed). resume = true keeps the
  // finished units, after checking they came from the same configuration text.
  WorkDir(std::filesystem::path dir, const std::string& config_text, bool resume);
  const std::filesystem::path& dir() const { return dir_; }
  bool has(const std::string& unit) const;
  // Writes unit `unit` (a relative name such as "crossbar/u000012") atomically.
  void write(const std::string& unit, const std::function<void(h5::File&)>& fill) const;
  h5::File open(const std::string& unit) const;
  std::filesystem::path path(const std::string& unit) const;  // the unit's file
  std::size_t resumed_units() const { return resumed_; }
  void remove();

 private:
  std::filesystem::path dir_;
  std::size_t resumed_ = 0;
};

// Seed of one work unit: a hash of the run seed, the stage and the unit index, so results
// do not depend on which thread ran which unit, or in what order.
uint64_t unit_seed(uint64_t run_seed, uint64_t stage, uint64_t unit);

}  // namespace rramsim::calibration
