#include "rramsim/common/plot.hpp"

#include <cstdio>
#include <cstdlib>

#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim {

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

void render_png(const std::string& script, const std::filesystem::path& png, int width_px,
                int height_px) {
  if (!gnuplot_available()) throw Error("gnuplot is not installed; cannot write " + png.string());
  AtomicOutput out(png);
  FILE* p = popen("gnuplot >/dev/null", "w")  /* its messages to stderr, never into stdout (JSON) */;
  if (!p) throw Error("cannot start gnuplot");
  std::fprintf(p, "set terminal png size %d,%d\nset output '%s'\n", width_px, height_px,
               out.tmp_path().c_str());
  std::fputs(script.c_str(), p);
  std::fputs("\nset output\n", p);
  if (pclose(p) != 0 || !std::filesystem::exists(out.tmp_path()))
    throw Error("gnuplot failed to write " + png.string());
  out.commit();
}

}  // namespace rramsim
