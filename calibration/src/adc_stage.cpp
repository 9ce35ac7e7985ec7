#include "rramsim/calibration/adc_stage.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "rramsim/common/error.hpp"

namespace rramsim::calibration {

namespace {

using Dist = std::vector<std::pair<int, double>>;  // (level index k over all thresholds, probability)

// Mean current versus partial sum from the observed means: linear between observed sums,
// proportional to s beyond them (the current of an ideal array is), then non-decreasing.
std::vector<double> fit_mean(const std::vector<double>& sum, const std::vector<int64_t>& cnt, int S, double lsb) {
  std::vector<int> obs;
  for (int s = 0; s < static_cast<int>(cnt.size()); ++s)
    if (cnt[s] > 0) obs.push_back(s);
  std::vector<double> mu(S);
  if (obs.empty()) {
    for (int s = 0; s < S; ++s) mu[s] = s * lsb;
    return mu;
  }
  auto m = [&](int s) { return sum[s] / cnt[s]; };
  size_t i = 0;
  for (int s = 0; s < S; ++s) {
    while (i + 1 < obs.size() && obs[i + 1] <= s) ++i;
    if (s < obs.front()) {
      mu[s] = obs.front() > 0 ? m(obs.front()) * s / obs.front() : m(obs.front());
    } else if (s >= obs.back()) {
      mu[s] = obs.back() > 0 ? m(obs.back()) * s / obs.back() : m(obs.back()) + s * lsb;
    } else {
      int a = obs[i], b = obs[i + 1];
      mu[s] = a == s ? m(a) : m(a) + (m(b) - m(a)) * (s - a) / (b - a);
    }
  }
  for (int s = 1; s < S; ++s) mu[s] = std::max(mu[s], mu[s - 1]);
  return mu;
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
  const int S = std::max(t.T + 1, t.P);
  t.lsb_amp = d.read_volt * (d.mean_siemens[L - 1] - d.mean_siemens[0]) / (L - 1);
  t.offset_amp_per_row = a.subtract_hrs_offset ? d.read_volt * d.mean_siemens[0] : 0.0;
  if (!(t.lsb_amp > 0)) throw SolverError("level conductances do not increase: no current per level step");

  t.thresholds_amp.assign(static_cast<size_t>(t.W) * t.C * t.T, 0);
  t.calibrated_mean_amp.assign(static_cast<size_t>(t.W) * t.C * t.P, 0);
  t.psum_weight.assign(static_cast<size_t>(t.W) * t.P, 0);
  t.source.assign(static_cast<size_t>(t.W) * t.K * t.P, 0);
  std::vector<Dist> dists(static_cast<size_t>(t.W) * t.K * t.P);  // over all T thresholds

  for (int w = 0; w < t.W; ++w) {
    // Converted currents of this wire resistance: (psum, active, bucket, amp).
    struct Sample {
      int s, a, c;
      double amp;
    };
    std::vector<Sample> v;
    for (size_t u = 0; u < keys.size(); ++u) {
      if (keys[u].wire != w) continue;
      const auto& us = samples[u];
      for (int b = 0; b < us.batch; ++b) {
        int act = static_cast<int>(us.active_idx[b]);
        double off = x.active_rows[act] * t.offset_amp_per_row;
        for (int j = 0; j < us.cols; ++j) {
          size_t i = static_cast<size_t>(b) * us.cols + j;
          v.push_back({static_cast<int>(us.psum[i]), act, column_bucket(j, us.cols, t.C), us.current_amp[i] - off});
        }
      }
    }
    // Thresholds per column bucket.
    std::vector<const double*> th(t.C);
    std::vector<std::vector<double>> mu_c(t.C);
    for (int c = 0; c < t.C; ++c) {
      std::vector<double> sum(t.P, 0);
      std::vector<int64_t> cnt(t.P, 0);
      for (const auto& e : v)
        if (e.c == c) sum[e.s] += e.amp, ++cnt[e.s];
      std::vector<double> mu = fit_mean(sum, cnt, S, t.lsb_amp);
      double* tc = &t.thresholds_amp[(static_cast<size_t>(w) * t.C + c) * t.T];
      for (int k = 1; k <= t.T; ++k)
        tc[k - 1] = a.thresholds == "ideal" ? (k - 0.5) * t.lsb_amp : 0.5 * (mu[k - 1] + mu[k]);
      th[c] = tc;
      for (int s = 0; s < t.P; ++s) t.calibrated_mean_amp[(static_cast<size_t>(w) * t.C + c) * t.P + s] = mu[s];
      mu_c[c] = std::move(mu);
    }
    // Histograms over the level index, per (active key, psum); the last key pools all.
    std::vector<std::map<int, int64_t>> hist(static_cast<size_t>(t.K) * t.P);
    // Spread per psum: residuals about the bucket's mean (column position is systematic).
    std::vector<double> sq(t.P, 0);
    std::vector<int64_t> cnt(t.P, 0);
    for (const auto& e : v) {
      int k = level_of(th[e.c], t.T, e.amp);
      ++hist[static_cast<size_t>(e.a) * t.P + e.s][k];
      ++hist[static_cast<size_t>(A) * t.P + e.s][k];
      double r = e.amp - mu_c[e.c][e.s];
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
    std::vector<Dist> gauss(t.P);
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
          if (gauss[s].empty()) {
            std::vector<double> mus;
            for (int c = 0; c < t.C; ++c) mus.push_back(mu_c[c][s]);
            gauss[s] = gaussian_dist(th, t.T, mus, sigma_at(s));
          }
          dists[i] = gauss[s];
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
  hsize_t W = t.W, K = t.K, C = t.C, P = t.P, T = t.T, B = t.bits.size();
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
  g.write("thresholds_amp", t.thresholds_amp, {W, C, T})
      .attr("units", "A").attr("axes", "wire, column_bucket, threshold (code k-1 | k at index k-1)");
  g.write("calibrated_mean_amp", t.calibrated_mean_amp, {W, C, P}).attr("units", "A").attr("axes", "wire, column_bucket, psum");
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
