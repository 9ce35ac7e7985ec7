#include "rramsim/calibration/tables.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>

#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"

namespace rramsim::calibration {

struct Tables::Impl {
  std::filesystem::path file;
  std::optional<h5::File> h5;
  int rows = 0, cols = 0, bits_per_cell = 0, max_psum = 0;
  double read_volt = 0, nominal_wire_ohm = 0;
  std::vector<double> wire_ohms, level_mean;
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

Tables Tables::open(const std::filesystem::path& file) {
  Tables t;
  auto& m = *t.impl_;
  m.file = file;
  m.h5.emplace(h5::File::open(file));
  const h5::File& f = *m.h5;
  const std::string name = file.string();
  if (!f.has_attr("rramsim_kind") || f.attr_string("rramsim_kind") != "calibration")
    throw InputError(name + " is not a rramsim calibration file (no rramsim_kind = \"calibration\" attribute)");
  if (!f.has_attr("schema_version")) throw InputError(name + " has no schema_version attribute");
  int64_t v = f.attr_int("schema_version");
  if (v != kSchemaVersion)
    throw InputError(name + " has schema version " + std::to_string(v) + ", which this rramsim does not know (it reads version " +
                     std::to_string(kSchemaVersion) + ")");
  for (const char* g : {"device", "crossbar", "adc"})
    if (!f.has_group(g)) throw InputError(name + " is incomplete: no /" + std::string(g) + " group");
  try {
    auto dev = f.group("device");
    m.bits_per_cell = static_cast<int>(dev.attr_int("bits_per_cell"));
    m.level_mean = dev.dataset("level_mean_siemens").read_doubles();
    auto xb = f.group("crossbar");
    m.rows = static_cast<int>(xb.attr_int("rows"));
    m.cols = static_cast<int>(xb.attr_int("cols"));
    m.read_volt = xb.attr_double("read_volt");
    m.nominal_wire_ohm = xb.attr_double("nominal_wire_ohm");
    m.wire_ohms = xb.dataset("wire_ohm").read_doubles();
    m.max_psum = m.rows * ((1 << m.bits_per_cell) - 1);
    auto adc = f.group("adc");
    m.adc_model = adc.attr_string("cost_model");
    for (auto b : adc.dataset("bits").read_ints()) m.adc_bits.push_back(static_cast<int>(b));
    for (auto k : adc.dataset("active_rows_key").read_ints()) m.active_keys.push_back(static_cast<int>(k));
    auto e = adc.dataset("energy_pj").read_doubles(), a = adc.dataset("area_um2").read_doubles();
    auto r = adc.dataset("sample_rate_hz").read_doubles(), p = adc.dataset("power_mw").read_doubles();
    if (e.size() != m.adc_bits.size() || a.size() != e.size() || r.size() != e.size() || p.size() != e.size())
      throw InputError("ADC cost datasets do not match /adc/bits");
    for (size_t i = 0; i < e.size(); ++i) m.costs.push_back({m.adc_bits[i], e[i], a[i], r[i], p[i]});
  } catch (const InputError& e) {
    throw InputError(name + " is incomplete or corrupt: " + e.what());
  }
  if (m.wire_ohms.empty() || m.adc_bits.empty() || m.level_mean.empty() || m.active_keys.empty())
    throw InputError(name + " is incomplete: empty axes");
  return t;
}

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

AdcCost Tables::adc_cost(int bits) const {
  for (const auto& c : impl_->costs)
    if (c.bits == bits) return c;
  throw InputError(impl_->file.string() + ": no ADC of " + std::to_string(bits) + " bits is tabulated");
}

const ErrorTable& Tables::error_table(int bits, double wire_ohm, int active_rows) const {
  auto& m = *impl_;
  int bi = -1;
  for (size_t i = 0; i < m.adc_bits.size(); ++i)
    if (m.adc_bits[i] == bits) bi = static_cast<int>(i);
  if (bi < 0) throw InputError(m.file.string() + ": no error table for a " + std::to_string(bits) + "-bit ADC");
  // Nearest tabulated wire resistance and active-row count (the last key pools all counts).
  if (wire_ohm < 0) wire_ohm = m.nominal_wire_ohm;
  int w = 0;
  for (size_t i = 1; i < m.wire_ohms.size(); ++i)
    if (std::abs(m.wire_ohms[i] - wire_ohm) < std::abs(m.wire_ohms[w] - wire_ohm)) w = static_cast<int>(i);
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
    char name[16];
    std::snprintf(name, sizeof name, "bits_%02d", bits);
    try {
      auto g = m.h5->group("adc").group(name);
      auto ds = g.dataset("prob");
      auto dims = ds.dims();
      const size_t P = m.max_psum + 1;
      if (dims.size() != 4 || dims[0] != m.wire_ohms.size() || dims[1] != static_cast<hsize_t>(K) || dims[2] != P ||
          dims[3] < 1 || dims[3] > (hsize_t{1} << bits))
        throw InputError(ds.path() + " has unexpected dimensions");
      pit = m.prob_by_bits.emplace(bits, std::make_pair(ds.read_doubles(), static_cast<int>(dims[3]))).first;
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
