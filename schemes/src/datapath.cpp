#include "rramsim/schemes/datapath.hpp"

#include <algorithm>
#include <bit>
#include <climits>
#include <fmt/format.h>
#include <omp.h>

#include "rramsim/common/error.hpp"
#include "plane_kernel.hpp"
#include "serial_lanes.hpp"

// The column sums are popcounts: use the instruction (every x86-64 since 2008 has it)
// rather than libgcc's table routine, whatever the build's -march.
#if defined(__x86_64__)
#pragma GCC target("popcnt")
#endif

namespace rramsim::schemes {

AdcPlan AdcPlan::uniform(const SchemeOptions& s, int adc_bits) {
  AdcPlan p;
  p.input_slices = s.input_slices();
  p.weight_slices = s.weight_slices();
  p.bits.assign(size_t(p.input_slices) * p.weight_slices, adc_bits);
  return p;
}

int AdcPlan::max_bits() const {
  int m = 0;
  for (int b : bits) {
    if (b == 0) return 0;
    m = std::max(m, b);
  }
  return m;
}

void SubwordStats::init(const SchemeOptions& s) {
  *this = SubwordStats{};
  input_slices = s.input_slices();
  weight_slices = s.weight_slices();
  max_psum = s.rows * s.max_cell_level() * s.max_input_level();
  levels = s.max_cell_level() + 1;
  psum_hist.assign(size_t(input_slices) * weight_slices * (max_psum + 1), 0);
  active_cells_by_level.assign(levels, 0);
  conversions_by_bits.assign(17, 0);
  read_conversions.assign(size_t(s.cols) + 1, 0);
}

void SubwordStats::merge(const SubwordStats& o) {
  if (psum_hist.empty()) {
    *this = o;
    return;
  }
  if (o.psum_hist.size() != psum_hist.size()) throw Error("merging subword statistics of different schemes");
  nominal += o.nominal;
  computed += o.computed;
  skipped_zero_input += o.skipped_zero_input;
  skipped_zero_weight += o.skipped_zero_weight;
  skipped_dynamic += o.skipped_dynamic;
  clipped += o.clipped;
  reads_nominal += o.reads_nominal;
  reads_issued += o.reads_issued;
  reads_zero_plane += o.reads_zero_plane;
  reads_window += o.reads_window;
  if (read_conversions.size() < o.read_conversions.size()) read_conversions.resize(o.read_conversions.size(), 0);
  for (size_t i = 0; i < o.read_conversions.size(); ++i) read_conversions[i] += o.read_conversions[i];
  active_rows += o.active_rows;
  input_bits += o.input_bits;
  input_ones += o.input_ones;
  cells += o.cells;
  cell_ones += o.cell_ones;
  cell_level_sum += o.cell_level_sum;
  for (size_t i = 0; i < psum_hist.size(); ++i) psum_hist[i] += o.psum_hist[i];
  for (size_t i = 0; i < active_cells_by_level.size(); ++i) active_cells_by_level[i] += o.active_cells_by_level[i];
  for (size_t i = 0; i < conversions_by_bits.size(); ++i) conversions_by_bits[i] += o.conversions_by_bits[i];
}

namespace {

inline int pop(uint64_t x) { return __builtin_popcountll(x); }
inline int pop(unsigned x) { return __builtin_popcount(x); }

uint64_t mix(uint64_t a, uint64_t b) {
  Rng r(a ^ (b * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL));
  r.next();
  return r.next();
}

// Cells of every column chunk as bit masks, with the flip decisions.
struct EncodedWeights {
  int ncol = 0, chunks = 0, w = 0, nw = 0;
  std::vector<uint64_t> masks;     // [(col * chunks + c) * w + b][word]
  std::vector<int32_t> stored_sum; // per (col, chunk): sum of stored levels
  std::vector<uint8_t> flipped, zero;
  std::vector<int64_t> qsum;       // per output row: sum_k q (offset-binary correction)
  const uint64_t* col(size_t idx) const { return &masks[idx * w * nw]; }
};

EncodedWeights encode_weights(const SchemeOptions& s, const IntMatrix& W, SubwordStats* stats) {
  const int M = int(W.rows()), K = int(W.cols()), R = s.rows, w = s.bits_per_cell;
  const int S = s.weight_slices(), npol = s.polarities(), cmax = s.max_cell_level();
  EncodedWeights e;
  e.ncol = M * npol * S;
  e.chunks = (K + R - 1) / R;
  e.w = w;
  e.nw = (std::min(R, K) + 63) / 64;
  e.masks.assign(size_t(e.ncol) * e.chunks * w * e.nw, 0);
  e.stored_sum.assign(size_t(e.ncol) * e.chunks, 0);
  e.flipped.assign(size_t(e.ncol) * e.chunks, 0);
  e.zero.assign(size_t(e.ncol) * e.chunks, 0);
  e.qsum.assign(M, 0);
  const int64_t bias = int64_t(1) << (s.weight_bits - 1);
  std::vector<uint8_t> level(K);
  for (int m = 0; m < M; ++m) {
    for (int k = 0; k < K; ++k) e.qsum[m] += W(m, k);
    for (int pol = 0; pol < npol; ++pol) {
      for (int j = 0; j < S; ++j) {
        const int col = (m * npol + pol) * S + j;
        for (int k = 0; k < K; ++k) {
          int64_t q = W(m, k);
          int64_t u = s.weight_encoding == WeightEncoding::biased ? q + bias : (pol == 0 ? std::max<int64_t>(q, 0)
                                                                                          : std::max<int64_t>(-q, 0));
          level[k] = uint8_t((u >> (w * j)) & cmax);
        }
        for (int c = 0; c < e.chunks; ++c) {
          const int k0 = c * R, n = std::min(R, K - k0);
          const size_t idx = size_t(col) * e.chunks + c;
          int sum = 0;
          for (int r = 0; r < n; ++r) sum += level[k0 + r];
          // ISAAC: a column whose cells are collectively high is stored complemented, so its
          // sum (and every partial sum it can produce) is at most half the full scale.
          bool flip = s.column_flip && 2 * sum > cmax * n;
          e.flipped[idx] = flip;
          uint64_t* mk = &e.masks[idx * w * e.nw];
          int stored = 0;
          for (int r = 0; r < n; ++r) {
            int lv = flip ? cmax - level[k0 + r] : level[k0 + r];
            stored += lv;
            for (int b = 0; b < w; ++b)
              if ((lv >> b) & 1) mk[b * e.nw + (r >> 6)] |= uint64_t(1) << (r & 63);
            if (stats) {
              stats->cells += 1;
              stats->cell_ones += pop(unsigned(lv));
              stats->cell_level_sum += lv;
            }
          }
          e.stored_sum[idx] = stored;
          e.zero[idx] = stored == 0;
        }
      }
    }
  }
  return e;
}


// The scheme's geometry for one matrix product, resolved once.
struct Geometry {
  int outputs = 0, depth = 0, positions = 0;   // M, K, P
  int cell_bits = 0, dac_bits = 0;              // w, v
  int weight_slices = 0, input_slices = 0, polarities = 1;
  int max_cell = 0, max_input = 0, rows = 0;
  int chunks = 0, words = 0;                    // row chunks, 64-bit words per chunk
  size_t plane_words = 0;                       // words of one fed plane (dac_bits sub-planes)
  bool biased = true;
  int bias_shift = 0;                           // the bias's position inside the top slice
  bool fast = false;                            // 1-bit inputs, 2-bit cells, <= 128 rows
  int outputs_per_crossbar = 1, crossbars = 1;  // column chunks sharing one read
  int adc_shift = 0;                            // shift-mode ADC: low bits dropped

  Geometry(const SchemeOptions& s, const IntMatrix& W, const IntMatrix& X, const EncodedWeights& enc)
      : outputs(int(W.rows())), depth(int(W.cols())), positions(int(X.cols())), cell_bits(s.bits_per_cell),
        dac_bits(s.dac_bits), weight_slices(s.weight_slices()), input_slices(s.input_slices()),
        polarities(s.polarities()), max_cell(s.max_cell_level()), max_input(s.max_input_level()), rows(s.rows),
        chunks(enc.chunks), words(enc.nw), plane_words(size_t(s.dac_bits) * enc.nw),
        biased(s.weight_encoding == WeightEncoding::biased),
        bias_shift(s.weight_bits - 1 - s.bits_per_cell * (s.weight_slices() - 1)),
        fast(s.dac_bits == 1 && s.bits_per_cell == 2 && enc.nw <= 2), outputs_per_crossbar(s.outputs_per_crossbar()),
        crossbars(std::max(1, (int(W.rows()) + s.outputs_per_crossbar() - 1) / s.outputs_per_crossbar())),
        adc_shift(s.adc_shift()) {}
  int chunk_rows(int c) const { return std::min(rows, depth - c * rows); }
};

void check_operands(const SchemeOptions& s, const IntMatrix& W, const IntMatrix& X) {
  if (W.cols() != X.rows())
    throw InputError(fmt::format("datapath: weights are {} x {} but inputs have {} rows", W.rows(), W.cols(), X.rows()));
  const int32_t qmax = (1 << (s.weight_bits - 1)) - 1;
  if (W.rows() > 0 && W.cols() > 0 && (W.maxCoeff() > qmax || W.minCoeff() < -qmax))
    throw InputError(fmt::format("datapath: weights outside +-{} for {}-bit weights", qmax, s.weight_bits));
  if (X.rows() > 0 && X.cols() > 0 && (X.minCoeff() < 0 || int64_t(X.maxCoeff()) >= (int64_t(1) << s.activation_bits)))
    throw InputError(fmt::format("datapath: inputs outside [0, 2^{})", s.activation_bits));
}

// Samplers per (input slice, weight slice), resolved once before the parallel region.
std::vector<const AdcSamplers*> resolve_samplers(const SchemeOptions& s, const DatapathRun& run, const AdcPlan& plan,
                                                 int depth) {
  std::vector<const AdcSamplers*> samplers(plan.bits.size(), nullptr);
  if (!run.adc) return samplers;
  const int active_max = std::min(s.rows, depth);
  if (run.adc->rows() < active_max)
    throw InputError(fmt::format("calibration tables are for {} rows, the scheme uses {}", run.adc->rows(), s.rows));
  const int worst = active_max * s.max_cell_level() * s.max_input_level();
  for (size_t t = 0; t < plan.bits.size(); ++t) {
    if (plan.bits[t] == 0) continue;
    samplers[t] = &run.adc->at(plan.bits[t]);
    if (samplers[t]->max_psum < worst)
      throw InputError(fmt::format("calibration tables cover partial sums up to {}, but {} rows x level {} x "
                                   "input level {} reach {}",
                                   samplers[t]->max_psum, active_max, s.max_cell_level(), s.max_input_level(), worst));
  }
  return samplers;
}

// Rows present in each chunk (the last chunk may be partial), as bit masks.
std::vector<uint64_t> chunk_row_masks(const Geometry& g) {
  std::vector<uint64_t> mask(size_t(g.chunks) * g.words, 0);
  for (int c = 0; c < g.chunks; ++c)
    for (int r = 0; r < g.chunk_rows(c); ++r) mask[size_t(c) * g.words + (r >> 6)] |= uint64_t(1) << (r & 63);
  return mask;
}

// The input bit-planes of one output position, per (row chunk, input slice) = "plane".
struct InputPlanes {
  std::vector<uint64_t> fed;          // [plane][dac sub-plane][word]: bits driven on the rows
  std::vector<uint64_t> active_mask;  // [plane][word]: rows driven with a non-zero level
  std::vector<int32_t> level_sum;     // [plane]: sum of the fed levels (before inversion)
  std::vector<int32_t> active_rows;   // [plane]: rows driven
  std::vector<uint8_t> inverted;      // [plane]: complement fed (input inversion)
  std::vector<int64_t> slice_total;   // [input slice]: sum over all rows of the slice's levels

  explicit InputPlanes(const Geometry& g)
      : fed(size_t(g.chunks) * g.input_slices * g.plane_words), active_mask(size_t(g.chunks) * g.input_slices * g.words),
        level_sum(size_t(g.chunks) * g.input_slices), active_rows(level_sum.size()), inverted(level_sum.size()),
        slice_total(g.input_slices) {}
};

// 1-bit DACs: input slice = bit, no division per bit or per row.
void load_bit_planes(const Geometry& g, const IntMatrix& X, int p, InputPlanes& in, detail::Isa isa) {
  const int nin = g.input_slices, nw = g.words;
  const int32_t* x = &X(0, p);
  for (int c = 0; c < g.chunks; ++c)
    detail::transpose_bits(x + size_t(c) * g.rows, g.chunk_rows(c), nin, nw, &in.fed[size_t(c) * nin * nw],
                           &in.level_sum[size_t(c) * nin], isa);
}

// Bit-planes of column p of X, built from each activation's set bits.
void load_planes(const Geometry& g, const IntMatrix& X, int p, InputPlanes& in, detail::Isa isa) {
  std::fill(in.fed.begin(), in.fed.end(), 0);
  std::fill(in.level_sum.begin(), in.level_sum.end(), 0);
  if (g.dac_bits == 1) return load_bit_planes(g, X, p, in, isa);
  const int v = g.dac_bits, nin = g.input_slices, nw = g.words, R = g.rows;
  for (int k = 0; k < g.depth; ++k) {
    const uint32_t value = uint32_t(X(k, p));
    if (!value) continue;
    const int c = k / R, r = k % R;
    const uint64_t bit = uint64_t(1) << (r & 63);
    for (uint32_t rest = value; rest; rest &= rest - 1) {  // set bits only
      const int a = std::countr_zero(rest);
      const int i = a / v, sub = a % v;
      in.fed[((size_t(c) * nin + i) * v + sub) * nw + (r >> 6)] |= bit;
      in.level_sum[size_t(c) * nin + i] += 1 << sub;
    }
  }
}

// Input inversion, active-row masks and the input statistics of every plane.
void prepare_planes(const SchemeOptions& s, const Geometry& g, const std::vector<uint64_t>& row_mask, InputPlanes& in,
                    SubwordStats* st) {
  const int v = g.dac_bits, nw = g.words;
  std::fill(in.slice_total.begin(), in.slice_total.end(), 0);
  for (int c = 0; c < g.chunks; ++c) {
    const int n = g.chunk_rows(c);
    for (int i = 0; i < g.input_slices; ++i) {
      const size_t ci = size_t(c) * g.input_slices + i;
      in.slice_total[i] += in.level_sum[ci];
      uint64_t* f = &in.fed[ci * g.plane_words];
      // Input inversion: over half the plane's full scale -> feed the complement.
      in.inverted[ci] = s.input_inversion && 2 * in.level_sum[ci] > g.max_input * n;
      if (in.inverted[ci])
        for (int sub = 0; sub < v; ++sub)
          for (int q = 0; q < nw; ++q) f[sub * nw + q] = ~f[sub * nw + q] & row_mask[size_t(c) * nw + q];
      int driven = 0, ones = 0;
      for (int q = 0; q < nw; ++q) {
        uint64_t any = 0;
        for (int sub = 0; sub < v; ++sub) {
          any |= f[sub * nw + q];
          ones += pop(f[sub * nw + q]);
        }
        in.active_mask[ci * nw + q] = any;
        driven += pop(any);
      }
      in.active_rows[ci] = driven;
      if (st) {
        st->input_bits += uint64_t(n) * v;
        st->input_ones += ones;
      }
    }
  }
}

// Counters of one position, kept in registers and flushed once.
struct PositionCounters {
  uint64_t computed = 0, zero_input = 0, zero_weight = 0, dynamic = 0, clipped = 0, active = 0;
  uint64_t bit_cells[2] = {0, 0}, top_cells = 0;  // fast path: active cells per cell bit, at level 3
  uint64_t reads_issued = 0, reads_zero_plane = 0, reads_window = 0;

  void flush(bool fast, SubwordStats& st) const {
    st.computed += computed;
    st.skipped_zero_input += zero_input;
    st.skipped_zero_weight += zero_weight;
    st.skipped_dynamic += dynamic;
    st.clipped += clipped;
    st.active_rows += active;
    st.reads_issued += reads_issued;
    st.reads_zero_plane += reads_zero_plane;
    st.reads_window += reads_window;
    if (fast) {
      // Levels from the per-bit counts: level 3 = both bits, 1 = bit 0 only, 2 = bit 1 only.
      st.active_cells_by_level[3] += top_cells;
      st.active_cells_by_level[1] += bit_cells[0] - top_cells;
      st.active_cells_by_level[2] += bit_cells[1] - top_cells;
      st.active_cells_by_level[0] += active - (bit_cells[0] + bit_cells[1] - top_cells);
    }
  }
};

// The ADC of one (input slice, weight slice): full scale, calibrated samplers, histogram.
struct SliceAdc {
  int bits = 0;
  int64_t full_scale = INT64_MAX;
  int64_t keep_mask = -1;                 // shift mode: the low bits dropped
  const AdcSamplers* samplers = nullptr;
  uint64_t* histogram = nullptr;
};

// Active cells per level on the generic path (the fast path counts them per cell bit).
// A free function: passing the unit's address would keep its counters out of registers.
void count_cell_levels(const uint64_t* cells, const uint64_t* driven, int driven_rows, int words, int cell_bits,
                       int max_cell, SubwordStats& st) {
  int counted = 0;
  for (int lv = 1; lv <= max_cell; ++lv) {
    int cnt = 0;
    for (int q = 0; q < words; ++q) {
      uint64_t x = driven[q];
      for (int b = 0; b < cell_bits; ++b) x &= ((lv >> b) & 1) ? cells[b * words + q] : ~cells[b * words + q];
      cnt += pop(x);
    }
    st.active_cells_by_level[lv] += cnt;
    counted += cnt;
  }
  st.active_cells_by_level[0] += driven_rows - counted;
}

// One subword computation: a column chunk against a fed plane, through the ADC, decoded.
// Built per position as a local so its counters live in registers; scalars and array
// pointers are copied in for the same reason.
struct SubwordUnit {
  const uint64_t* fed;
  const uint64_t* driven_mask;
  const int32_t* level_sum;
  const int32_t* active_rows;
  const uint8_t* inverted;
  const EncodedWeights& enc;
  const int words, cell_bits, dac_bits, max_cell, max_input;
  const size_t plane_words;
  const bool fast;
  SubwordStats* const st;
  const uint64_t position_seed;
  PositionCounters n{};

  SubwordUnit(const Geometry& g, const EncodedWeights& e, const InputPlanes& in, SubwordStats* stats, uint64_t seed)
      : fed(in.fed.data()), driven_mask(in.active_mask.data()), level_sum(in.level_sum.data()),
        active_rows(in.active_rows.data()), inverted(in.inverted.data()), enc(e), words(g.words),
        cell_bits(g.cell_bits), dac_bits(g.dac_bits), max_cell(g.max_cell), max_input(g.max_input),
        plane_words(g.plane_words), fast(g.fast), st(stats), position_seed(seed) {}

  // The ideal column sum of the stored cells under the fed plane.
  __attribute__((always_inline)) int column_sum(const uint64_t* cells, size_t plane) {
    const uint64_t* f = &fed[plane * plane_words];
    const int nw = words;
    if (fast) {
      // 1-bit inputs, 2-bit cells: psum = |x & b0| + 2 |x & b1|.
      int c0 = pop(f[0] & cells[0]), c1 = pop(f[0] & cells[nw]), c3 = pop(f[0] & cells[0] & cells[nw]);
      if (nw == 2) {
        c0 += pop(f[1] & cells[1]);
        c1 += pop(f[1] & cells[3]);
        c3 += pop(f[1] & cells[1] & cells[3]);
      }
      n.bit_cells[0] += c0;
      n.bit_cells[1] += c1;
      n.top_cells += c3;
      return c0 + 2 * c1;
    }
    int psum = 0;
    for (int sub = 0; sub < dac_bits; ++sub)
      for (int b = 0; b < cell_bits; ++b) {
        int cnt = 0;
        for (int q = 0; q < nw; ++q) cnt += pop(f[sub * nw + q] & cells[b * nw + q]);
        psum += cnt << (sub + b);
      }
    if (st)
      count_cell_levels(cells, &driven_mask[plane * words], active_rows[plane], words, cell_bits, max_cell, *st);
    return psum;
  }

  // Column chunk `idx` (column x row chunk) against plane `plane` of input slice i.
  __attribute__((always_inline)) int64_t operator()(size_t idx, size_t plane, int i, const SliceAdc& adc) {
    int64_t code;
    const int driven = active_rows[plane];
    if (driven == 0) {
      code = 0;  // nothing driven: no read, no conversion
      ++n.zero_input;
    } else if (enc.zero[idx]) {
      code = 0;  // every stored cell at level 0: known at mapping time
      ++n.zero_weight;
    } else {
      const int psum = column_sum(enc.col(idx), plane);
      if (adc.samplers)  // the draw captures copies: the unit's address must not escape
        code = adc.samplers->by_active_rows[driven]->sample(
            psum, [seed = position_seed, key = (uint64_t(idx) << 16) | uint64_t(i)] { return Rng::hash64(seed, key); });
      else
        code = std::min<int64_t>(psum, adc.full_scale) & adc.keep_mask;
      ++n.computed;
      n.active += driven;
      n.clipped += psum > adc.full_scale;
      if (adc.histogram) adc.histogram[psum]++;
      if (st) st->conversions_by_bits[adc.bits]++;
    }
    // Undo the encodings digitally (ISAAC's unit column gives the input sum).
    if (inverted[plane]) code = int64_t(max_input) * enc.stored_sum[idx] - code;
    if (enc.flipped[idx]) code = int64_t(max_cell) * level_sum[plane] - code;
    return code;
  }
};

// Per (row chunk, crossbar): columns holding some non-zero cell (converted on every read).
std::vector<int> nonzero_columns(const Geometry& g, const EncodedWeights& enc) {
  std::vector<int> n(size_t(g.chunks) * g.crossbars, 0);
  const int per_output = g.polarities * g.weight_slices;
  for (int col = 0; col < enc.ncol; ++col)
    for (int c = 0; c < g.chunks; ++c)
      n[size_t(c) * g.crossbars + col / per_output / g.outputs_per_crossbar] += !enc.zero[size_t(col) * g.chunks + c];
  return n;
}

// Everything shared by the positions of one run (read-only inside the parallel region).
struct RunContext {
  const SchemeOptions& s;
  const DatapathRun& run;
  const Geometry& g;
  const EncodedWeights& enc;
  const AdcPlan& plan;
  const std::vector<const AdcSamplers*>& samplers;
  const std::vector<int>& nonzero_columns;  // [chunk * crossbars + crossbar]: columns with stored cells
  int hist_stride = 0;
  const detail::KernelWeights* kernel = nullptr;  // plane kernel's layout (ISAAC geometry, plane-major)
  bool kernel_uniform = false;  // every (input, weight) slice has the same ADC and no histogram is kept
  detail::Isa isa = detail::Isa::scalar;  // the kernels' loops (and the bit transpose) for this CPU

  SliceAdc slice_adc(int i, int j, SubwordStats* st) const {
    const size_t pj = size_t(i) * g.weight_slices + j;
    SliceAdc a;
    a.bits = plan.bits[pj];
    a.full_scale = a.bits && !g.adc_shift ? (int64_t(1) << a.bits) - 1 : INT64_MAX;
    if (a.bits && g.adc_shift) a.keep_mask = ~((int64_t(1) << g.adc_shift) - 1);
    a.samplers = samplers[pj];
    a.histogram = st && run.histograms ? &st->psum_hist[pj * hist_stride] : nullptr;
    return a;
  }
};

// The plane kernel's layout of the encoded cells (1-bit inputs, 2-bit cells, <= 128 rows).
detail::KernelWeights kernel_weights(const Geometry& g, const EncodedWeights& enc) {
  detail::KernelWeights w;
  w.chunks = g.chunks;
  w.slices = g.weight_slices;
  w.per_slice = g.outputs * g.polarities;
  w.words = g.words;
  w.resize(size_t(w.chunks) * w.slices * w.per_slice);
  w.nonzero.assign(size_t(w.chunks) * w.slices, 0);
  for (int c = 0; c < w.chunks; ++c)
    for (int j = 0; j < w.slices; ++j)
      for (int mp = 0; mp < w.per_slice; ++mp) {
        const size_t idx = size_t(mp * w.slices + j) * g.chunks + c, at = w.slot(c, j) + mp;
        const uint64_t* cells = enc.col(idx);  // [cell bit][word]
        for (int b = 0; b < 2; ++b)
          for (int q = 0; q < w.words; ++q) w.cell_bits[2 * b + q][at] = cells[b * w.words + q];
        w.decode[at] = {enc.stored_sum[idx], enc.flipped[idx], uint8_t(!enc.zero[idx])};
        w.nonzero[size_t(c) * w.slices + j] += !enc.zero[idx];
        w.key_mul[at] = (uint64_t(idx) << 16) * Rng::kKeyMultiplier;  // the draw's key, less the input slice
      }
  return w;
}

// Whether every (input slice, weight slice) converts through the same ADC with no histogram:
// then the kernel drives a plane's whole row chunk in one loop.
bool uniform_kernel_adc(const RunContext& ctx) {
  if (ctx.run.histograms) return false;
  for (size_t t = 1; t < ctx.plan.bits.size(); ++t)
    if (ctx.plan.bits[t] != ctx.plan.bits[0] || ctx.samplers[t] != ctx.samplers[0]) return false;
  return true;
}

// Per-thread work arrays of the plane-major order.
struct KernelScratch {
  std::vector<int64_t> column_acc;           // [column]: decoded, shifted codes of one position
  std::vector<int64_t> raw;                  // plane kernel: raw sums per column chunk
  std::vector<detail::ChunkDecode> decode;   // plane kernel: per row chunk
  std::vector<uint64_t> driven;              // plane kernel with statistics: [chunk * 128 + row] drives
  std::vector<detail::KernelAdc> adcs;       // plane kernel: [input slice * weight slices + j], per thread
  std::vector<uint64_t> planes_driven;       // plane kernel with statistics: [chunk * input slices + i]
  std::vector<CodeSampler::Rows> plane_rows; // serial kernel: the draw of each (plane, weight slice)
  uint64_t* driven_rows() { return driven.empty() ? nullptr : driven.data(); }

  // The parts of each slice's ADC that do not change from plane to plane.
  void prepare_kernel(const RunContext& ctx, SubwordStats* st) {
    const Geometry& g = ctx.g;
    raw.resize(ctx.kernel->size());
    decode.resize(g.chunks);
    adcs.resize(size_t(g.input_slices) * g.weight_slices);
    for (int i = 0; i < g.input_slices; ++i)
      for (int j = 0; j < g.weight_slices; ++j) {
        const SliceAdc a = ctx.slice_adc(i, j, st);
        detail::KernelAdc& ka = adcs[size_t(i) * g.weight_slices + j];
        ka.full_scale = a.full_scale;
        ka.keep_mask = a.keep_mask;
        ka.histogram = a.histogram;
      }
    plane_rows.resize(size_t(g.chunks) * g.input_slices * (ctx.kernel_uniform ? 1 : g.weight_slices));
    if (st) {
      driven.assign(size_t(g.chunks) * 128, 0);  // how often each row was driven
      planes_driven.assign(size_t(g.chunks) * g.input_slices, 0);
    }
  }
};

// What the plane kernel adds to a position's counters.
struct KernelCounts {
  uint64_t computed = 0, zero_weight = 0, active = 0, clipped = 0;
};

// One fed plane with at least one driven row through the plane kernel, every weight slice.
// The statistics that do not depend on the partial sums are counted per plane, not per
// subword; the rows driven and the planes driven are tallied for the per-level cell counts
// and the conversions per ADC resolution (counted once per run, in kernel_statistics).
KernelCounts drive_plane_kernel(const RunContext& ctx, const InputPlanes& in, int c, int i, uint64_t seed,
                                KernelScratch& scratch) {
  const Geometry& g = ctx.g;
  const detail::KernelWeights& w = *ctx.kernel;
  const size_t plane = size_t(c) * g.input_slices + i;
  const int rows_driven = in.active_rows[plane];
  const uint64_t* f = &in.fed[plane * g.plane_words];
  detail::KernelPlane kp;
  kp.fed[0] = f[0];
  kp.fed[1] = g.words == 2 ? f[1] : 0;
  kp.chunk = c;
  kp.slice = i;
  kp.inverted = in.inverted[plane];
  kp.seed = seed;
  detail::ChunkDecode& decode = scratch.decode[c];
  if (kp.inverted) decode.inverted_weight += int64_t(g.max_input) << i;
  decode.flip_total += (int64_t(g.max_cell) * in.level_sum[plane]) << i;
  detail::KernelAdc* adcs = &scratch.adcs[size_t(i) * g.weight_slices];
  KernelCounts n;
  const int slices = ctx.kernel_uniform ? 1 : g.weight_slices;  // uniform: adcs[0] serves every slice
  for (int j = 0; j < slices; ++j) {
    const AdcSamplers* a = ctx.samplers[size_t(i) * g.weight_slices + j];
    adcs[j].sampler = a ? a->by_active_rows[rows_driven]->rows() : CodeSampler::Rows{};
  }
  for (int j = 0; j < g.weight_slices; ++j) n.computed += w.nonzero[size_t(c) * g.weight_slices + j];
  n.clipped = detail::drive_plane(w, kp, adcs, ctx.kernel_uniform, ctx.isa, scratch.raw.data());
  n.active = n.computed * uint64_t(rows_driven);
  n.zero_weight = uint64_t(w.per_slice) * w.slices - n.computed;  // no cell stored: known at mapping
  if (uint64_t* driven = scratch.driven_rows()) {
    scratch.planes_driven[plane]++;
    for (int q = 0; q < g.words; ++q)
      for (uint64_t b = f[q]; b; b &= b - 1) driven[size_t(c) * 128 + 64 * q + std::countr_zero(b)]++;
  }
  return n;
}

// The plane kernel's per-run statistics of one thread: conversions per ADC resolution from
// the planes driven, cells per level from the rows driven.
void kernel_statistics(const RunContext& ctx, const KernelScratch& scratch, SubwordStats& st) {
  const Geometry& g = ctx.g;
  const detail::KernelWeights& w = *ctx.kernel;
  for (int c = 0; c < g.chunks; ++c)
    for (int i = 0; i < g.input_slices; ++i)
      for (int j = 0; j < g.weight_slices; ++j)
        st.conversions_by_bits[ctx.plan.bits[size_t(i) * g.weight_slices + j]] +=
            scratch.planes_driven[size_t(c) * g.input_slices + i] * uint64_t(w.nonzero[size_t(c) * g.weight_slices + j]);
  detail::count_driven_levels(w, scratch.driven, st.active_cells_by_level);
}

// Plane-major: each input plane is driven once against every column, as the crossbar
// does; column results are shifted and added per output afterwards.
PositionCounters run_plane_major(const RunContext& ctx, const InputPlanes& in, SubwordStats* st, uint64_t seed,
                                 KernelScratch& scratch, int p, AccMatrix& out) {
  const Geometry& g = ctx.g;
  SubwordUnit unit(g, ctx.enc, in, st, seed);
  const int S = g.weight_slices, columns_per_slice = g.outputs * g.polarities;
  std::vector<int64_t>& column_acc = scratch.column_acc;
  std::fill(column_acc.begin(), column_acc.end(), 0);
  if (ctx.kernel) {
    std::fill(scratch.raw.begin(), scratch.raw.end(), 0);
    std::fill(scratch.decode.begin(), scratch.decode.end(), detail::ChunkDecode{});
  }
  for (int c = 0; c < g.chunks; ++c)
    for (int i = 0; i < g.input_slices; ++i) {
      const size_t plane = size_t(c) * g.input_slices + i;
      if (in.active_rows[plane] == 0 && !in.inverted[plane]) {  // contributes exactly zero everywhere
        unit.n.zero_input += uint64_t(ctx.enc.ncol);
        unit.n.reads_zero_plane += g.crossbars;
        continue;
      }
      unit.n.reads_issued += g.crossbars;
      if (st)
        for (int x = 0; x < g.crossbars; ++x) st->read_conversions[ctx.nonzero_columns[size_t(c) * g.crossbars + x]]++;
      if (ctx.kernel && in.active_rows[plane] > 0) {
        const KernelCounts k = drive_plane_kernel(ctx, in, c, i, seed, scratch);
        unit.n.computed += k.computed;
        unit.n.zero_weight += k.zero_weight;
        unit.n.active += k.active;
        unit.n.clipped += k.clipped;
        continue;
      }
      for (int j = 0; j < S; ++j) {
        const SliceAdc adc = ctx.slice_adc(i, j, st);
        for (int mp = 0; mp < columns_per_slice; ++mp) {
          const int col = mp * S + j;
          column_acc[col] += unit(size_t(col) * g.chunks + c, plane, i, adc) * (int64_t(1) << (g.dac_bits * i));
        }
      }
    }
  if (ctx.kernel) detail::fold_columns(*ctx.kernel, scratch.decode, scratch.raw.data(), column_acc.data());
  int64_t bias_total = 0;
  if (g.biased)
    for (int i = 0; i < g.input_slices; ++i)
      bias_total += (int64_t(1) << (g.bias_shift + g.cell_bits * (S - 1) + g.dac_bits * i)) * in.slice_total[i];
  for (int m = 0; m < g.outputs; ++m) {
    int64_t acc = -ctx.run.input_offset * ctx.enc.qsum[m] - bias_total;
    for (int pol = 0; pol < g.polarities; ++pol)
      for (int j = 0; j < S; ++j) {
        int64_t t = column_acc[size_t((m * g.polarities + pol) * S + j)] * (int64_t(1) << (g.cell_bits * j));
        acc += pol ? -t : t;
      }
    out(m, p) = acc;
  }
  return unit.n;
}

// Dynamic quantization's rule: a subword of weight 2^e is skipped when it lies more than
// `window` bits below the leading one of the running sum (acc != 0) of the planes read so far.
inline int leading_one(int64_t acc) { return acc != 0 ? 63 - std::countl_zero(uint64_t(acc < 0 ? -acc : acc)) : 0; }
inline bool window_skips(int64_t acc, int lead, int e, int window) { return acc != 0 && e < lead - window; }

// The reads of one position in the most-significant-first order: a read (row chunk,
// crossbar, plane) is issued when some column of that crossbar converts the plane.
void count_serial_reads(const Geometry& g, const InputPlanes& in, SubwordStats* st,
                        const std::vector<int32_t>& conversions, PositionCounters& n) {
  const int nin = g.input_slices;
  for (int c = 0; c < g.chunks; ++c)
    for (int x = 0; x < g.crossbars; ++x)
      for (int i = 0; i < nin; ++i) {
        const int32_t k = conversions[(size_t(c) * g.crossbars + x) * nin + i];
        if (in.active_rows[size_t(c) * nin + i] == 0) ++n.reads_zero_plane;
        else if (k == 0) ++n.reads_window;
        else {
          ++n.reads_issued;
          if (st) st->read_conversions[k]++;
        }
      }
}

// The most-significant-first order, shared by the generic unit and the kernel: per output,
// input planes from the top, weight slices from the top, the window's skips counted in
// `dynamic`. `column(mp, i, j, xbar)` gives column mp's (= output x polarities + polarity)
// decoded codes of plane i and slice j summed over the row chunks, and counts its
// conversions in `conversions`.
template <class Column>
void serial_order(const RunContext& ctx, const InputPlanes& in, std::vector<int32_t>& conversions, int p,
                  AccMatrix& out, uint64_t& dynamic, Column&& column) {
  const Geometry& g = ctx.g;
  const int S = g.weight_slices, window = ctx.s.window_bits, npol = g.polarities;
  std::fill(conversions.begin(), conversions.end(), 0);  // [(chunk * crossbars + crossbar) * nin + i]
  for (int m = 0; m < g.outputs; ++m) {
    const int xbar = m / g.outputs_per_crossbar;
    int64_t acc = -ctx.run.input_offset * ctx.enc.qsum[m];
    for (int i = g.input_slices - 1; i >= 0; --i) {
      const int lead = leading_one(acc);
      int64_t plane_sum = 0;
      for (int j = S - 1; j >= 0; --j) {
        const int e = g.dac_bits * i + g.cell_bits * j;
        if (window_skips(acc, lead, e, window)) {
          dynamic += uint64_t(g.chunks) * npol;
          continue;
        }
        for (int pol = 0; pol < npol; ++pol) {
          int64_t sub = column(m * npol + pol, i, j, xbar);
          // Biased weights: the top slice carries the bias; removing it here makes the
          // slice's contribution signed, so the window sees the true running sum.
          if (g.biased && j == S - 1) sub -= (int64_t(1) << g.bias_shift) * in.slice_total[i];
          plane_sum += (pol ? -sub : sub) * (int64_t(1) << e);
        }
      }
      acc += plane_sum;
    }
    out(m, p) = acc;
  }
}

// Dynamic quantization: output-major; input planes from the most significant down, as the
// crossbar reads them; within a plane every column's decision uses the running result of
// the planes already read (reduced over all row chunks), and skips the subwords more than
// the window below its leading one. A read (row chunk, crossbar, plane) is issued when some
// column of that crossbar still converts the plane.
PositionCounters run_plane_serial(const RunContext& ctx, const InputPlanes& in, SubwordStats* st, uint64_t seed,
                                  std::vector<int32_t>& conversions, int p, AccMatrix& out) {
  const Geometry& g = ctx.g;
  SubwordUnit unit(g, ctx.enc, in, st, seed);
  const int S = g.weight_slices, nin = g.input_slices;
  serial_order(ctx, in, conversions, p, out, unit.n.dynamic, [&](int mp, int i, int j, int xbar) {
    const SliceAdc adc = ctx.slice_adc(i, j, st);
    const int col = mp * S + j;
    int64_t sub = 0;
    for (int c = 0; c < g.chunks; ++c) {
      const size_t plane = size_t(c) * nin + i, idx = size_t(col) * g.chunks + c;
      sub += unit(idx, plane, i, adc);
      conversions[(size_t(c) * g.crossbars + xbar) * nin + i] += in.active_rows[plane] != 0 && !ctx.enc.zero[idx];
    }
    return sub;
  });
  count_serial_reads(g, in, st, conversions, unit.n);
  return unit.n;
}

// run_plane_serial for the ISAAC geometry (1-bit inputs, 2-bit cells, <= 128 rows), on the
// plane kernel's layout: the same order, decisions, draws and counts, without the generic
// unit's per-subword tests of the geometry, sampler pointer chase and draw branch. The
// sampler of each (plane, weight slice) is looked up once per position.
template <int NW, bool Stats>
PositionCounters run_plane_serial_kernel(const RunContext& ctx, const InputPlanes& in, SubwordStats* st,
                                         uint64_t seed, KernelScratch& scratch, std::vector<int32_t>& conversions,
                                         int p, AccMatrix& out) {
  const Geometry& g = ctx.g;
  const detail::KernelWeights& w = *ctx.kernel;
  const int S = g.weight_slices, nin = g.input_slices;
  const int per_j = ctx.kernel_uniform ? 0 : 1;  // uniform: one sampler per plane serves every slice
  std::vector<CodeSampler::Rows>& rows = scratch.plane_rows;  // [(chunk * nin + i) * (per_j ? S : 1) + j]
  for (int c = 0; c < g.chunks; ++c)
    for (int i = 0; i < nin; ++i) {
      const size_t plane = size_t(c) * nin + i;
      for (int j = 0; j < (per_j ? S : 1); ++j) {
        const AdcSamplers* a = ctx.samplers[size_t(i) * S + j];
        rows[plane * (per_j ? S : 1) + j] =
            a && in.active_rows[plane] ? a->by_active_rows[in.active_rows[plane]]->rows() : CodeSampler::Rows{};
      }
    }
  PositionCounters n;
  serial_order(ctx, in, conversions, p, out, n.dynamic, [&](int mp, int i, int j, int xbar) {
    const detail::KernelAdc& adc = scratch.adcs[size_t(i) * S + j];
    const uint64_t slice_mul = uint64_t(i) * Rng::kKeyMultiplier;
    int64_t sub = 0;
    for (int c = 0; c < g.chunks; ++c) {
      const size_t plane = size_t(c) * nin + i, at = w.slot(c, j) + mp;
      const detail::KernelDecode& d = w.decode[at];
      const int driven = in.active_rows[plane];
      int64_t code = 0;
      if (driven == 0) {
        ++n.zero_input;  // nothing driven: no read, no conversion
      } else if (!d.nonzero) {
        ++n.zero_weight;  // every stored cell at level 0: known at mapping time
      } else {
        const uint64_t* f = &in.fed[plane * g.plane_words];
        const uint64_t l0 = f[0] & w.cell_bits[0][at], h0 = f[0] & w.cell_bits[2][at];
        int ones = __builtin_popcountll(l0), twos = __builtin_popcountll(h0);
        if constexpr (NW == 2) {
          const uint64_t l1 = f[1] & w.cell_bits[1][at], h1 = f[1] & w.cell_bits[3][at];
          ones += __builtin_popcountll(l1);
          twos += __builtin_popcountll(h1);
          if constexpr (Stats) n.top_cells += __builtin_popcountll(l1 & h1);
        }
        if constexpr (Stats) {
          n.bit_cells[0] += ones;
          n.bit_cells[1] += twos;
          n.top_cells += __builtin_popcountll(l0 & h0);
        }
        const int psum = ones + 2 * twos;
        const CodeSampler::Rows& r = rows[plane * (per_j ? S : 1) + j * per_j];
        code = r.begin ? r.draw(psum, Rng::finish(seed ^ (w.key_mul[at] + slice_mul)))
                       : std::min<int64_t>(psum, adc.full_scale) & adc.keep_mask;
        ++n.computed;
        n.active += driven;
        n.clipped += psum > adc.full_scale;
        if (adc.histogram) adc.histogram[psum]++;
        if constexpr (Stats) st->conversions_by_bits[ctx.plan.bits[size_t(i) * S + j]]++;
        conversions[(size_t(c) * g.crossbars + xbar) * nin + i]++;
      }
      // Undo the encodings digitally (ISAAC's unit column gives the input sum).
      if (in.inverted[plane]) code = int64_t(g.max_input) * d.stored_sum - code;
      if (d.flipped) code = int64_t(g.max_cell) * in.level_sum[plane] - code;
      sub += code;
    }
    return sub;
  });
  count_serial_reads(g, in, st, conversions, n);
  return n;
}

// Dynamic quantization eight positions at a time (detail::drive_serial_lanes): each
// position's planes are loaded as usual, then interleaved by lane.
class SerialLaneRunner {
 public:
  SerialLaneRunner(const RunContext& ctx, const KernelScratch& scratch, SubwordStats* st)
      : ctx_(ctx), g_(ctx.g), st_(st), planes_(detail::kLanes, InputPlanes(ctx.g)) {
    const Geometry& g = ctx.g;
    const size_t n_planes = size_t(g.chunks) * g.input_slices, S = size_t(g.weight_slices);
    sp_.outputs = g.outputs;
    sp_.chunks = g.chunks;
    sp_.input_slices = g.input_slices;
    sp_.weight_slices = g.weight_slices;
    sp_.polarities = g.polarities;
    sp_.crossbars = g.crossbars;
    sp_.outputs_per_crossbar = g.outputs_per_crossbar;
    sp_.window_bits = ctx.s.window_bits;
    sp_.max_input = g.max_input;
    sp_.max_cell = g.max_cell;
    sp_.bias_shift = g.bias_shift;
    sp_.biased = g.biased;
    sp_.stats = st != nullptr;
    sp_.tables_per_plane = ctx.kernel_uniform ? 1 : int(S);
    sp_.input_offset = ctx.run.input_offset;
    sp_.qsum = ctx.enc.qsum.data();
    sp_.adcs = scratch.adcs.data();
    for (size_t t = 0; t < ctx.samplers.size(); ++t) tables_.push_back(ctx.samplers[t] != nullptr);
    sp_.tables = tables_.data();
    sp_.adc_bits = ctx.plan.bits.data();
    const size_t L = detail::kLanes;
    b_.fed0.resize(n_planes * L);
    b_.fed1.resize(n_planes * L);
    b_.driven.resize(n_planes * L);
    b_.level_sum.resize(n_planes * L);
    b_.inverted.resize(n_planes);
    b_.slice_total.resize(size_t(g.input_slices) * L);
    b_.table_begin.resize(n_planes * sp_.tables_per_plane * L);
    b_.table_slots.resize(b_.table_begin.size());
    b_.conversions.resize(size_t(g.chunks) * g.crossbars * g.input_slices * L);
    acc_.resize(size_t(g.outputs) * L);
  }

  // Positions [p0, p0 + lanes) into `out`.
  void run(const IntMatrix& X, const std::vector<uint64_t>& row_mask, int p0, int lanes, AccMatrix& out) {
    const Geometry& g = g_;
    const int nin = g.input_slices, L = detail::kLanes, T = sp_.tables_per_plane;
    b_.lanes = lanes;
    std::fill(b_.inverted.begin(), b_.inverted.end(), 0);
    for (int l = 0; l < L; ++l) {
      const bool live = l < lanes;
      InputPlanes& in = planes_[l];
      if (live) {
        load_planes(g, X, p0 + l, in, ctx_.isa);
        prepare_planes(ctx_.s, g, row_mask, in, st_);
      }
      b_.seed[l] = live ? mix(ctx_.run.seed, uint64_t(p0 + l)) : 0;
      for (int i = 0; i < nin; ++i) b_.slice_total[size_t(i) * L + l] = live ? in.slice_total[i] : 0;
      for (size_t plane = 0; plane < size_t(g.chunks) * nin; ++plane) {
        const size_t at = plane * L + l;
        const int driven = live ? in.active_rows[plane] : 0;
        b_.fed0[at] = live ? in.fed[plane * g.plane_words] : 0;
        b_.fed1[at] = live && g.words == 2 ? in.fed[plane * g.plane_words + 1] : 0;
        b_.driven[at] = driven;
        b_.level_sum[at] = live ? in.level_sum[plane] : 0;
        if (live && in.inverted[plane]) b_.inverted[plane] |= uint8_t(1u << l);
        for (int j = 0; j < T; ++j) {
          const AdcSamplers* a = ctx_.samplers[size_t(plane % nin) * g.weight_slices + j];
          const CodeSampler::Rows r = a && driven ? a->by_active_rows[driven]->rows() : CodeSampler::Rows{};
          b_.table_begin[(plane * T + j) * L + l] = reinterpret_cast<uint64_t>(r.begin);
          b_.table_slots[(plane * T + j) * L + l] = reinterpret_cast<uint64_t>(r.slots);
        }
      }
    }
    detail::LaneCounters c;
    detail::drive_serial_lanes(*ctx_.kernel, sp_, b_, c, acc_.data());
    PositionCounters n;
    n.computed = c.computed;
    n.zero_input = c.zero_input;
    n.zero_weight = c.zero_weight;
    n.dynamic = c.dynamic;
    n.clipped = c.clipped;
    n.active = c.active;
    n.bit_cells[0] = c.bit_cells[0];
    n.bit_cells[1] = c.bit_cells[1];
    n.top_cells = c.top_cells;
    std::vector<int32_t>& conversions = lane_conversions_;
    conversions.resize(size_t(g.chunks) * g.crossbars * nin);
    for (int l = 0; l < lanes; ++l) {
      for (int m = 0; m < g.outputs; ++m) out(m, p0 + l) = acc_[size_t(m) * L + l];
      for (size_t t = 0; t < conversions.size(); ++t) conversions[t] = b_.conversions[t * L + l];
      count_serial_reads(g, planes_[l], st_, conversions, n);
    }
    if (st_) {
      n.flush(true, *st_);
      for (int bits = 0; bits < 17; ++bits) st_->conversions_by_bits[bits] += c.conversions_by_bits[bits];
    }
  }

 private:
  const RunContext& ctx_;
  const Geometry& g_;
  SubwordStats* st_;
  std::vector<InputPlanes> planes_;
  std::vector<uint8_t> tables_;
  detail::SerialParams sp_;
  detail::LaneBlock b_;
  std::vector<int64_t> acc_;
  std::vector<int32_t> lane_conversions_;
};

// Thread-local statistics summed, with the stored cells counted once.
void merge_statistics(const SubwordStats& proto, const std::vector<SubwordStats>& local, uint64_t nominal,
                      uint64_t reads_nominal, SubwordStats* out) {
  SubwordStats total = proto;
  for (const auto& l : local) {
    SubwordStats t = l;
    t.cells = t.cell_ones = t.cell_level_sum = 0;
    total.merge(t);
  }
  total.nominal = nominal;
  total.reads_nominal = reads_nominal;
  out->merge(total);
}

}  // namespace

AccMatrix run_datapath(const SchemeOptions& s, const DatapathRun& run, SubwordStats* stats_out) {
  s.validate();
  if (!run.weights || !run.inputs) throw Error("run_datapath: weights and inputs are required");
  const IntMatrix& W = *run.weights;
  const IntMatrix& X = *run.inputs;
  check_operands(s, W, X);
  const AdcPlan uniform = AdcPlan::uniform(s, s.adc_bits);
  const AdcPlan& plan = run.plan ? *run.plan : uniform;
  if (plan.input_slices != s.input_slices() || plan.weight_slices != s.weight_slices())
    throw InputError(fmt::format("ADC plan is {} x {} (input x weight slices) but the scheme has {} x {}",
                                 plan.input_slices, plan.weight_slices, s.input_slices(), s.weight_slices()));
  const std::vector<const AdcSamplers*> samplers = resolve_samplers(s, run, plan, int(W.cols()));

  SubwordStats proto;
  proto.init(s);
  const bool want = stats_out != nullptr;
  const EncodedWeights enc = encode_weights(s, W, want ? &proto : nullptr);
  const Geometry g(s, W, X, enc);
  const std::vector<uint64_t> row_mask = chunk_row_masks(g);
  const std::vector<int> nonzero = nonzero_columns(g, enc);
  const bool dynamic = s.dynamic_quantization && s.window_bits < kUnboundedWindow;
  // The kernels cover the ISAAC geometry (the plane kernel, and its most-significant-first
  // variant under dynamic quantization); other geometries take the generic subword unit.
  const bool use_kernel = g.fast && run.loop != DatapathRun::Loop::generic;
  const detail::KernelWeights kernel = use_kernel ? kernel_weights(g, enc) : detail::KernelWeights{};
  RunContext ctx{s, run, g, enc, plan, samplers, nonzero, proto.max_psum + 1, use_kernel ? &kernel : nullptr};
  ctx.isa = run.loop == DatapathRun::Loop::fastest ? detail::best_isa() : detail::Isa::scalar;
  if (ctx.kernel) ctx.kernel_uniform = uniform_kernel_adc(ctx);
  // Dynamic quantization on the kernel's geometry: eight positions per vector where AVX-512 runs.
  const bool lanes = dynamic && ctx.kernel && ctx.isa == detail::Isa::avx512 && detail::serial_lanes_available();
  auto serial_kernel = !ctx.kernel ? nullptr
                       : g.words == 2 ? (want ? &run_plane_serial_kernel<2, true> : &run_plane_serial_kernel<2, false>)
                                      : (want ? &run_plane_serial_kernel<1, true> : &run_plane_serial_kernel<1, false>);

  AccMatrix out(g.outputs, g.positions);
  std::vector<SubwordStats> local(want ? omp_get_max_threads() : 0, proto);
  for (auto& l : local) l.cells = l.cell_ones = l.cell_level_sum = 0;

#pragma omp parallel
  {
    SubwordStats* st = want ? &local[omp_get_thread_num()] : nullptr;
    InputPlanes in(g);
    KernelScratch scratch;
    scratch.column_acc.resize(enc.ncol);
    if (ctx.kernel) scratch.prepare_kernel(ctx, st);
    std::vector<int32_t> conversions(dynamic ? size_t(g.chunks) * g.crossbars * g.input_slices : 0);
    if (lanes) {
      SerialLaneRunner runner(ctx, scratch, st);
      const int blocks = (g.positions + detail::kLanes - 1) / detail::kLanes;
#pragma omp for schedule(dynamic, 1)
      for (int blk = 0; blk < blocks; ++blk)
        runner.run(X, row_mask, blk * detail::kLanes, std::min(detail::kLanes, g.positions - blk * detail::kLanes), out);
    } else
#pragma omp for schedule(dynamic, 8)
    for (int p = 0; p < g.positions; ++p) {
      load_planes(g, X, p, in, ctx.isa);
      prepare_planes(s, g, row_mask, in, st);
      const uint64_t seed = mix(run.seed, uint64_t(p));
      const PositionCounters n =
          !dynamic       ? run_plane_major(ctx, in, st, seed, scratch, p, out)
          : ctx.kernel   ? serial_kernel(ctx, in, st, seed, scratch, conversions, p, out)
                         : run_plane_serial(ctx, in, st, seed, conversions, p, out);
      // The plane kernel counts cells per level from the rows driven (below), not per subword.
      if (st) n.flush(g.fast && (dynamic || !ctx.kernel), *st);
    }
    if (st && ctx.kernel && !dynamic) kernel_statistics(ctx, scratch, *st);
  }
  if (want)
    merge_statistics(proto, local, uint64_t(enc.ncol) * g.chunks * g.positions * g.input_slices,
                     uint64_t(g.crossbars) * g.chunks * g.positions * g.input_slices, stats_out);
  return out;
}

}  // namespace rramsim::schemes
