#include "rramsim/calibration/adc_stage.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>

#include "rramsim/calibration/schema.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::calibration {

namespace {

using Dist = std::vector<std::pair<int, double>>;  // (level index k over all thresholds, probability)

// The calibrated reference of one (wire, active-row count, column bucket): the mean
// converted current at each sampled partial sum, made non-decreasing by pool-adjacent-
// violators (weighted by the sample counts, so sparse noisy sums merge with their
// neighbours), linear between sampled sums, and continued outside the sampled range with the
// least-squares slope of current versus sum. A parametric curve (line or quadratic) is not
// used: the current at (n, s) depends on the level mix, which changes along s, so a smooth
// curve leaves the mean code biased by up to tens of LSB. Empty if the slope is not positive.
std::vector<double> fit_reference(const std::vector<std::pair<int, double>>& s_amp, int S) {
  std::map<int, std::pair<double, int64_t>> by_s;  // s -> (sum, count)
  double ss = 0, sa = 0, saa = 0, sas = 0, n = 0;
  for (const auto& [s, amp] : s_amp) {
    auto& e = by_s[s];
    e.first += amp, ++e.second;
    ss += s, sa += amp, saa += double(s) * s, sas += s * amp, n += 1;
  }
  double var = saa - ss * ss / std::max(n, 1.0);
  if (by_s.size() < 2 || !(var > 0)) return {};
  double slope = (sas - ss * sa / n) / var;
  if (!(slope > 0)) return {};
  struct Block {
    int lo, hi;
    double sum;
    int64_t cnt;
    double mean() const { return sum / cnt; }
  };
  std::vector<Block> blocks;
  for (const auto& [s, e] : by_s) {
    blocks.push_back({s, s, e.first, e.second});
    while (blocks.size() > 1 && blocks[blocks.size() - 2].mean() > blocks.back().mean()) {
      Block b = blocks.back();
      blocks.pop_back();
      blocks.back().hi = b.hi, blocks.back().sum += b.sum, blocks.back().cnt += b.cnt;
    }
  }
  std::vector<std::pair<int, double>> knots;  // (s, fitted mean) at every sampled sum
  for (const auto& b : blocks)
    for (const auto& [s, e] : by_s)
      if (s >= b.lo && s <= b.hi) knots.emplace_back(s, b.mean());
  std::vector<double> out(S);
  size_t i = 0;
  for (int s = 0; s < S; ++s) {
    while (i + 1 < knots.size() && knots[i + 1].first <= s) ++i;
    if (s <= knots.front().first) {
      out[s] = knots.front().second - (knots.front().first - s) * slope;
    } else if (s >= knots.back().first) {
      out[s] = knots.back().second + (s - knots.back().first) * slope;
    } else {
      auto [s0, m0] = knots[i];
      auto [s1, m1] = knots[i + 1];
      out[s] = m0 + (m1 - m0) * (s - s0) / (s1 - s0);
    }
  }
  return out;
}

int level_of(const double* t, int T, double amp) { return static_cast<int>(std::upper_bound(t, t + T, amp) - t); }

// Distribution over level index of a Gaussian current (mean mu[c] in column bucket c, one
// spread), averaged over the column buckets.
Dist gaussian_dist(const std::vector<const double*>& th, int T, const std::vector<double>& mu_c, double sigma) {
  std::map<int, double> acc;
  double w = 1.0 / th.size();
  for (size_t c = 0; c < th.size(); ++c) {
    const double* t = th[c];
    double mu = mu_c[c];
    if (sigma <= 0) {
      acc[level_of(t, T, mu)] += w;
      continue;
    }
    int lo = level_of(t, T, mu - 8 * sigma), hi = level_of(t, T, mu + 8 * sigma);
    auto cdf = [&](int k) {  // P(current < t_k), t_0 = -inf, t_{T+1} = +inf
      if (k <= 0) return 0.0;
      if (k > T) return 1.0;
      return 0.5 * std::erfc(-(t[k - 1] - mu) / (sigma * std::sqrt(2.0)));
    };
    for (int k = lo; k <= hi; ++k) {
      double p = cdf(k + 1) - cdf(k);
      if (p > 1e-12) acc[k] += w * p;  // below that it is round-off of the erfc difference
    }
  }
  double total = 0;
  for (auto& [k, p] : acc) total += p;
  Dist d;
  for (auto& [k, p] : acc) d.emplace_back(k, p / total);
  return d;
}

int64_t cnt_of(const std::map<int, int64_t>& h) {
  int64_t n = 0;
  for (auto& [k, c] : h) n += c;
  return n;
}

Dist normalize(const std::map<int, int64_t>& h) {
  int64_t n = 0;
  for (auto& [k, c] : h) n += c;
  Dist d;
  for (auto& [k, c] : h) d.emplace_back(k, static_cast<double>(c) / n);
  return d;
}

}  // namespace

namespace {

// One converted-current sample of a wire resistance.
struct Sample {
  int psum, active, bucket, array;  // partial sum, active-row index, column bucket, array of this wire
  double amp;
};

// The samples of wire `w`, raw column current, and the number of arrays they come from.
std::vector<Sample> wire_samples(const std::vector<CrossbarUnitKey>& keys, const std::vector<UnitSamples>& samples,
                                 int w, int buckets, int& arrays) {
  std::vector<Sample> v;
  arrays = 0;
  for (size_t u = 0; u < keys.size(); ++u) {
    if (keys[u].wire != w) continue;
    const auto& us = samples[u];
    for (int b = 0; b < us.batch; ++b) {
      int act = static_cast<int>(us.active_idx[b]);
      for (int j = 0; j < us.cols; ++j) {
        size_t i = static_cast<size_t>(b) * us.cols + j;
        v.push_back({static_cast<int>(us.psum[i]), act, column_bucket(j, us.cols, buckets), arrays, us.current_amp[i]});
      }
    }
    ++arrays;
  }
  return v;
}

// The references of one wire, one per (array, active-row count, column bucket), and the
// thresholds midway between adjacent reference means.
struct WireReferences {
  std::vector<std::vector<double>> mean_amp;   // per reference: mean current at each sum 0..S-1
  std::vector<std::vector<double>> threshold;  // per reference: T thresholds
};

// One wire's share of the ADC stage, step by step (see run_adc_stage).
class WireStep {
 public:
  WireStep(const CalibrationOptions& o, AdcTables& t, int wire, std::vector<Sample> v)
      : o_(o), t_(t), w_(wire), v_(std::move(v)), A_(t.active_keys - 1), R_(t.refs_per_wire()) {}

  // The reference per (array, active-row count n, column bucket): each array's ADC
  // reference is calibrated once after programming (the weights are static), and the
  // periphery knows n (the input popcount, as for the HRS offset). Without the offset
  // subtraction n is not assumed known: one reference per (array, bucket) for all n.
  void fit_references() {
    const auto& x = o_.crossbar;
    const auto& a = o_.adc;
    for (auto& e : v_) e.amp -= x.active_rows[e.active] * t_.offset_amp_per_row;
    const bool per_count = a.subtract_hrs_offset;
    const int S = std::max(t_.thresholds + 1, t_.psums);
    std::vector<std::vector<std::pair<int, double>>> groups(R_);
    for (const auto& e : v_)
      for (int n = 0; n < A_; ++n)
        if (n == e.active || (!per_count && n == 0)) groups[t_.ref(e.array, n, e.bucket)].emplace_back(e.psum, e.amp);
    refs_.mean_amp.assign(R_, {});
    refs_.threshold.assign(R_, {});
    for (size_t r = 0; r < R_; ++r) {
      auto& mean = refs_.mean_amp[r];
      int n = static_cast<int>(r / t_.column_buckets % A_);
      if (!per_count && n > 0)
        mean = refs_.mean_amp[r - static_cast<size_t>(n) * t_.column_buckets];  // the (array, bucket) reference
      else if (a.thresholds != "ideal")
        mean = fit_reference(groups[r], S);
      if (mean.empty())  // ideal thresholds, or too few sums to fit: the nominal LSB
        for (int q = 0; q < S; ++q) mean.push_back(q * t_.lsb_amp);
      auto& th = refs_.threshold[r];
      th.resize(t_.thresholds);
      for (int k = 1; k <= t_.thresholds; ++k) th[k - 1] = 0.5 * (mean[k - 1] + mean[k]);
      std::copy(mean.begin(), mean.begin() + t_.psums, &t_.calibrated_mean_amp[(w_ * R_ + r) * t_.psums]);
    }
  }

  // Residual spread about each reference, in units of its mean slope (the calibrated LSB).
  void reference_spread() {
    std::vector<double> sq(R_, 0);
    std::vector<int64_t> nn(R_, 0);
    for (const auto& e : v_) {
      size_t r = t_.ref(e.array, e.active, e.bucket);
      double d = e.amp - refs_.mean_amp[r][e.psum];
      sq[r] += d * d, ++nn[r];
    }
    for (size_t r = 0; r < R_; ++r) {
      const auto& mu = refs_.mean_amp[r];
      double gain = (mu[t_.psums - 1] - mu[0]) / (t_.psums - 1);
      t_.reference_gain_amp[w_ * R_ + r] = gain;
      t_.residual_rms_lsb[w_ * R_ + r] = nn[r] ? std::sqrt(sq[r] / nn[r]) / gain : 0.0;
    }
  }

  // Histograms over the level index per (active key, psum), the last key pooling all; the
  // spread per psum about the bucket's mean (column position is systematic); psum weights.
  void histograms() {
    const int P = t_.psums;
    hist_.assign(static_cast<size_t>(t_.active_keys) * P, {});
    sq_.assign(P, 0);
    cnt_.assign(P, 0);
    for (const auto& e : v_) {
      size_t r = t_.ref(e.array, e.active, e.bucket);
      int k = level_of(refs_.threshold[r].data(), t_.thresholds, e.amp);
      ++hist_[static_cast<size_t>(e.active) * P + e.psum][k];
      ++hist_[static_cast<size_t>(A_) * P + e.psum][k];
      double res = e.amp - refs_.mean_amp[r][e.psum];
      sq_[e.psum] += res * res, ++cnt_[e.psum];
    }
    int64_t total = 0;
    for (int s = 0; s < P; ++s) total += cnt_[s];
    for (int s = 0; s < P; ++s) t_.psum_weight[t_.wire_psum(w_, s)] = total ? double(cnt_[s]) / total : 0;
    // For the Gaussian model of unsampled sums: the spread of the nearest well-sampled sum.
    for (int s = 0; s < P; ++s)
      if (cnt_[s] >= o_.adc.min_samples) sampled_.push_back(s);
    if (sampled_.empty())
      for (int s = 0; s < P; ++s)
        if (cnt_[s] >= 2) sampled_.push_back(s);
  }

  // P(level index | key, psum): keyed samples if enough, else pooled samples, else the
  // Gaussian model.
  void code_distributions(std::vector<Dist>& dists) {
    const int P = t_.psums;
    const int64_t min_samples = o_.adc.min_samples;
    for (int k = 0; k < t_.active_keys; ++k)
      for (int s = 0; s < P; ++s) {
        size_t i = t_.wire_key_psum(w_, k, s);
        const auto& keyed = hist_[static_cast<size_t>(k) * P + s];
        const auto& pooled = hist_[static_cast<size_t>(A_) * P + s];
        if (cnt_of(keyed) >= min_samples) {
          dists[i] = normalize(keyed);
          t_.source[i] = 0;
        } else if (cnt_of(pooled) >= min_samples) {
          dists[i] = normalize(pooled);
          t_.source[i] = 1;
        } else {
          dists[i] = gauss_at(k, s);
          t_.source[i] = 2;
        }
      }
  }

 private:
  double sigma_at(int s) const {
    if (sampled_.empty()) return 0.0;
    int best = sampled_[0];
    for (int q : sampled_)
      if (std::abs(q - s) < std::abs(best - s)) best = q;
    return std::sqrt(sq_[best] / (cnt_[best] - 1));
  }

  // Gaussian code distribution at an unsampled sum under the references of count n, one
  // per column bucket, averaged over arrays; computed once, reused by the pooled key.
  const Dist& gauss_n(int n, int s) {
    auto it = gauss_cache_.find({n, s});
    if (it != gauss_cache_.end()) return it->second;
    std::map<int, double> acc;
    const int U = t_.arrays_per_wire, C = t_.column_buckets;
    for (int u = 0; u < U; ++u) {
      size_t r0 = t_.ref(u, n, 0);
      std::vector<const double*> ths;
      std::vector<double> mus;
      for (int c = 0; c < C; ++c) {
        ths.push_back(refs_.threshold[r0 + c].data());
        mus.push_back(refs_.mean_amp[r0 + c][s]);
      }
      for (auto& [k, p] : gaussian_dist(ths, t_.thresholds, mus, sigma_at(s))) acc[k] += p / U;
    }
    return gauss_cache_[{n, s}] = Dist(acc.begin(), acc.end());
  }

  Dist gauss_at(int key, int s) {
    if (key < A_) return gauss_n(key, s);
    std::map<int, double> acc;
    for (int n = 0; n < A_; ++n)
      for (auto& [k, p] : gauss_n(n, s)) acc[k] += p / A_;
    return Dist(acc.begin(), acc.end());
  }

  const CalibrationOptions& o_;
  AdcTables& t_;
  const size_t w_;
  std::vector<Sample> v_;
  const int A_;
  const size_t R_;
  WireReferences refs_;
  std::vector<std::map<int, int64_t>> hist_;
  std::vector<double> sq_;
  std::vector<int64_t> cnt_;
  std::vector<int> sampled_;
  std::map<std::pair<int, int>, Dist> gauss_cache_;
};

// Per resolution: clip the level index to 2^b - 1, store densely up to the highest code
// seen, and the error rate and mean absolute error over the pooled key.
void resolution_tables(AdcTables& t, int bits, const std::vector<Dist>& dists) {
  const int pooled = t.active_keys - 1;
  int top = (1 << bits) - 1, maxc = 0;
  for (const auto& dd : dists)
    for (auto& [k, p] : dd) maxc = std::max(maxc, std::min(k, top));
  const int nc = maxc + 1;
  std::vector<double> prob(dists.size() * nc, 0);
  for (size_t r = 0; r < dists.size(); ++r)
    for (auto& [k, p] : dists[r]) prob[r * nc + std::min(k, top)] += p;
  for (int w = 0; w < t.wires; ++w) {
    double err = 0, mae = 0;
    for (int s = 0; s < t.psums; ++s) {
      double ws = t.psum_weight[t.wire_psum(w, s)];
      if (ws == 0) continue;
      int ideal = std::min(s, top);
      size_t r = t.wire_key_psum(w, pooled, s);
      for (int c = 0; c < nc; ++c) {
        double p = prob[r * nc + c];
        if (c != ideal) err += ws * p;
        mae += ws * p * std::abs(c - ideal);
      }
    }
    t.error_rate.push_back(err);
    t.mean_abs_error_lsb.push_back(mae);
  }
  t.prob.push_back(std::move(prob));
  t.codes.push_back(nc);
}

}  // namespace

AdcTables run_adc_stage(const CalibrationOptions& o, const DeviceLevels& d, const std::vector<CrossbarUnitKey>& keys,
                        const std::vector<UnitSamples>& samples) {
  const auto& x = o.crossbar;
  const auto& a = o.adc;
  AdcTables t;
  AdcCostModel model = load_adc_cost_model(a.cost_model);
  t.bits = a.bits;
  t.cost_model = a.cost_model;
  t.cost_source = model.source;
  for (int b : a.bits) t.costs.push_back(model.at(b));

  const int L = d.levels();
  t.wires = static_cast<int>(x.wire_ohm.size());
  t.active_keys = static_cast<int>(x.active_rows.size()) + 1;
  t.column_buckets = x.column_buckets;
  t.psums = x.max_psum(L) + 1;
  t.thresholds = (1 << a.bits.back()) - 1;
  t.lsb_amp = d.read_volt * (d.mean_siemens[L - 1] - d.mean_siemens[0]) / (L - 1);
  t.offset_amp_per_row = a.subtract_hrs_offset ? d.read_volt * d.mean_siemens[0] : 0.0;
  if (!(t.lsb_amp > 0)) throw SolverError("level conductances do not increase: no current per level step");

  t.psum_weight.assign(static_cast<size_t>(t.wires) * t.psums, 0);
  t.source.assign(static_cast<size_t>(t.wires) * t.active_keys * t.psums, 0);
  std::vector<Dist> dists(t.source.size());  // over all thresholds
  for (int w = 0; w < t.wires; ++w) {
    int arrays = 0;
    auto v = wire_samples(keys, samples, w, t.column_buckets, arrays);
    if (w == 0) {
      t.arrays_per_wire = arrays;
      const size_t refs = static_cast<size_t>(t.wires) * t.refs_per_wire();
      t.calibrated_mean_amp.assign(refs * t.psums, 0);
      t.reference_gain_amp.assign(refs, 0);
      t.residual_rms_lsb.assign(refs, 0);
    }
    if (arrays != t.arrays_per_wire) throw SolverError("calibration units differ in number between wire resistances");
    WireStep step(o, t, w, std::move(v));
    step.fit_references();
    step.reference_spread();
    step.histograms();
    step.code_distributions(dists);
  }
  for (int b : a.bits) resolution_tables(t, b, dists);
  return t;
}

void write_adc_tables(h5::Group& g, const CalibrationOptions& o, const AdcTables& t) {
  const hsize_t W = t.wires, K = t.active_keys, A = K - 1, C = t.column_buckets, P = t.psums, B = t.bits.size(),
                U = t.arrays_per_wire;
  g.attr("cost_model", t.cost_model);
  g.attr("cost_source", t.cost_source);
  g.attr("thresholds", o.adc.thresholds);
  g.attr("subtract_hrs_offset", static_cast<int64_t>(o.adc.subtract_hrs_offset));
  g.attr("min_samples", static_cast<int64_t>(o.adc.min_samples));
  g.attr("lsb_amp", t.lsb_amp);
  g.attr("offset_amp_per_row", t.offset_amp_per_row);
  g.attr("reference", o.adc.subtract_hrs_offset ? "per array, active-row count and column bucket"
                                                 : "per array and column bucket");
  g.write_axis(schema::kBits, std::vector<int64_t>(t.bits.begin(), t.bits.end()), "bits", "bits");
  std::vector<double> e, ar, rate, pw;
  for (const auto& c : t.costs) {
    e.push_back(c.energy_pj);
    ar.push_back(c.area_um2);
    rate.push_back(c.sample_rate_hz);
    pw.push_back(c.power_mw);
  }
  g.write(schema::kEnergyPj, e, {"pJ per conversion", {"bits"}});
  g.write(schema::kAreaUm2, ar, {"um^2", {"bits"}});
  g.write(schema::kSampleRateHz, rate, {"Hz", {"bits"}});
  g.write(schema::kPowerMw, pw, {"mW", {"bits"}});
  std::vector<int64_t> keys(o.crossbar.active_rows.begin(), o.crossbar.active_rows.end());
  keys.push_back(0);
  g.write_axis(schema::kActiveRowsKey, keys, "active_key", "rows (0 = pooled)");
  const std::vector<std::string> wuac = {"wire", "array", "active", "column_bucket"};
  g.write("calibrated_mean_amp", t.calibrated_mean_amp,
          {"A", {"wire", "array", "active", "column_bucket", "psum"}, {W, U, A, C, P}});
  g.write("reference_gain_amp", t.reference_gain_amp, {"A per psum unit", wuac, {W, U, A, C}});
  g.write("residual_rms_lsb", t.residual_rms_lsb, {"reference_gain_amp", wuac, {W, U, A, C}});
  g.write("psum_weight", t.psum_weight, {"1", {"wire", "psum"}, {W, P}});
  g.write("table_source", t.source,
          {"0 keyed samples, 1 pooled samples, 2 Gaussian model", {"wire", "active_key", "psum"}, {W, K, P}});
  g.write(schema::kErrorRate, t.error_rate, {"1", {"bits", "wire"}, {B, W}});
  g.write(schema::kMeanAbsErrorLsb, t.mean_abs_error_lsb, {"LSB", {"bits", "wire"}, {B, W}});
  for (size_t i = 0; i < t.bits.size(); ++i) {
    auto gb = g.create_group(schema::bits_group(t.bits[i]));
    gb.attr("adc_bits", static_cast<int64_t>(t.bits[i]));
    gb.attr("codes_stored", static_cast<int64_t>(t.codes[i]));
    // Codes >= codes_stored have probability 0.
    gb.write(schema::kProb, t.prob[i],
             {"1", {"wire", "active_key", "psum", "code"}, {W, K, P, static_cast<hsize_t>(t.codes[i])}});
  }
}

}  // namespace rramsim::calibration
