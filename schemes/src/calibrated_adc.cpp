#include "rramsim/schemes/calibrated_adc.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "rramsim/common/error.hpp"

namespace rramsim::schemes {

CodeSampler::CodeSampler(const calibration::ErrorTable& t) : max_psum_(t.max_psum), adc_bits_(t.adc_bits) {
  if (t.prob.rows() != t.max_psum + 1 || t.prob.cols() != (1L << t.adc_bits) || t.max_psum < 0)
    throw InputError(fmt::format("error table for {}-bit ADC: expected {} x {} probabilities, got {} x {}",
                                 t.adc_bits, t.max_psum + 1, 1L << t.adc_bits, t.prob.rows(), t.prob.cols()));
  begin_.push_back(0);
  std::vector<int> codes;
  std::vector<double> p;
  std::vector<size_t> small, large;
  for (int s = 0; s <= t.max_psum; ++s) {
    double total = 0;
    codes.clear();
    p.clear();
    for (int c = 0; c < t.prob.cols(); ++c)
      if (t.prob(s, c) > 0 && std::isfinite(t.prob(s, c))) {
        codes.push_back(c);
        p.push_back(t.prob(s, c));
        total += t.prob(s, c);
      }
    if (!(total > 0))
      throw InputError(fmt::format("error table for {}-bit ADC: row for partial sum {} has no probability",
                                   t.adc_bits, s));
    // Vose's alias method over the row's non-zero codes.
    const size_t n = codes.size(), base = slots_.size();
    slots_.resize(base + n);
    small.clear();
    large.clear();
    for (size_t k = 0; k < n; ++k) {
      p[k] = p[k] / total * double(n);
      (p[k] < 1.0 ? small : large).push_back(k);
    }
    while (!small.empty() && !large.empty()) {
      size_t l = small.back(), g = large.back();
      small.pop_back();
      slots_[base + l] = {uint32_t(std::min(p[l], 1.0) * 4294967295.0), uint16_t(codes[l]), uint16_t(codes[g])};
      p[g] -= 1.0 - p[l];
      if (p[g] < 1.0) {
        large.pop_back();
        small.push_back(g);
      }
    }
    for (size_t k : large) slots_[base + k] = {0xffffffffu, uint16_t(codes[k]), uint16_t(codes[k])};
    for (size_t k : small) slots_[base + k] = {0xffffffffu, uint16_t(codes[k]), uint16_t(codes[k])};
    begin_.push_back(uint32_t(slots_.size()));
  }
}

const AdcSamplers& CalibratedAdc::at(int adc_bits) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cache_.find(adc_bits);
  if (it != cache_.end()) return *it->second;
  auto s = std::make_unique<AdcSamplers>();
  s->adc_bits = adc_bits;
  s->by_active_rows.resize(rows_ + 1, nullptr);
  std::map<const calibration::ErrorTable*, const CodeSampler*> compiled;
  s->max_psum = -1;
  for (int a = 0; a <= rows_; ++a) {
    // Tables are bucketed by active rows; zero active rows reads like the smallest bucket.
    const calibration::ErrorTable& t = lookup_(adc_bits, std::max(a, 1));
    if (t.adc_bits != adc_bits)
      throw InputError(fmt::format("calibration tables returned a {}-bit table for a {}-bit ADC", t.adc_bits,
                                   adc_bits));
    auto& c = compiled[&t];
    if (!c) {
      s->owned.push_back(std::make_unique<CodeSampler>(t));
      c = s->owned.back().get();
      s->max_psum = s->max_psum < 0 ? t.max_psum : std::min(s->max_psum, t.max_psum);
    }
    s->by_active_rows[a] = c;
  }
  return *cache_.emplace(adc_bits, std::move(s)).first->second;
}

std::unique_ptr<CalibratedAdc> calibrated_adc(const calibration::Tables& tables, double wire_ohm) {
  const calibration::Tables* t = &tables;
  return std::make_unique<CalibratedAdc>(
      [t, wire_ohm](int bits, int active_rows) -> const calibration::ErrorTable& {
        return t->error_table(bits, wire_ohm, active_rows);
      },
      tables.rows());
}

}  // namespace rramsim::schemes
