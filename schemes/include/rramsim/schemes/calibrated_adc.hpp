#pragma once
// The calibrated nonideality of a subword computation: given the ideal integer partial sum
// of a column and the number of active rows, draw the ADC code from P(code | ideal psum)
// (calibration::ErrorTable). Rows of the tables are compiled once into short lists sorted
// by probability, so a draw is one random number and usually one comparison.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "rramsim/calibration/tables.hpp"

namespace rramsim::schemes {

// splitmix64: tiny state, good enough statistics for sampling codes, seedable per stream
// so results do not depend on thread scheduling.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint32_t next32() { return uint32_t(next() >> 32); }
  // A stateless draw for key: the same number whatever order subwords are computed in.
  static constexpr uint64_t kKeyMultiplier = 0x9e3779b97f4a7c15ULL;
  static uint64_t hash64(uint64_t seed, uint64_t key) { return finish(seed ^ (key * kKeyMultiplier)); }
  // hash64's mixing step: a loop over evenly spaced keys can step key * kKeyMultiplier by
  // adding, and get the same numbers.
  static uint64_t finish(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t s_;
};

// One ErrorTable compiled for sampling: per partial sum an alias table (Vose), so a draw
// costs one 64-bit random number and one comparison however wide the distribution is.
class CodeSampler {
 public:
  explicit CodeSampler(const calibration::ErrorTable& table);
  int max_psum() const { return max_psum_; }
  int adc_bits() const { return adc_bits_; }
  int sample(int psum, Rng& rng) const {
    return sample(psum, [&] { return rng.next(); });
  }
  // `draw` gives a uniform 64-bit number; called only when the row is not deterministic.
  template <class Draw>
  int sample(int psum, Draw&& draw) const {
    const uint32_t b = begin_[psum], n = begin_[psum + 1] - b;
    if (n == 1) return slots_[b].code;  // deterministic row: no random number needed
    const uint64_t r = draw();
    const Slot& s = slots_[b + uint32_t(((r >> 32) * n) >> 32)];
    // Branch-free select: the comparison is a coin flip the predictor cannot learn.
    const uint16_t take = uint16_t(-int(uint32_t(r) < s.keep));
    return (s.code & take) | (s.alias & uint16_t(~take));
  }

  struct Slot {
    uint32_t keep;  // P(code | slot) x 2^32, else the alias
    uint16_t code, alias;
  };
  // The raw tables, for inner loops that hoist the sampler out (Rows::draw).
  struct Rows {
    const uint32_t* begin = nullptr;
    const Slot* slots = nullptr;
    // Always takes the random number, so the loop has no branch: a deterministic row has
    // one slot whose code and alias are equal, so this returns what sample() does.
    int draw(int psum, uint64_t r) const {
      const uint32_t b = begin[psum], n = begin[psum + 1] - b;
      const Slot& s = slots[b + uint32_t(((r >> 32) * n) >> 32)];
      // Masks, not ?: -- the compiler turns a ?: into a branch that mispredicts half the time.
      const uint32_t take = 0u - uint32_t(uint32_t(r) < s.keep);
      return int((uint32_t(s.code) & take) | (uint32_t(s.alias) & ~take));
    }
  };
  Rows rows() const { return {begin_.data(), slots_.data()}; }

 private:
  int max_psum_ = 0, adc_bits_ = 0;
  std::vector<uint32_t> begin_;  // per psum: first slot
  std::vector<Slot> slots_;
};

// ErrorTable for (ADC bits, active rows); e.g. wraps calibration::Tables::error_table.
using TableLookup = std::function<const calibration::ErrorTable&(int adc_bits, int active_rows)>;

// All samplers one ADC resolution needs, indexed by active rows 0..rows.
struct AdcSamplers {
  int adc_bits = 0;
  int max_psum = 0;
  std::vector<const CodeSampler*> by_active_rows;
  std::vector<std::unique_ptr<CodeSampler>> owned;
};

class CalibratedAdc {
 public:
  CalibratedAdc(TableLookup lookup, int rows) : lookup_(std::move(lookup)), rows_(rows) {}
  // Compiles on first use (thread-safe); InputError if the tables lack `adc_bits`.
  const AdcSamplers& at(int adc_bits) const;
  int rows() const { return rows_; }

 private:
  TableLookup lookup_;
  int rows_;
  mutable std::mutex mu_;
  mutable std::map<int, std::unique_ptr<AdcSamplers>> cache_;
};

// The nonideality of a calibration file at its nominal wire resistance (wire_ohm < 0) or
// the nearest tabulated one; `tables` must outlive the result.
std::unique_ptr<CalibratedAdc> calibrated_adc(const calibration::Tables& tables, double wire_ohm = -1);

}  // namespace rramsim::schemes
