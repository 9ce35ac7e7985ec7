#include "rramsim/calibration/crossbar_stage.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "rramsim/calibration/schema.hpp"
#include "rramsim/circuit/engine.hpp"
#include "rramsim/circuit/network.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::calibration {

namespace {

double uniform01(std::mt19937_64& rng) { return (rng() >> 11) * 0x1.0p-53; }

int draw_level(std::mt19937_64& rng, const std::vector<double>& probs) {
  double u = uniform01(rng), acc = 0;
  for (size_t l = 0; l + 1 < probs.size(); ++l) {
    acc += probs[l];
    if (u < acc) return static_cast<int>(l);
  }
  return static_cast<int>(probs.size()) - 1;
}

// Cells of one array: level indices and conductances drawn from the level's samples.
void draw_cells(std::mt19937_64& rng, const DeviceLevels& d, const std::vector<double>& probs, int rows, int cols,
                Eigen::MatrixXi& level, Eigen::MatrixXd& siemens) {
  level.resize(rows, cols);
  siemens.resize(rows, cols);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) {
      int l = draw_level(rng, probs);
      const auto& s = d.samples_siemens[l];
      level(i, j) = l;
      siemens(i, j) = s[rng() % s.size()];
    }
}

// A binary input with exactly n active rows (partial Fisher-Yates), as 0/1.
void draw_input(std::mt19937_64& rng, int rows, int n, std::vector<int>& perm, Eigen::Ref<Eigen::VectorXd> x) {
  std::iota(perm.begin(), perm.end(), 0);
  x.setZero();
  for (int k = 0; k < n; ++k) {
    int j = k + static_cast<int>(rng() % static_cast<uint64_t>(rows - k));
    std::swap(perm[k], perm[j]);
    x(perm[k]) = 1.0;
  }
}

double quantile_sorted(const double* v, size_t n, double p) {
  if (n == 0) return 0;
  double h = p * (n - 1);
  size_t lo = static_cast<size_t>(std::floor(h));
  size_t hi = std::min(lo + 1, n - 1);
  return v[lo] + (h - lo) * (v[hi] - v[lo]);
}

}  // namespace

std::vector<CrossbarUnitKey> crossbar_units(const CrossbarStageOptions& x) {
  std::vector<CrossbarUnitKey> out;
  for (int w = 0; w < static_cast<int>(x.wire_ohm.size()); ++w)
    for (int m = 0; m < static_cast<int>(x.mixes.size()); ++m)
      for (int a = 0; a < x.arrays_per_mix; ++a) out.push_back({w, m, a});
  return out;
}

circuit::CrossbarSpec crossbar_spec(const CalibrationOptions& o, double wire_ohm, int rows, int cols) {
  const auto& x = o.crossbar;
  circuit::CrossbarSpec s;
  s.rows = rows;
  s.cols = cols;
  s.cell = x.cell;
  s.linear_cells = x.linear_cells;
  s.wordline_wire_ohm = s.bitline_wire_ohm = wire_ohm;
  s.driver_ohm = x.driver_ohm;
  s.sense_ohm = x.sense_ohm;
  s.read_volt = o.device.params.read_volt;
  s.access_on_ohm = x.access_on_ohm;
  s.device = o.device.params;
  return s;
}

std::string bulk_engine(const CalibrationOptions& o, double wire_ohm) {
  const auto& x = o.crossbar;
  bool access = x.cell == circuit::CellType::one_t_one_r && x.access_on_ohm > 0;
  if (wire_ohm == 0 && x.driver_ohm == 0 && x.sense_ohm == 0 && !access && x.linear_cells) return "ideal";
  return x.engine;
}

ReadPower read_power(const circuit::CrossbarSpec& spec, const Eigen::MatrixXd& g, const Eigen::VectorXd& v,
                     const Eigen::MatrixXd& wl, const Eigen::MatrixXd& bl) {
  const int R = spec.rows, C = spec.cols;
  // A resistor of 0 ohm merged its nodes (no drop) and an infinite one is open: neither dissipates.
  auto conducts = [](double ohm) { return ohm > 0 && std::isfinite(ohm); };
  ReadPower p;
  for (int j = 0; j < C; ++j)
    for (int i = 0; i < R; ++i) {
      const double dv = wl(i, j) - bl(i, j);
      p.cell_watt += g(i, j) * dv * dv;
      p.ideal_watt += g(i, j) * v[i] * v[i];
    }
  double wire = 0;
  if (conducts(spec.driver_ohm))
    for (int i = 0; i < R; ++i) wire += (v[i] - wl(i, 0)) * (v[i] - wl(i, 0)) / spec.driver_ohm;
  if (conducts(spec.wordline_wire_ohm))
    for (int i = 0; i < R; ++i)
      for (int j = 0; j + 1 < C; ++j) wire += (wl(i, j) - wl(i, j + 1)) * (wl(i, j) - wl(i, j + 1)) / spec.wordline_wire_ohm;
  if (conducts(spec.bitline_wire_ohm))
    for (int j = 0; j < C; ++j)
      for (int i = 0; i + 1 < R; ++i) wire += (bl(i, j) - bl(i + 1, j)) * (bl(i, j) - bl(i + 1, j)) / spec.bitline_wire_ohm;
  if (conducts(spec.sense_ohm))
    for (int j = 0; j < C; ++j) wire += bl(R - 1, j) * bl(R - 1, j) / spec.sense_ohm;
  p.wire_watt = wire;
  return p;
}

namespace {

// Supply power of the first power_inputs_per_count inputs of each active-row count, each
// solved once more for its node voltages (the engine keeps its factorization).
void sample_read_power(const CalibrationOptions& o, circuit::Engine& engine, const circuit::CrossbarSpec& spec,
                       const circuit::CellArray& cells, const Eigen::MatrixXd& in, UnitSamples& u) {
  const auto& x = o.crossbar;
  if (x.power_inputs_per_count <= 0) return;
  const Eigen::MatrixXd g = circuit::cell_siemens(spec, cells);
  for (int a = 0; a < static_cast<int>(x.active_rows.size()); ++a)
    for (int r = 0; r < x.power_inputs_per_count; ++r) {
      const Eigen::VectorXd v = in.col(a * x.inputs_per_count + r) * spec.read_volt;
      circuit::Solution s = engine.solve(v, {.node_voltages = true});
      if (!s.wordline_volt || !s.bitline_volt)
        throw SolverError("engine '" + engine.name() + "' returned no node voltages for the read power");
      ReadPower p = read_power(spec, g, v, *s.wordline_volt, *s.bitline_volt);
      u.power_active_idx.push_back(a);
      u.power_cell_watt.push_back(p.cell_watt);
      u.power_wire_watt.push_back(p.wire_watt);
      u.power_ideal_watt.push_back(p.ideal_watt);
    }
}

}  // namespace

UnitSamples run_crossbar_unit(const CalibrationOptions& o, const DeviceLevels& d, const CrossbarUnitKey& k,
                              uint64_t seed) {
  const auto& x = o.crossbar;
  std::mt19937_64 rng(seed);
  Eigen::MatrixXi level;
  circuit::CellArray cells;
  draw_cells(rng, d, x.mixes[k.mix].level_probs, x.rows, x.cols, level, cells.siemens);

  const int A = static_cast<int>(x.active_rows.size());
  UnitSamples u;
  u.cols = x.cols;
  u.batch = A * x.inputs_per_count;
  Eigen::MatrixXd in(x.rows, u.batch);
  std::vector<int> perm(x.rows);
  for (int a = 0; a < A; ++a)
    for (int r = 0; r < x.inputs_per_count; ++r) {
      int b = a * x.inputs_per_count + r;
      draw_input(rng, x.rows, x.active_rows[a], perm, in.col(b));
      u.active_idx.push_back(a);
    }

  double wire = x.wire_ohm[k.wire];
  auto spec = crossbar_spec(o, wire, x.rows, x.cols);
  u.engine = bulk_engine(o, wire);
  auto engine = circuit::make_engine(u.engine);
  engine->program(spec, cells);
  Eigen::MatrixXd real = engine->solve(in * spec.read_volt).column_amp;  // cols x batch
  if (real.rows() != x.cols || real.cols() != u.batch)
    throw SolverError("engine '" + u.engine + "' returned a " + std::to_string(real.rows()) + "x" +
                      std::to_string(real.cols()) + " current matrix");
  Eigen::MatrixXd ideal = cells.siemens.transpose() * in * spec.read_volt;
  Eigen::MatrixXd psum = level.cast<double>().transpose() * in;

  size_t n = static_cast<size_t>(u.batch) * x.cols;
  u.psum.resize(n);
  u.current_amp.resize(n);
  u.ideal_amp.resize(n);
  for (int b = 0; b < u.batch; ++b)
    for (int j = 0; j < x.cols; ++j) {
      size_t i = static_cast<size_t>(b) * x.cols + j;
      u.psum[i] = std::llround(psum(j, b));
      u.current_amp[i] = real(j, b);
      u.ideal_amp[i] = ideal(j, b);
    }
  sample_read_power(o, *engine, spec, cells, in, u);
  return u;
}

void write_unit_samples(h5::Group& g, const UnitSamples& u) {
  hsize_t B = u.batch, C = u.cols;
  g.attr("engine", u.engine);
  g.write("active_idx", u.active_idx, {"index into active_rows", {"input"}});
  g.write("psum", u.psum, {"level units", {"input", "column"}, {B, C}});
  g.write("current_amp", u.current_amp, {"A", {"input", "column"}, {B, C}});
  g.write("ideal_amp", u.ideal_amp, {"A", {"input", "column"}, {B, C}});
  g.write("power_active_idx", u.power_active_idx, {"index into active_rows", {"power_input"}});
  g.write("power_cell_watt", u.power_cell_watt, {"W", {"power_input"}});
  g.write("power_wire_watt", u.power_wire_watt, {"W", {"power_input"}});
  g.write("power_ideal_watt", u.power_ideal_watt, {"W", {"power_input"}});
}

UnitSamples read_unit_samples(const h5::Group& g) {
  UnitSamples u;
  u.engine = g.attr_string("engine");
  auto ds = g.dataset("psum");
  auto dims = ds.dims();
  if (dims.size() != 2 || dims[0] > (1u << 24) || dims[1] > (1u << 16))
    throw InputError(ds.path() + ": expected 2 axes (input, column)");
  u.batch = static_cast<int>(dims[0]);
  u.cols = static_cast<int>(dims[1]);
  u.active_idx = g.dataset("active_idx").read_ints({dims[0]});
  u.psum = ds.read_ints(dims);
  u.current_amp = g.dataset("current_amp").read_doubles(dims);
  u.ideal_amp = g.dataset("ideal_amp").read_doubles(dims);
  auto pa = g.dataset("power_active_idx");  // absent in units of an older build: recomputed
  auto pd = pa.dims();
  if (pd.size() != 1 || pd[0] > (1u << 24)) throw InputError(pa.path() + ": expected 1 axis (power_input)");
  u.power_active_idx = pa.read_ints(pd);
  u.power_cell_watt = g.dataset("power_cell_watt").read_doubles(pd);
  u.power_wire_watt = g.dataset("power_wire_watt").read_doubles(pd);
  u.power_ideal_watt = g.dataset("power_ideal_watt").read_doubles(pd);
  return u;
}

int column_bucket(int col, int cols, int buckets) {
  return static_cast<int>(static_cast<int64_t>(col) * buckets / cols);
}

namespace {

// Mean read power per (wire, active rows) over every array and sampled input.
void aggregate_read_power(const std::vector<CrossbarUnitKey>& keys, const std::vector<UnitSamples>& samples,
                          CurrentStats& s) {
  const size_t WA = static_cast<size_t>(s.W) * s.A;
  s.power_cell_watt.assign(WA, 0);
  s.power_wire_watt.assign(WA, 0);
  s.power_ideal_watt.assign(WA, 0);
  s.power_samples.assign(WA, 0);
  for (size_t u = 0; u < keys.size(); ++u) {
    const auto& us = samples[u];
    for (size_t k = 0; k < us.power_active_idx.size(); ++k) {
      const size_t i = static_cast<size_t>(keys[u].wire) * s.A + static_cast<size_t>(us.power_active_idx[k]);
      s.power_cell_watt[i] += us.power_cell_watt[k];
      s.power_wire_watt[i] += us.power_wire_watt[k];
      s.power_ideal_watt[i] += us.power_ideal_watt[k];
      ++s.power_samples[i];
    }
  }
  for (size_t i = 0; i < WA; ++i)
    if (s.power_samples[i] > 0) {
      const double n = static_cast<double>(s.power_samples[i]);
      s.power_cell_watt[i] /= n;
      s.power_wire_watt[i] /= n;
      s.power_ideal_watt[i] /= n;
    }
}

}  // namespace

CurrentStats aggregate_currents(const CalibrationOptions& o, int levels, const std::vector<CrossbarUnitKey>& keys,
                                const std::vector<UnitSamples>& samples) {
  const auto& x = o.crossbar;
  CurrentStats s;
  s.W = static_cast<int>(x.wire_ohm.size());
  s.A = static_cast<int>(x.active_rows.size());
  s.C = x.column_buckets;
  s.M = static_cast<int>(x.mixes.size());
  s.P = x.max_psum(levels) + 1;
  s.Q = static_cast<int>(x.quantile_probs.size());
  size_t N = static_cast<size_t>(s.W) * s.A * s.C * s.M * s.P;
  s.count.assign(N, 0);
  s.mean_amp.assign(N, 0);
  s.std_amp.assign(N, 0);
  s.ir_ratio_mean.assign(N, 0);
  s.quantiles_amp.assign(N * s.Q, 0);
  s.ir_ratio_pooled.assign(static_cast<size_t>(s.W) * s.A, 0);
  std::vector<double> pooled_ideal(s.ir_ratio_pooled.size(), 0);

  // One wire at a time: gather (key, current, ratio), sort by key and current, reduce.
  for (int w = 0; w < s.W; ++w) {
    struct Item {
      size_t key;
      double amp, ratio;
    };
    std::vector<Item> items;
    for (size_t u = 0; u < keys.size(); ++u) {
      if (keys[u].wire != w) continue;
      const auto& us = samples[u];
      for (int b = 0; b < us.batch; ++b)
        for (int j = 0; j < us.cols; ++j) {
          size_t i = static_cast<size_t>(b) * us.cols + j;
          int a = static_cast<int>(us.active_idx[b]);
          double ideal = us.ideal_amp[i];
          double ratio = ideal != 0 ? us.current_amp[i] / ideal : 1.0;
          items.push_back({s.index(w, a, column_bucket(j, us.cols, s.C), keys[u].mix, static_cast<int>(us.psum[i])),
                           us.current_amp[i], ratio});
          s.ir_ratio_pooled[w * s.A + a] += us.current_amp[i];
          pooled_ideal[w * s.A + a] += ideal;
        }
    }
    std::sort(items.begin(), items.end(),
              [](const Item& p, const Item& q) { return p.key != q.key ? p.key < q.key : p.amp < q.amp; });
    std::vector<double> amps;
    for (size_t lo = 0; lo < items.size();) {
      size_t hi = lo;
      while (hi < items.size() && items[hi].key == items[lo].key) ++hi;
      size_t key = items[lo].key, n = hi - lo;
      amps.clear();
      double sum = 0, ratio = 0;
      for (size_t i = lo; i < hi; ++i) {
        amps.push_back(items[i].amp);
        sum += items[i].amp;
        ratio += items[i].ratio;
      }
      double mean = sum / n, var = 0;
      for (double v : amps) var += (v - mean) * (v - mean);
      s.count[key] = static_cast<int64_t>(n);
      s.mean_amp[key] = mean;
      s.std_amp[key] = n > 1 ? std::sqrt(var / (n - 1)) : 0;
      s.ir_ratio_mean[key] = ratio / n;
      for (int q = 0; q < s.Q; ++q) s.quantiles_amp[key * s.Q + q] = quantile_sorted(amps.data(), n, x.quantile_probs[q]);
      lo = hi;
    }
  }
  for (size_t i = 0; i < pooled_ideal.size(); ++i)
    s.ir_ratio_pooled[i] = pooled_ideal[i] != 0 ? s.ir_ratio_pooled[i] / pooled_ideal[i] : 1.0;
  aggregate_read_power(keys, samples, s);
  return s;
}

void write_current_stats(h5::Group& g, const CalibrationOptions& o, int levels, const CurrentStats& s) {
  const auto& x = o.crossbar;
  hsize_t W = s.W, A = s.A, C = s.C, M = s.M, P = s.P, Q = s.Q;
  g.write_axis(schema::kWireOhm, x.wire_ohm, "wire", "ohm");
  g.write_axis(schema::kActiveRows, std::vector<int64_t>(x.active_rows.begin(), x.active_rows.end()), "active", "rows");
  std::vector<int64_t> cb_first, cb_last;
  for (int c = 0; c < s.C; ++c) {
    int first = -1, last = -1;
    for (int j = 0; j < x.cols; ++j)
      if (column_bucket(j, x.cols, s.C) == c) {
        if (first < 0) first = j;
        last = j;
      }
    cb_first.push_back(first);
    cb_last.push_back(last);
  }
  g.write(schema::kColumnBucketFirst, cb_first, {"column index", {"column_bucket"}});
  g.write("column_bucket_last", cb_last, {"column index", {"column_bucket"}});
  std::vector<std::string> names;
  std::vector<double> probs;
  for (const auto& m : x.mixes) {
    names.push_back(m.name);
    probs.insert(probs.end(), m.level_probs.begin(), m.level_probs.end());
  }
  g.write(schema::kMixNames, names, {"name", {"mix"}});
  g.write("mix_level_probs", probs, {"1", {"mix", "level"}, {M, static_cast<hsize_t>(levels)}});
  std::vector<int64_t> psum(s.P);
  std::iota(psum.begin(), psum.end(), 0);
  g.write_axis("psum", psum, "psum", "level units");
  g.write_axis("quantile_probs", x.quantile_probs, "quantile", "1");
  const std::vector<std::string> key_axes = {"wire", "active", "column_bucket", "mix", "psum"};
  g.write("current_count", s.count, {"samples", key_axes, {W, A, C, M, P}});
  g.write("current_mean_amp", s.mean_amp, {"A", key_axes, {W, A, C, M, P}});
  g.write("current_std_amp", s.std_amp, {"A", key_axes, {W, A, C, M, P}});
  g.write("current_quantiles_amp", s.quantiles_amp,
          {"A", {"wire", "active", "column_bucket", "mix", "psum", "quantile"}, {W, A, C, M, P, Q}});
  g.write("ir_ratio_mean", s.ir_ratio_mean, {"1", key_axes, {W, A, C, M, P}});
  g.write(schema::kIrRatioPooled, s.ir_ratio_pooled, {"1", {"wire", "active"}, {W, A}});
  std::vector<double> supply(s.power_cell_watt.size());
  for (size_t i = 0; i < supply.size(); ++i) supply[i] = s.power_cell_watt[i] + s.power_wire_watt[i];
  g.write(schema::kReadPowerSupplyWatt, supply, {"W", {"wire", "active"}, {W, A}});
  g.write(schema::kReadPowerCellWatt, s.power_cell_watt, {"W", {"wire", "active"}, {W, A}});
  g.write(schema::kReadPowerWireWatt, s.power_wire_watt, {"W", {"wire", "active"}, {W, A}});
  g.write(schema::kReadPowerIdealWatt, s.power_ideal_watt, {"W", {"wire", "active"}, {W, A}});
  g.write(schema::kReadPowerSamples, s.power_samples, {"reads", {"wire", "active"}, {W, A}});
}

EngineCheck run_engine_check(const CalibrationOptions& o, const DeviceLevels& d, double wire_ohm, uint64_t seed) {
  auto t0 = std::chrono::steady_clock::now();
  const auto& x = o.crossbar;
  EngineCheck r;
  r.wire_ohm = wire_ohm;
  r.bulk = bulk_engine(o, wire_ohm);
  r.reference = x.check_engine;
  std::mt19937_64 rng(seed);
  Eigen::MatrixXi level;
  circuit::CellArray cells;
  std::vector<double> uniform(d.levels(), 1.0 / d.levels());
  draw_cells(rng, d, uniform, x.check_rows, x.check_cols, level, cells.siemens);
  Eigen::MatrixXd in(x.check_rows, x.check_inputs);
  std::vector<int> perm(x.check_rows);
  for (int b = 0; b < x.check_inputs; ++b) {
    // Active-row counts spread from one row to all rows.
    int n = 1 + static_cast<int>(static_cast<int64_t>(b) * (x.check_rows - 1) / std::max(1, x.check_inputs - 1));
    draw_input(rng, x.check_rows, n, perm, in.col(b));
  }
  auto spec = crossbar_spec(o, wire_ohm, x.check_rows, x.check_cols);
  in *= spec.read_volt;
  auto bulk = circuit::make_engine(r.bulk);
  bulk->program(spec, cells);
  Eigen::MatrixXd ib = bulk->solve(in).column_amp;
  auto ref = circuit::make_engine(r.reference);
  ref->program(spec, cells);
  Eigen::MatrixXd ir = ref->solve(in).column_amp;
  // Relative to each input's largest column current, so near-zero columns do not dominate.
  double sq = 0;
  for (int b = 0; b < ir.cols(); ++b) {
    double scale = std::max(ir.col(b).cwiseAbs().maxCoeff(), 1e-15);
    for (int j = 0; j < ir.rows(); ++j) {
      double diff = std::abs(ib(j, b) - ir(j, b));
      r.max_abs_diff_amp = std::max(r.max_abs_diff_amp, diff);
      r.max_rel_diff = std::max(r.max_rel_diff, diff / scale);
      sq += (diff / scale) * (diff / scale);
    }
  }
  r.rms_rel_diff = std::sqrt(sq / static_cast<double>(ir.size()));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace rramsim::calibration
