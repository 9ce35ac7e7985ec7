#pragma once
// Plots through gnuplot (Debian's gnuplot-nox), when it is installed.
//
// The caller writes a gnuplot script that reads its data from inline blocks ($data << EOD);
// render_png() adds the terminal and output lines and runs gnuplot. No plot is ever needed
// for a result: when gnuplot is missing the commands say so and go on.
#include <filesystem>
#include <string>

namespace rramsim {

bool gnuplot_available();

// Runs `script` with a pngcairo (or png) terminal of the given size writing `png`.
// Throws rramsim::Error if gnuplot fails.
void render_png(const std::string& script, const std::filesystem::path& png, int width_px = 900,
                int height_px = 600);

}  // namespace rramsim
