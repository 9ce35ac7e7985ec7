// Crossbar solver speed: native vs ngspice for one solve, native cost per further input,
// and the largest array's time and memory. Issue 3, section 5; issue 14 (batch with the
// transfer matrix, per further input, sinh cells, the 256x256 calibration's unit of work).
// The dense kernels run on the widest vector unit the CPU has; RRAMSIM_DENSE_ISA=baseline
// (or avx2) measures the others.
//
// The ngspice 128x128 solve takes minutes and is opt-in:
//   bench_circuit --benchmark_filter=Slow
// Default runs exclude benchmarks whose name contains "Slow".
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <random>
#include <string>
#include <vector>

#include "rramsim/circuit/deviation.hpp"
#include "rramsim/circuit/native_engine.hpp"

using namespace rramsim::circuit;

namespace {

CellArray random_cells(int n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(std::log(1.0 / 218.6e3), std::log(1.0 / 540.0));
  CellArray c;
  c.siemens.resize(n, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) c.siemens(i, j) = std::exp(u(rng));
  return c;
}

Eigen::MatrixXd random_inputs(int rows, int batch, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution on(0.5);
  Eigen::MatrixXd v(rows, batch);
  for (int k = 0; k < batch; ++k)
    for (int i = 0; i < rows; ++i) v(i, k) = on(rng) ? 0.1 : 0.0;
  return v;
}

CrossbarSpec spec_of(int n, bool linear = true) {
  CrossbarSpec s;
  s.rows = s.cols = n;
  s.wordline_wire_ohm = s.bitline_wire_ohm = 1.0;
  s.linear_cells = linear;
  s.read_volt = linear ? 0.1 : 0.3;
  return s;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;  // kB on Linux
}

// One programmed array, one input: what a single .op costs in ngspice.
void single_solve(benchmark::State& st, const char* engine, bool linear) {
  int n = static_cast<int>(st.range(0));
  auto spec = spec_of(n, linear);
  auto cells = random_cells(n, 1);
  auto v = random_inputs(n, 1, 2);
  Eigen::MatrixXd amp;
  for (auto _ : st) {
    auto e = make_engine(engine);
    e->program(spec, cells);
    amp = e->solve(v).column_amp;
    benchmark::DoNotOptimize(amp.data());
  }
  // The same answer: deviation from the other engine (run once, outside the timing).
  auto other = make_engine(std::string(engine) == "native" ? "ideal" : "native");
  other->program(spec, cells);
  if (std::string(engine) == "ngspice")
    st.counters["rel_dev_vs_native"] = max_relative_deviation(amp, other->solve(v).column_amp);
}

void BM_NativeSingle(benchmark::State& st) { single_solve(st, "native", true); }
void BM_NgspiceSingle(benchmark::State& st) { single_solve(st, "ngspice", true); }
void BM_NgspiceSingle_Slow(benchmark::State& st) { single_solve(st, "ngspice", true); }
void BM_NativeSingleNonlinear(benchmark::State& st) { single_solve(st, "native", false); }
void BM_NgspiceSingleNonlinear(benchmark::State& st) { single_solve(st, "ngspice", false); }

// Cost per further input: the array is programmed once; each iteration solves a batch of
// 1,000 inputs (one dense product with the transfer matrix).
void BM_NativeBatchPerInput(benchmark::State& st) {
  int n = static_cast<int>(st.range(0));
  const int batch = 1000;
  NativeEngine e;
  e.program(spec_of(n), random_cells(n, 3));
  benchmark::DoNotOptimize(e.transfer().data());  // the per-array work, outside the timing
  auto v = random_inputs(n, batch, 4);
  for (auto _ : st) {
    auto s = e.solve(v);
    benchmark::DoNotOptimize(s.column_amp.data());
  }
  st.counters["s_per_input"] =
      benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
  st.counters["program_s"] = e.stats().program_seconds;
}

// A whole batch of 1,000 inputs on a freshly programmed array: programming, the transfer
// matrix and the product, i.e. what `crossbar solve --batch 1000` costs.
void BM_NativeBatchTotal(benchmark::State& st) {
  int n = static_cast<int>(st.range(0));
  auto spec = spec_of(n);
  auto cells = random_cells(n, 3);
  auto v = random_inputs(n, 1000, 4);
  for (auto _ : st) {
    NativeEngine e;
    e.program(spec, cells);
    auto s = e.solve(v);
    benchmark::DoNotOptimize(s.column_amp.data());
  }
}

// The transfer matrix alone on a programmed array (the dense line sweep; issue 14).
void BM_NativeTransfer(benchmark::State& st) {
  int n = static_cast<int>(st.range(0));
  auto spec = spec_of(n);
  auto cells = random_cells(n, 3);
  for (auto _ : st) {
    NativeEngine e;
    e.program(spec, cells);
    benchmark::DoNotOptimize(e.transfer().data());
  }
}

// One calibration work unit at 256x256 (the crossbar stage's inner work): program, then
// 6 x 64 binary inputs through the transfer matrix.
void BM_NativeCalibrationUnit(benchmark::State& st) {
  int n = static_cast<int>(st.range(0));
  auto spec = spec_of(n);
  auto cells = random_cells(n, 6);
  auto v = random_inputs(n, 384, 7);
  for (auto _ : st) {
    NativeEngine e;
    e.program(spec, cells);
    auto s = e.solve(v);
    benchmark::DoNotOptimize(s.column_amp.data());
  }
}

// Programming and the transfer matrix (since issue 14 the line sweep, no factorization;
// factor_nnz is then 0) and peak memory at the largest sizes.
void BM_NativeProgram(benchmark::State& st) {
  int n = static_cast<int>(st.range(0));
  auto spec = spec_of(n);
  auto cells = random_cells(n, 5);
  long nnz = 0;
  for (auto _ : st) {
    NativeEngine e;
    e.program(spec, cells);
    benchmark::DoNotOptimize(e.transfer().data());
    nnz = e.stats().factor_nonzeros;
  }
  st.counters["factor_nnz"] = static_cast<double>(nnz);
  st.counters["peak_rss_mb"] = peak_rss_mb();
}

}  // namespace

BENCHMARK(BM_NativeSingle)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NgspiceSingle)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_NgspiceSingle_Slow)->Arg(128)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_NativeSingleNonlinear)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NgspiceSingleNonlinear)->Arg(32)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_NativeBatchPerInput)->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NativeBatchTotal)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NativeTransfer)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NativeCalibrationUnit)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NativeProgram)->Arg(256)->Arg(512)->Unit(benchmark::kSecond)->Iterations(1);

int main(int argc, char** argv) {
  // Opt-in for the minutes-long benchmarks: without a filter, leave out "Slow".
  std::vector<char*> args(argv, argv + argc);
  bool filtered = false;
  for (int i = 1; i < argc; ++i) filtered |= std::string(argv[i]).rfind("--benchmark_filter", 0) == 0;
  std::string def = "--benchmark_filter=-Slow";
  if (!filtered) args.push_back(def.data());
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
