#include "rramsim/calibration/adc_stage.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>

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
  const int A = static_cast<int>(x.active_rows.size());
  t.W = static_cast<int>(x.wire_ohm.size());
  t.K = A + 1;
  t.C = x.column_buckets;
  t.P = x.max_psum(L) + 1;
  t.T = (1 << a.bits.back()) - 1;
  t.lsb_amp = d.read_volt * (d.mean_siemens[L - 1] - d.mean_siemens[0]) / (L - 1);
  t.offset_amp_per_row = a.subtract_hrs_offset ? d.read_volt * d.mean_siemens[0] : 0.0;
  if (!(t.lsb_amp > 0)) throw SolverError("level conductances do not increase: no current per level step");

  const int S = std::max(t.T + 1, t.P);
  t.psum_weight.assign(static_cast<size_t>(t.W) * t.P, 0);
  t.source.assign(static_cast<size_t>(t.W) * t.K * t.P, 0);
  std::vector<Dist> dists(static_cast<size_t>(t.W) * t.K * t.P);  // over all T thresholds

  for (int w = 0; w < t.W; ++w) {
    // Samples of this wire resistance, raw column current.
    struct Sample {
      int s, a, c, u;  // psum, active-row index, column bucket, array (unit of this wire)
      double amp;
    };
    std::vector<Sample> v;
    int U = 0;
    for (size_t u = 0; u < keys.size(); ++u) {
      if (keys[u].wire != w) continue;
      const auto& us = samples[u];
      for (int b = 0; b < us.batch; ++b) {
        int act = static_cast<int>(us.active_idx[b]);
        for (int j = 0; j < us.cols; ++j) {
          size_t i = static_cast<size_t>(b) * us.cols + j;
          v.push_back({static_cast<int>(us.psum[i]), act, column_bucket(j, us.cols, t.C), U, us.current_amp[i]});
        }
      }
      ++U;
    }
    if (w == 0) {
      t.U = U;
      const size_t WUAC = static_cast<size_t>(t.W) * U * A * t.C;
      t.calibrated_mean_amp.assign(WUAC * t.P, 0);
      t.reference_gain_amp.assign(WUAC, 0);
      t.residual_rms_lsb.assign(WUAC, 0);
    }
    if (U != t.U) throw SolverError("calibration units differ in number between wire resistances");
    // The reference per (array, active-row count n, column bucket): each array's ADC
    // reference is calibrated once after programming (the weights are static), and the
    // periphery knows n (the input popcount, as for the HRS offset). Without the offset
    // subtraction n is not assumed known: one reference per (array, bucket) for all n.
    for (auto& e : v) e.amp -= x.active_rows[e.a] * t.offset_amp_per_row;
    const bool per_count = a.subtract_hrs_offset;
    const size_t R = static_cast<size_t>(U) * A * t.C;  // reference index (u, n, c)
    std::vector<std::vector<std::pair<int, double>>> groups(R);
    for (const auto& e : v)
      for (int n = 0; n < A; ++n)
        if (n == e.a || (!per_count && n == 0)) groups[(static_cast<size_t>(e.u) * A + n) * t.C + e.c].emplace_back(e.s, e.amp);
    std::vector<std::vector<double>> refs(R);
    std::vector<const double*> th(R), mu(R);
    std::vector<std::vector<double>> thr(R);
    for (size_t r = 0; r < R; ++r) {
      int n = static_cast<int>(r / t.C % A);
      if (!per_count && n > 0)
        refs[r] = refs[r - static_cast<size_t>(n) * t.C];  // the (array, bucket) reference
      else if (a.thresholds != "ideal")
        refs[r] = fit_reference(groups[r], S);
      if (refs[r].empty())  // ideal thresholds, or too few sums to fit: the nominal LSB
        for (int q = 0; q < S; ++q) refs[r].push_back(q * t.lsb_amp);
      thr[r].resize(t.T);
      for (int k = 1; k <= t.T; ++k) thr[r][k - 1] = 0.5 * (refs[r][k - 1] + refs[r][k]);
      th[r] = thr[r].data();
      mu[r] = refs[r].data();
      size_t wr = static_cast<size_t>(w) * R + r;
      std::copy(refs[r].begin(), refs[r].begin() + t.P, &t.calibrated_mean_amp[wr * t.P]);
    }
    groups.clear();
    // Residual spread about each reference, in units of its mean slope (the calibrated LSB).
    {
      std::vector<double> sq(R, 0);
      std::vector<int64_t> nn(R, 0);
      for (const auto& e : v) {
        size_t r = (static_cast<size_t>(e.u) * A + e.a) * t.C + e.c;
        double d = e.amp - mu[r][e.s];
        sq[r] += d * d, ++nn[r];
      }
      for (size_t r = 0; r < R; ++r) {
        size_t wr = static_cast<size_t>(w) * R + r;
        double gain = (mu[r][t.P - 1] - mu[r][0]) / (t.P - 1);
        t.reference_gain_amp[wr] = gain;
        t.residual_rms_lsb[wr] = nn[r] ? std::sqrt(sq[r] / nn[r]) / gain : 0.0;
      }
    }
    // Histograms over the level index, per (active key, psum); the last key pools all.
    std::vector<std::map<int, int64_t>> hist(static_cast<size_t>(t.K) * t.P);
    // Spread per psum: residuals about the bucket's mean (column position is systematic).
    std::vector<double> sq(t.P, 0);
    std::vector<int64_t> cnt(t.P, 0);
    for (const auto& e : v) {
      size_t ac = (static_cast<size_t>(e.u) * A + e.a) * t.C + e.c;
      int k = level_of(th[ac], t.T, e.amp);
      ++hist[static_cast<size_t>(e.a) * t.P + e.s][k];
      ++hist[static_cast<size_t>(A) * t.P + e.s][k];
      double r = e.amp - mu[ac][e.s];
      sq[e.s] += r * r, ++cnt[e.s];
    }
    int64_t total = 0;
    for (int s = 0; s < t.P; ++s) total += cnt[s];
    for (int s = 0; s < t.P; ++s) t.psum_weight[static_cast<size_t>(w) * t.P + s] = total ? double(cnt[s]) / total : 0;
    // For the Gaussian model of unsampled sums: the spread of the nearest well-sampled sum.
    std::vector<int> sampled;
    for (int s = 0; s < t.P; ++s)
      if (cnt[s] >= a.min_samples) sampled.push_back(s);
    if (sampled.empty())
      for (int s = 0; s < t.P; ++s)
        if (cnt[s] >= 2) sampled.push_back(s);
    auto sigma_at = [&](int s) {
      if (sampled.empty()) return 0.0;
      int best = sampled[0];
      for (int q : sampled)
        if (std::abs(q - s) < std::abs(best - s)) best = q;
      return std::sqrt(sq[best] / (cnt[best] - 1));
    };
    // Gaussian code distribution at an unsampled sum: under the references of count n (all
    // counts averaged for the pooled key), one per column bucket.
    std::map<std::pair<int, int>, Dist> per_count_gauss;  // (n, s): computed once, reused by the pooled key
    auto gauss_n = [&](int n, int s) -> const Dist& {
      auto it = per_count_gauss.find({n, s});
      if (it != per_count_gauss.end()) return it->second;
      std::map<int, double> acc;
      for (int u = 0; u < U; ++u) {
        size_t r0 = (static_cast<size_t>(u) * A + n) * t.C;
        std::vector<const double*> ths(th.begin() + r0, th.begin() + r0 + t.C);
        std::vector<double> mus;
        for (int c = 0; c < t.C; ++c) mus.push_back(mu[r0 + c][s]);
        for (auto& [k, p] : gaussian_dist(ths, t.T, mus, sigma_at(s))) acc[k] += p / U;
      }
      return per_count_gauss[{n, s}] = Dist(acc.begin(), acc.end());
    };
    auto gauss_at = [&](int key, int s) {
      if (key < A) return gauss_n(key, s);
      std::map<int, double> acc;
      for (int n = 0; n < A; ++n)
        for (auto& [k, p] : gauss_n(n, s)) acc[k] += p / A;
      return Dist(acc.begin(), acc.end());
    };
    for (int k = 0; k < t.K; ++k)
      for (int s = 0; s < t.P; ++s) {
        size_t i = (static_cast<size_t>(w) * t.K + k) * t.P + s;
        const auto& hk = hist[static_cast<size_t>(k) * t.P + s];
        const auto& hp = hist[static_cast<size_t>(A) * t.P + s];
        if (cnt_of(hk) >= a.min_samples) {
          dists[i] = normalize(hk);
          t.source[i] = 0;
        } else if (cnt_of(hp) >= a.min_samples) {
          dists[i] = normalize(hp);
          t.source[i] = 1;
        } else {
          dists[i] = gauss_at(k, s);
          t.source[i] = 2;
        }
      }
  }

  // Per resolution: clip the level index to 2^b - 1, store densely up to the highest code seen.
  const size_t rows = static_cast<size_t>(t.W) * t.K * t.P;
  for (int b : a.bits) {
    int top = (1 << b) - 1, maxc = 0;
    for (const auto& dd : dists)
      for (auto& [k, p] : dd) maxc = std::max(maxc, std::min(k, top));
    int nc = maxc + 1;
    std::vector<double> prob(rows * nc, 0);
    for (size_t r = 0; r < rows; ++r)
      for (auto& [k, p] : dists[r]) prob[r * nc + std::min(k, top)] += p;
    for (int w = 0; w < t.W; ++w) {
      double err = 0, mae = 0;
      for (int s = 0; s < t.P; ++s) {
        double ws = t.psum_weight[static_cast<size_t>(w) * t.P + s];
        if (ws == 0) continue;
        int ideal = std::min(s, top);
        size_t r = (static_cast<size_t>(w) * t.K + A) * t.P + s;
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
  return t;
}

void write_adc_tables(h5::Group& g, const CalibrationOptions& o, const AdcTables& t) {
  hsize_t W = t.W, K = t.K, C = t.C, P = t.P, B = t.bits.size();
  g.attr("cost_model", t.cost_model);
  g.attr("cost_source", t.cost_source);
  g.attr("thresholds", o.adc.thresholds);
  g.attr("subtract_hrs_offset", static_cast<int64_t>(o.adc.subtract_hrs_offset));
  g.attr("min_samples", static_cast<int64_t>(o.adc.min_samples));
  g.attr("lsb_amp", t.lsb_amp);
  g.attr("offset_amp_per_row", t.offset_amp_per_row);
  std::vector<int64_t> bits(t.bits.begin(), t.bits.end());
  g.write("bits", bits).attr("units", "bits").attr("axes", "bits");
  std::vector<double> e, ar, rate, pw;
  for (const auto& c : t.costs) {
    e.push_back(c.energy_pj);
    ar.push_back(c.area_um2);
    rate.push_back(c.sample_rate_hz);
    pw.push_back(c.power_mw);
  }
  g.write("energy_pj", e).attr("units", "pJ per conversion").attr("axes", "bits");
  g.write("area_um2", ar).attr("units", "um^2").attr("axes", "bits");
  g.write("sample_rate_hz", rate).attr("units", "Hz").attr("axes", "bits");
  g.write("power_mw", pw).attr("units", "mW").attr("axes", "bits");
  std::vector<int64_t> keys(o.crossbar.active_rows.begin(), o.crossbar.active_rows.end());
  keys.push_back(0);
  g.write("active_rows_key", keys).attr("units", "rows (0 = pooled)").attr("axes", "active_key");
  hsize_t A = K - 1, U = t.U;
  const char* wuac = "wire, array, active, column_bucket";
  g.attr("reference", o.adc.subtract_hrs_offset ? "per array, active-row count and column bucket"
                                                 : "per array and column bucket");
  g.write("calibrated_mean_amp", t.calibrated_mean_amp, {W, U, A, C, P})
      .attr("units", "A").attr("axes", "wire, array, active, column_bucket, psum");
  g.write("reference_gain_amp", t.reference_gain_amp, {W, U, A, C}).attr("units", "A per psum unit").attr("axes", wuac);
  g.write("residual_rms_lsb", t.residual_rms_lsb, {W, U, A, C}).attr("units", "reference_gain_amp").attr("axes", wuac);
  g.write("psum_weight", t.psum_weight, {W, P}).attr("units", "1").attr("axes", "wire, psum");
  g.write("table_source", t.source, {W, K, P})
      .attr("units", "0 keyed samples, 1 pooled samples, 2 Gaussian model").attr("axes", "wire, active_key, psum");
  g.write("error_rate", t.error_rate, {B, W}).attr("units", "1").attr("axes", "bits, wire");
  g.write("mean_abs_error_lsb", t.mean_abs_error_lsb, {B, W}).attr("units", "LSB").attr("axes", "bits, wire");
  for (size_t i = 0; i < t.bits.size(); ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "bits_%02d", t.bits[i]);
    auto gb = g.create_group(name);
    gb.attr("adc_bits", static_cast<int64_t>(t.bits[i]));
    gb.attr("codes_stored", static_cast<int64_t>(t.codes[i]));
    gb.write("prob", t.prob[i], {W, K, P, static_cast<hsize_t>(t.codes[i])})
        .attr("units", "1").attr("axes", "wire, active_key, psum, code (codes >= codes_stored have probability 0)");
  }
}

}  // namespace rramsim::calibration
