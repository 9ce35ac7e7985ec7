#include "rramsim/schemes/layer_figures.hpp"

#include <algorithm>

namespace rramsim::schemes {

namespace {
int bits_for(int value) {
  int b = 1;
  while ((1L << b) - 1 < value) ++b;
  return b;
}
double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
}  // namespace

LayerFigures layer_figures(const SchemeOptions& s, const LayerStats& l, const ReadEnergyModel* energy) {
  const SubwordStats& st = l.stats;
  LayerFigures f;
  f.name = l.name;
  f.layer_index = l.layer_index;
  f.cell_ones_density = ratio(double(st.cell_ones), double(st.cells) * s.bits_per_cell);
  f.cell_level_mean = ratio(double(st.cell_level_sum), double(st.cells) * s.max_cell_level());
  f.input_ones_density = ratio(double(st.input_ones), double(st.input_bits));
  f.mean_active_rows = ratio(double(st.active_rows), double(st.computed));
  f.nominal_subwords = st.nominal;
  f.computed_subwords = st.computed;
  f.subword_fraction = st.nominal ? ratio(double(st.computed), double(st.nominal)) : 1.0;
  f.skipped_zero_input = ratio(double(st.skipped_zero_input), double(st.nominal));
  f.skipped_zero_weight = ratio(double(st.skipped_zero_weight), double(st.nominal));
  f.skipped_dynamic = ratio(double(st.skipped_dynamic), double(st.nominal));
  f.clip_rate = ratio(double(st.clipped), double(st.computed));
  f.reads_nominal = st.reads_nominal;
  f.reads_issued = st.reads_issued;
  f.read_fraction = st.reads_nominal ? ratio(double(st.reads_issued), double(st.reads_nominal)) : 1.0;
  f.zero_plane_fraction = ratio(double(st.reads_zero_plane), double(st.reads_nominal));
  f.window_fraction = ratio(double(st.reads_window), double(st.reads_nominal));
  size_t top = st.read_conversions.size();
  while (top > 0 && st.read_conversions[top - 1] == 0) --top;
  for (size_t n = 0; n < top; ++n) f.read_conversions.push_back(ratio(double(st.read_conversions[n]), double(st.reads_nominal)));
  for (int i = 0; i < st.input_slices; ++i)
    for (int j = 0; j < st.weight_slices; ++j)
      for (int p = st.max_psum; p > f.max_psum_seen; --p)
        if (st.hist(i, j, p)) {
          f.max_psum_seen = p;
          break;
        }
  f.adc_bits_worst_case = s.worst_case_adc_bits();
  f.adc_bits_observed = bits_for(f.max_psum_seen);
  double conv = 0, bits = 0;
  for (size_t b = 0; b < st.conversions_by_bits.size(); ++b) {
    // An ideal ADC (0) counts as the resolution that never clips this encoding.
    double nb = b == 0 ? f.adc_bits_worst_case : double(b);
    conv += double(st.conversions_by_bits[b]);
    bits += nb * double(st.conversions_by_bits[b]);
  }
  f.mean_adc_bits = ratio(bits, conv);
  for (size_t lv = 0; lv < st.active_cells_by_level.size(); ++lv) {
    f.level_weighted_reads += double(lv) * double(st.active_cells_by_level[lv]);
    if (energy && lv < energy->level_siemens.size())
      f.read_energy_j += double(st.active_cells_by_level[lv]) * energy->level_siemens[lv];
  }
  if (energy) f.read_energy_j *= energy->read_volt * energy->read_volt * energy->read_pulse_s;
  f.read_energy_per_subword_j = ratio(f.read_energy_j, double(st.computed));
  return f;
}

std::vector<double> psum_distribution(const SubwordStats& st, int i, int j) {
  std::vector<double> d(st.max_psum + 1, 0.0);
  double total = 0;
  for (int p = 0; p <= st.max_psum; ++p) total += double(st.hist(i, j, p));
  if (total > 0)
    for (int p = 0; p <= st.max_psum; ++p) d[p] = double(st.hist(i, j, p)) / total;
  return d;
}

AdcPlan optimize_adc_plan(const SchemeOptions& s, const SubwordStats& st, double epsilon, int min_bits) {
  AdcPlan plan = AdcPlan::uniform(s, min_bits);
  const int top = s.worst_case_adc_bits();
  for (int i = 0; i < st.input_slices; ++i)
    for (int j = 0; j < st.weight_slices; ++j) {
      uint64_t total = 0;
      for (int p = 0; p <= st.max_psum; ++p) total += st.hist(i, j, p);
      int bits = min_bits;
      if (total > 0) {
        // Walk down from the top: tail(b) = count of psums > 2^b - 1.
        for (bits = min_bits; bits < top; ++bits) {
          uint64_t tail = 0;
          for (int p = (1 << bits); p <= st.max_psum; ++p) tail += st.hist(i, j, p);
          if (double(tail) <= epsilon * double(total)) break;
        }
      }
      plan.bits[size_t(i) * plan.weight_slices + j] = std::min(bits, top);
    }
  return plan;
}

}  // namespace rramsim::schemes
