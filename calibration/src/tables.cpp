#include "rramsim/calibration/tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>

#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "rramsim/common/provenance.hpp"

namespace rramsim::calibration {

struct Tables::Impl {
  std::filesystem::path file;
  std::optional<h5::File> h5;
  int rows = 0, cols = 0, bits_per_cell = 0, max_psum = 0, schema_version = 0;
  double read_volt = 0, nominal_wire_ohm = 0;
  std::vector<double> wire_ohms, level_mean, level_target, level_success;
  // Read power, wire x active (empty: none in the file).
  std::vector<int> power_active_rows;
  std::vector<ReadPowerPoint> power;
  std::vector<int> adc_bits, active_keys;  // active_keys: active-row counts, then 0 (pooled)
  std::vector<AdcCost> costs;
  std::string adc_model;
  std::mutex mu;  // guards the caches below (readers may call from many threads)
  std::map<int, std::pair<std::vector<double>, int>> prob_by_bits;  // flat prob, codes stored
  std::map<std::tuple<int, int, int>, ErrorTable> tables;
};

Tables::Tables() : impl_(std::make_unique<Impl>()) {}
Tables::~Tables() = default;
Tables::Tables(Tables&&) noexcept = default;
Tables& Tables::operator=(Tables&&) noexcept = default;

namespace {

// A value read from a file gets the range check a configuration value gets.
int64_t in_range(const h5::Object& o, const char* attr, int64_t lo, int64_t hi) {
  int64_t v = o.attr_int(attr);
  if (v < lo || v > hi)
    throw InputError(o.path() + ": " + attr + " = " + std::to_string(v) + " is outside " + std::to_string(lo) + " .. " +
                     std::to_string(hi));
  return v;
}

double positive(const h5::Object& o, const char* attr, double hi) {
  double v = o.attr_double(attr);
  if (!(v >= 0 && v <= hi)) throw InputError(o.path() + ": " + attr + " = " + std::to_string(v) + " is out of range");
  return v;
}

template <class T>
void require_increasing(const h5::Dataset& d, const std::vector<T>& v, T lo, T hi) {
  for (size_t i = 0; i < v.size(); ++i)
    if (!(v[i] >= lo && v[i] <= hi) || (i > 0 && !(v[i] > v[i - 1])))
      throw InputError(d.path() + ": values must increase within " + std::to_string(lo) + " .. " + std::to_string(hi));
}

bool has_dataset(const h5::Group& g, const char* name) {
  for (const auto& c : g.children())
    if (c == name) return !g.has_group(name);
  return false;
}

void read_geometry(Tables::Impl& m, const h5::File& f);
void read_adc_axes(Tables::Impl& m, const h5::File& f);
void read_power_tables(Tables::Impl& m, const h5::File& f);

}  // namespace

Tables Tables::open(const std::filesystem::path& file) {
  Tables t;
  auto& m = *t.impl_;
  m.file = file;
  m.h5.emplace(h5::File::open(file));
  const h5::File& f = *m.h5;
  const std::string name = file.string();
  check_kind(f, schema::kKind, {schema::kOldestReadableVersion, schema::kVersion});
  m.schema_version = static_cast<int>(f.attr_int("schema_version"));
  for (const char* g : {schema::kDevice, schema::kCrossbar, schema::kAdc})
    if (!f.has_group(g)) throw InputError(name + " is incomplete: no /" + std::string(g) + " group");
  try {
    read_geometry(m, f);
    read_adc_axes(m, f);
    read_power_tables(m, f);
  } catch (const InputError& e) {
    throw InputError(name + " is incomplete or corrupt: " + e.what());
  }
  return t;
}

namespace {

void read_geometry(Tables::Impl& m, const h5::File& f) {
  auto dev = f.group(schema::kDevice);
  m.bits_per_cell = static_cast<int>(in_range(dev, "bits_per_cell", 1, schema::kMaxBitsPerCell));
  const hsize_t levels = hsize_t{1} << m.bits_per_cell;
  m.level_mean = dev.dataset(schema::kLevelMeanSiemens).read_doubles({levels});
  for (double g : m.level_mean)
    if (!(g >= 0 && g < 1)) throw InputError(dev.path() + "/" + schema::kLevelMeanSiemens + ": a conductance is out of range");
  // Write-verify targets and success (absent only in hand-made minimal files).
  if (has_dataset(dev, schema::kLevelTargetSiemens))
    m.level_target = dev.dataset(schema::kLevelTargetSiemens).read_doubles({levels});
  if (has_dataset(dev, schema::kLevelSuccessFraction))
    m.level_success = dev.dataset(schema::kLevelSuccessFraction).read_doubles({levels});
  auto xb = f.group(schema::kCrossbar);
  m.rows = static_cast<int>(in_range(xb, "rows", 1, schema::kMaxRows));
  m.cols = static_cast<int>(in_range(xb, "cols", 1, schema::kMaxRows));
  m.read_volt = positive(xb, "read_volt", 10);
  m.nominal_wire_ohm = positive(xb, "nominal_wire_ohm", schema::kMaxWireOhm);
  auto wires = xb.dataset(schema::kWireOhm);
  if (wires.dims().size() != 1 || wires.dims()[0] < 1 || wires.dims()[0] > 4096)
    throw InputError(wires.path() + ": expected 1 to 4096 wire resistances");
  m.wire_ohms = wires.read_doubles();
  require_increasing(wires, m.wire_ohms, 0.0, schema::kMaxWireOhm);
  m.max_psum = m.rows * ((1 << m.bits_per_cell) - 1);
}

void read_power_tables(Tables::Impl& m, const h5::File& f) {
  auto xb = f.group(schema::kCrossbar);
  if (m.schema_version < 3 || !has_dataset(xb, schema::kReadPowerSupplyWatt)) return;
  auto act = xb.dataset(schema::kActiveRows);
  if (act.dims().size() != 1 || act.dims()[0] < 1 || act.dims()[0] > static_cast<hsize_t>(m.rows))
    throw InputError(act.path() + ": expected 1 to rows active-row counts");
  const hsize_t W = m.wire_ohms.size(), A = act.dims()[0];
  auto a = act.read_ints({A});
  require_increasing<int64_t>(act, a, 1, m.rows);
  auto supply = xb.dataset(schema::kReadPowerSupplyWatt).read_doubles({W, A});
  auto cell = xb.dataset(schema::kReadPowerCellWatt).read_doubles({W, A});
  auto wire = xb.dataset(schema::kReadPowerWireWatt).read_doubles({W, A});
  auto ideal = xb.dataset(schema::kReadPowerIdealWatt).read_doubles({W, A});
  auto count = xb.dataset(schema::kReadPowerSamples).read_ints({W, A});
  for (size_t i = 0; i < W * A; ++i) {
    if (count[i] <= 0) return;  // not sampled (power_inputs_per_count = 0): no read power
    for (double v : {supply[i], cell[i], wire[i], ideal[i]})
      if (!(v >= 0 && v < 1e3)) throw InputError(xb.path() + "/read_power_*: a power is out of range");
    m.power.push_back({supply[i], cell[i], wire[i], ideal[i]});
  }
  m.power_active_rows.assign(a.begin(), a.end());
}

void read_adc_axes(Tables::Impl& m, const h5::File& f) {
  auto adc = f.group(schema::kAdc);
  m.adc_model = adc.attr_string("cost_model");
  auto bits = adc.dataset(schema::kBits);
  if (bits.dims().size() != 1 || bits.dims()[0] < 1 || bits.dims()[0] > schema::kMaxAdcBits)
    throw InputError(bits.path() + ": expected 1 to " + std::to_string(schema::kMaxAdcBits) + " resolutions");
  const hsize_t B = bits.dims()[0];
  auto b = bits.read_ints();
  require_increasing<int64_t>(bits, b, 1, schema::kMaxAdcBits);
  m.adc_bits.assign(b.begin(), b.end());
  auto keys = adc.dataset(schema::kActiveRowsKey);
  if (keys.dims().size() != 1 || keys.dims()[0] < 1 || keys.dims()[0] > static_cast<hsize_t>(m.rows) + 1)
    throw InputError(keys.path() + ": expected 1 to rows + 1 active-row keys");
  for (auto k : keys.read_ints()) {
    if (k < 0 || k > m.rows) throw InputError(keys.path() + ": an active-row count is outside 0 .. rows");
    m.active_keys.push_back(static_cast<int>(k));
  }
  auto e = adc.dataset(schema::kEnergyPj).read_doubles({B}), a = adc.dataset(schema::kAreaUm2).read_doubles({B});
  auto r = adc.dataset(schema::kSampleRateHz).read_doubles({B}), p = adc.dataset(schema::kPowerMw).read_doubles({B});
  for (size_t i = 0; i < B; ++i) m.costs.push_back({m.adc_bits[i], e[i], a[i], r[i], p[i]});
}

}  // namespace

const std::filesystem::path& Tables::file() const { return impl_->file; }
int Tables::rows() const { return impl_->rows; }
int Tables::cols() const { return impl_->cols; }
int Tables::bits_per_cell() const { return impl_->bits_per_cell; }
double Tables::read_volt() const { return impl_->read_volt; }
double Tables::nominal_wire_ohm() const { return impl_->nominal_wire_ohm; }
std::vector<double> Tables::wire_ohms() const { return impl_->wire_ohms; }
std::vector<int> Tables::adc_bits() const { return impl_->adc_bits; }
std::string Tables::adc_model() const { return impl_->adc_model; }
std::vector<double> Tables::level_mean_siemens() const { return impl_->level_mean; }
std::vector<double> Tables::level_target_siemens() const { return impl_->level_target; }
std::vector<double> Tables::level_success_fraction() const { return impl_->level_success; }
int Tables::schema_version() const { return impl_->schema_version; }
bool Tables::has_read_power() const { return !impl_->power.empty(); }

int Tables::wire_index(double wire_ohm) const {
  const auto& m = *impl_;
  if (wire_ohm < 0) wire_ohm = m.nominal_wire_ohm;
  for (size_t i = 0; i < m.wire_ohms.size(); ++i)
    if (std::abs(m.wire_ohms[i] - wire_ohm) <= 1e-9 * std::max(1.0, std::abs(wire_ohm))) return static_cast<int>(i);
  std::string grid;
  for (double w : m.wire_ohms) grid += (grid.empty() ? "" : ", ") + fmt::format("{:g}", w);
  throw InputError(fmt::format("{}: wire {:g} ohm is not tabulated (wire_ohm grid: {})", m.file.string(), wire_ohm, grid));
}

ReadPowerPoint Tables::read_power(double wire_ohm, double active_rows) const {
  const auto& m = *impl_;
  if (m.power.empty())
    throw InputError(m.file.string() + " holds no read power (/crossbar/" + schema::kReadPowerSupplyWatt +
                     ", schema version 3; this file is version " + std::to_string(m.schema_version) +
                     "): re-run `rramsim calibrate`, or use the hardware table's read energy (--read-energy table)");
  const size_t w = static_cast<size_t>(wire_index(wire_ohm)), A = m.power_active_rows.size();
  const ReadPowerPoint* row = &m.power[w * A];
  auto scaled = [](const ReadPowerPoint& p, double f) {
    return ReadPowerPoint{p.supply_watt * f, p.cell_watt * f, p.wire_watt * f, p.ideal_watt * f};
  };
  const double n = std::max(0.0, active_rows);
  if (n <= m.power_active_rows.front()) return scaled(row[0], n / m.power_active_rows.front());
  if (n >= m.power_active_rows.back()) return row[A - 1];
  size_t k = 1;
  while (m.power_active_rows[k] < n) ++k;
  const double lo = m.power_active_rows[k - 1], hi = m.power_active_rows[k], f = (n - lo) / (hi - lo);
  const ReadPowerPoint &p = row[k - 1], &q = row[k];
  return {p.supply_watt + f * (q.supply_watt - p.supply_watt), p.cell_watt + f * (q.cell_watt - p.cell_watt),
          p.wire_watt + f * (q.wire_watt - p.wire_watt), p.ideal_watt + f * (q.ideal_watt - p.ideal_watt)};
}

AdcCost Tables::adc_cost(int bits) const {
  for (const auto& c : impl_->costs)
    if (c.bits == bits) return c;
  throw InputError(impl_->file.string() + ": no ADC of " + std::to_string(bits) + " bits is tabulated");
}

namespace {

// P(code | wire, key, psum) of one resolution, flat, with the codes stored; every row a
// probability distribution (so no consumer meets a row that is not).
std::pair<std::vector<double>, int> read_prob(const Tables::Impl& m, int bits) {
  auto ds = m.h5->group(schema::kAdc).group(schema::bits_group(bits)).dataset(schema::kProb);
  auto dims = ds.dims();
  const hsize_t W = m.wire_ohms.size(), K = m.active_keys.size(), P = m.max_psum + 1;
  if (dims.size() != 4 || dims[3] < 1 || dims[3] > (hsize_t{1} << bits))
    throw InputError(ds.path() + " has unexpected dimensions");
  auto flat = ds.read_doubles({W, K, P, dims[3]});
  const size_t nc = dims[3];
  for (size_t row = 0; row < flat.size() / nc; ++row) {
    double sum = 0;
    for (size_t c = 0; c < nc; ++c) {
      double p = flat[row * nc + c];
      if (!(p >= 0 && p <= 1 + 1e-9)) throw InputError(ds.path() + ": a probability is outside 0 .. 1");
      sum += p;
    }
    if (!(std::abs(sum - 1) < 1e-6))
      throw InputError(ds.path() + ": the row for partial sum " + std::to_string(row % P) + " sums to " +
                       std::to_string(sum) + ", not 1");
  }
  return {std::move(flat), static_cast<int>(nc)};
}

}  // namespace

const ErrorTable& Tables::error_table(int bits, double wire_ohm, int active_rows) const {
  auto& m = *impl_;
  int bi = -1;
  for (size_t i = 0; i < m.adc_bits.size(); ++i)
    if (m.adc_bits[i] == bits) bi = static_cast<int>(i);
  if (bi < 0) throw InputError(m.file.string() + ": no error table for a " + std::to_string(bits) + "-bit ADC");
  // A tabulated wire resistance and the nearest active-row count (the last key pools all counts).
  const int w = wire_index(wire_ohm);
  const int K = static_cast<int>(m.active_keys.size());
  int k = K - 1;
  if (active_rows > 0) {
    k = 0;
    for (int i = 1; i < K - 1; ++i)
      if (std::abs(m.active_keys[i] - active_rows) < std::abs(m.active_keys[k] - active_rows)) k = i;
  }
  std::lock_guard lock(m.mu);
  auto key = std::make_tuple(bits, w, k);
  if (auto it = m.tables.find(key); it != m.tables.end()) return it->second;
  auto pit = m.prob_by_bits.find(bits);
  if (pit == m.prob_by_bits.end()) {
    try {
      pit = m.prob_by_bits.emplace(bits, read_prob(m, bits)).first;
    } catch (const InputError& e) {
      throw InputError(m.file.string() + " is incomplete or corrupt: " + e.what());
    }
  }
  const auto& [flat, nc] = pit->second;
  ErrorTable t;
  t.adc_bits = bits;
  t.max_psum = m.max_psum;
  t.prob = Eigen::MatrixXd::Zero(m.max_psum + 1, Eigen::Index{1} << bits);
  for (int s = 0; s <= m.max_psum; ++s) {
    size_t base = ((static_cast<size_t>(w) * K + k) * (m.max_psum + 1) + s) * nc;
    for (int c = 0; c < nc; ++c) t.prob(s, c) = flat[base + c];
  }
  return m.tables.emplace(key, std::move(t)).first->second;
}

}  // namespace rramsim::calibration
