#include "rramsim/schemes/datapath.hpp"

#include <algorithm>
#include <bit>
#include <climits>
#include <fmt/format.h>
#include <omp.h>

#include "rramsim/common/error.hpp"

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

struct Step {
  int i, j, pol, e;
};

}  // namespace

AccMatrix run_datapath(const SchemeOptions& s, const DatapathRun& run, SubwordStats* stats_out) {
  s.validate();
  if (!run.weights || !run.inputs) throw Error("run_datapath: weights and inputs are required");
  const IntMatrix& W = *run.weights;
  const IntMatrix& X = *run.inputs;
  if (W.cols() != X.rows())
    throw InputError(fmt::format("datapath: weights are {} x {} but inputs have {} rows", W.rows(), W.cols(), X.rows()));
  const int M = int(W.rows()), K = int(W.cols()), P = int(X.cols());
  const int w = s.bits_per_cell, v = s.dac_bits, S = s.weight_slices(), nin = s.input_slices();
  const int npol = s.polarities(), cmax = s.max_cell_level(), vmax = s.max_input_level(), R = s.rows;
  const int32_t qmax = (1 << (s.weight_bits - 1)) - 1;
  if (M > 0 && K > 0 && (W.maxCoeff() > qmax || W.minCoeff() < -qmax))
    throw InputError(fmt::format("datapath: weights outside +-{} for {}-bit weights", qmax, s.weight_bits));
  if (K > 0 && P > 0 && (X.minCoeff() < 0 || int64_t(X.maxCoeff()) >= (int64_t(1) << s.activation_bits)))
    throw InputError(fmt::format("datapath: inputs outside [0, 2^{})", s.activation_bits));

  AdcPlan uniform = AdcPlan::uniform(s, s.adc_bits);
  const AdcPlan& plan = run.plan ? *run.plan : uniform;
  if (plan.input_slices != nin || plan.weight_slices != S)
    throw InputError(fmt::format("ADC plan is {} x {} (input x weight slices) but the scheme has {} x {}",
                                 plan.input_slices, plan.weight_slices, nin, S));
  // Samplers per (i, j), resolved once before the parallel region.
  std::vector<const AdcSamplers*> samplers(plan.bits.size(), nullptr);
  if (run.adc) {
    if (run.adc->rows() < std::min(R, K))
      throw InputError(fmt::format("calibration tables are for {} rows, the scheme uses {}", run.adc->rows(), R));
    const int worst = std::min(R, K) * cmax * vmax;
    for (size_t t = 0; t < plan.bits.size(); ++t) {
      if (plan.bits[t] == 0) continue;
      samplers[t] = &run.adc->at(plan.bits[t]);
      if (samplers[t]->max_psum < worst)
        throw InputError(fmt::format("calibration tables cover partial sums up to {}, but {} rows x level {} x "
                                     "input level {} reach {}",
                                     samplers[t]->max_psum, std::min(R, K), cmax, vmax, worst));
    }
  }

  SubwordStats proto;
  proto.init(s);
  const bool want = stats_out != nullptr;
  EncodedWeights enc = encode_weights(s, W, want ? &proto : nullptr);
  const int chunks = enc.chunks, nw = enc.nw;

  std::vector<uint64_t> rowmask(size_t(chunks) * nw, 0);
  for (int c = 0; c < chunks; ++c) {
    int n = std::min(R, K - c * R);
    for (int r = 0; r < n; ++r) rowmask[size_t(c) * nw + (r >> 6)] |= uint64_t(1) << (r & 63);
  }
  // Most significant subwords first: dynamic quantization decides on the running result.
  std::vector<Step> order;
  for (int i = 0; i < nin; ++i)
    for (int j = 0; j < S; ++j)
      for (int pol = 0; pol < npol; ++pol) order.push_back({i, j, pol, v * i + w * j});
  std::stable_sort(order.begin(), order.end(), [](const Step& a, const Step& b) { return a.e > b.e; });

  const bool dynamic = s.dynamic_quantization && s.window_bits < kUnboundedWindow;
  const int window = s.window_bits;
  const bool biased = s.weight_encoding == WeightEncoding::biased;
  const int bias_shift = s.weight_bits - 1 - w * (S - 1);
  const int hist_stride = proto.max_psum + 1;
  const bool fast = v == 1 && w == 2 && nw <= 2;

  AccMatrix out(M, P);
  const int nthreads = omp_get_max_threads();
  std::vector<SubwordStats> local(want ? nthreads : 0, proto);
  for (auto& l : local) l.cells = l.cell_ones = l.cell_level_sum = 0;

#pragma omp parallel
  {
    SubwordStats* st = want ? &local[omp_get_thread_num()] : nullptr;
    const size_t plane_words = size_t(v) * nw;
    std::vector<uint64_t> fed(size_t(chunks) * nin * plane_words);
    std::vector<uint64_t> active_mask(size_t(chunks) * nin * nw);
    std::vector<int32_t> sumx(size_t(chunks) * nin), active(size_t(chunks) * nin);
    std::vector<uint8_t> inverted(size_t(chunks) * nin);
    std::vector<int64_t> xtot(nin);
    std::vector<int64_t> colacc(enc.ncol);

#pragma omp for schedule(dynamic, 8)
    for (int p = 0; p < P; ++p) {
      // Input bit-planes of this position, chunk by chunk.
      std::fill(fed.begin(), fed.end(), 0);
      std::fill(sumx.begin(), sumx.end(), 0);
      for (int k = 0; k < K; ++k) {
        uint32_t val = uint32_t(X(k, p));
        if (!val) continue;
        const int c = k / R, r = k % R;
        const uint64_t bit = uint64_t(1) << (r & 63);
        for (uint32_t rest = val; rest; rest &= rest - 1) {  // set bits only
          const int a = std::countr_zero(rest);
          const int i = a / v, a2 = a % v;
          fed[((size_t(c) * nin + i) * v + a2) * nw + (r >> 6)] |= bit;
          sumx[size_t(c) * nin + i] += 1 << a2;
        }
      }
      std::fill(xtot.begin(), xtot.end(), 0);
      for (int c = 0; c < chunks; ++c) {
        const int n = std::min(R, K - c * R);
        for (int i = 0; i < nin; ++i) {
          const size_t ci = size_t(c) * nin + i;
          xtot[i] += sumx[ci];
          uint64_t* f = &fed[ci * plane_words];
          // Input inversion: over half the plane's full scale -> feed the complement.
          inverted[ci] = s.input_inversion && 2 * sumx[ci] > vmax * n;
          if (inverted[ci])
            for (int a2 = 0; a2 < v; ++a2)
              for (int q = 0; q < nw; ++q) f[a2 * nw + q] = ~f[a2 * nw + q] & rowmask[size_t(c) * nw + q];
          int act = 0, ones = 0;
          for (int q = 0; q < nw; ++q) {
            uint64_t any = 0;
            for (int a2 = 0; a2 < v; ++a2) {
              any |= f[a2 * nw + q];
              ones += pop(f[a2 * nw + q]);
            }
            active_mask[ci * nw + q] = any;
            act += pop(any);
          }
          active[ci] = act;
          if (st) {
            st->input_bits += uint64_t(n) * v;
            st->input_ones += ones;
          }
        }
      }

      // Counters kept in registers for this position, flushed once.
      uint64_t n_computed = 0, n_zero_in = 0, n_zero_w = 0, n_dyn = 0, n_clip = 0, n_active = 0;
      uint64_t n_bit[2] = {0, 0}, n_top = 0;  // fast path: active cells per cell bit, at level 3
      const uint64_t pseed = mix(run.seed, uint64_t(p));

      // One subword computation of column chunk idx against input plane ci, decoded.
      auto subword = [&](size_t idx, size_t ci, int i, const int bits, const int64_t full,
                         const AdcSamplers* smp, uint64_t* hist) __attribute__((always_inline)) -> int64_t {
        int64_t code;
        if (active[ci] == 0) {
          code = 0;  // nothing driven: no read, no conversion
          ++n_zero_in;
        } else if (enc.zero[idx]) {
          code = 0;  // every stored cell at level 0: known at mapping time
          ++n_zero_w;
        } else {
          const uint64_t* B = enc.col(idx);
          const uint64_t* f = &fed[ci * plane_words];
          int psum = 0;
          if (fast) {
            // 1-bit inputs, 2-bit cells: psum = |x & b0| + 2 |x & b1|.
            int c0 = pop(f[0] & B[0]), c1 = pop(f[0] & B[nw]), c3 = pop(f[0] & B[0] & B[nw]);
            if (nw == 2) {
              c0 += pop(f[1] & B[1]);
              c1 += pop(f[1] & B[3]);
              c3 += pop(f[1] & B[1] & B[3]);
            }
            psum = c0 + 2 * c1;
            n_bit[0] += c0;
            n_bit[1] += c1;
            n_top += c3;
          } else {
            for (int a2 = 0; a2 < v; ++a2)
              for (int b = 0; b < w; ++b) {
                int cnt = 0;
                for (int q = 0; q < nw; ++q) cnt += pop(f[a2 * nw + q] & B[b * nw + q]);
                psum += cnt << (a2 + b);
              }
            if (st) {
              const uint64_t* am = &active_mask[ci * nw];
              int counted = 0;
              for (int lv = 1; lv <= cmax; ++lv) {
                int cnt = 0;
                for (int q = 0; q < nw; ++q) {
                  uint64_t x = am[q];
                  for (int b = 0; b < w; ++b) x &= ((lv >> b) & 1) ? B[b * nw + q] : ~B[b * nw + q];
                  cnt += pop(x);
                }
                st->active_cells_by_level[lv] += cnt;
                counted += cnt;
              }
              st->active_cells_by_level[0] += active[ci] - counted;
            }
          }
          if (smp)
            code = smp->by_active_rows[active[ci]]->sample(
                psum, [&] { return Rng::hash64(pseed, (uint64_t(idx) << 16) | uint64_t(i)); });
          else
            code = std::min<int64_t>(psum, full);
          ++n_computed;
          n_active += active[ci];
          n_clip += psum > full;
          if (hist) hist[psum]++;
          if (st) st->conversions_by_bits[bits]++;
        }
        // Undo the encodings digitally (ISAAC's unit column gives the input sum).
        if (inverted[ci]) code = int64_t(vmax) * enc.stored_sum[idx] - code;
        if (enc.flipped[idx]) code = int64_t(cmax) * sumx[ci] - code;
        return code;
      };

      if (!dynamic) {
        // Plane-major: each input plane is driven once against every column, as the
        // crossbar does; column results are shifted and added per output afterwards.
        std::fill(colacc.begin(), colacc.end(), 0);
        for (int c = 0; c < chunks; ++c)
          for (int i = 0; i < nin; ++i) {
            const size_t ci = size_t(c) * nin + i;
            if (active[ci] == 0 && !inverted[ci]) {  // contributes exactly zero everywhere
              n_zero_in += uint64_t(enc.ncol);
              continue;
            }
            for (int j = 0; j < S; ++j) {
              const size_t pj = size_t(i) * S + j;
              const int bits = plan.bits[pj];
              const int64_t full = bits ? (int64_t(1) << bits) - 1 : INT64_MAX;
              const AdcSamplers* smp = samplers[pj];
              uint64_t* hist = st && run.histograms ? &st->psum_hist[pj * hist_stride] : nullptr;
              for (int mp = 0; mp < M * npol; ++mp) {
                const int col = mp * S + j;
                colacc[col] += subword(size_t(col) * chunks + c, ci, i, bits, full, smp, hist) * (int64_t(1) << (v * i));
              }
            }
          }
        int64_t bias_total = 0;
        if (biased)
          for (int i = 0; i < nin; ++i) bias_total += (int64_t(1) << (bias_shift + w * (S - 1) + v * i)) * xtot[i];
        for (int m = 0; m < M; ++m) {
          int64_t acc = -run.input_offset * enc.qsum[m] - bias_total;
          for (int pol = 0; pol < npol; ++pol)
            for (int j = 0; j < S; ++j) {
              int64_t t = colacc[size_t((m * npol + pol) * S + j)] * (int64_t(1) << (w * j));
              acc += pol ? -t : t;
            }
          out(m, p) = acc;
        }
      } else {
        // Output-major, most significant subwords first, skipping below the window.
        for (int m = 0; m < M; ++m) {
          int64_t acc = -run.input_offset * enc.qsum[m];
          for (const Step& step : order) {
            const int i = step.i, j = step.j;
            if (acc != 0) {
              int lead = 63 - std::countl_zero(uint64_t(acc < 0 ? -acc : acc));
              if (step.e < lead - window) {
                n_dyn += chunks;
                continue;
              }
            }
            const size_t pj = size_t(i) * S + j;
            const int bits = plan.bits[pj];
            const int64_t full = bits ? (int64_t(1) << bits) - 1 : INT64_MAX;
            uint64_t* hist = st && run.histograms ? &st->psum_hist[pj * hist_stride] : nullptr;
            const int col = (m * npol + step.pol) * S + j;
            int64_t sub = 0;
            for (int c = 0; c < chunks; ++c)
              sub += subword(size_t(col) * chunks + c, size_t(c) * nin + i, i, bits, full, samplers[pj], hist);
            // Biased weights: the top slice carries the bias; removing it here makes the
            // slice's contribution signed, so the window sees the true running sum.
            if (biased && j == S - 1) sub -= (int64_t(1) << bias_shift) * xtot[i];
            acc += (step.pol ? -sub : sub) * (int64_t(1) << step.e);
          }
          out(m, p) = acc;
        }
      }
      if (st) {
        st->computed += n_computed;
        st->skipped_zero_input += n_zero_in;
        st->skipped_zero_weight += n_zero_w;
        st->skipped_dynamic += n_dyn;
        st->clipped += n_clip;
        st->active_rows += n_active;
        if (fast) {
          // Levels from the per-bit counts: level 3 = both bits, 1 = bit 0 only, 2 = bit 1 only.
          st->active_cells_by_level[3] += n_top;
          st->active_cells_by_level[1] += n_bit[0] - n_top;
          st->active_cells_by_level[2] += n_bit[1] - n_top;
          st->active_cells_by_level[0] += n_active - (n_bit[0] + n_bit[1] - n_top);
        }
      }
    }
  }
  if (want) {
    SubwordStats total = proto;
    for (const auto& l : local) {
      SubwordStats t = l;
      t.cells = t.cell_ones = t.cell_level_sum = 0;
      total.merge(t);
    }
    total.nominal = uint64_t(enc.ncol) * chunks * P * nin;
    stats_out->merge(total);
  }
  return out;
}

}  // namespace rramsim::schemes
