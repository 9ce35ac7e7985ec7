// Renders labelled text-line images for the text-direction classifier
// (docs/onnx.md, "Real labelled inputs"): lines of real English prose from a Debian text
// file, drawn with real TrueType fonts by stb_truetype (libstb-dev), half of them rotated by
// 180 degrees. Deterministic: a fixed seed, no system state beyond the input files.
//
//   make_text_lines OUT_DIR COUNT SEED TEXT_FILE FONT.ttf [FONT.ttf...]
//
// Writes OUT_DIR/NNNN.png (RGB) and OUT_DIR/labels.csv (`file,label`; 0 upright, 1 rotated
// 180). Image k is rotated when k is odd, so the classes are balanced and no line of text
// appears twice.
#define STB_TRUETYPE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#include <stb/stb_truetype.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Rng {  // splitmix64: the same sequence on every machine
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int uniform(int lo, int hi) { return lo + int(next() % uint64_t(hi - lo + 1)); }  // [lo, hi]
};

std::vector<unsigned char> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// The prose as words: printable ASCII tokens, decoration lines (==== / ----) dropped.
std::vector<std::string> words_of(const std::string& path) {
  std::vector<unsigned char> b = read_bytes(path);
  std::istringstream in(std::string(b.begin(), b.end()));
  std::vector<std::string> words;
  std::string w;
  while (in >> w) {
    bool ok = std::all_of(w.begin(), w.end(), [](unsigned char c) { return c > 32 && c < 127; });
    bool decoration = w.find_first_not_of("=-_*") == std::string::npos;
    if (ok && !decoration) words.push_back(w);
  }
  if (words.empty()) throw std::runtime_error(path + ": no words");
  return words;
}

struct Font {
  std::vector<unsigned char> data;
  stbtt_fontinfo info{};
};

// One line of text on a light background, dark glyphs (coverage blended), RGB.
std::vector<unsigned char> render(const Font& f, const std::string& text, int px, Rng& rng, int& w, int& h) {
  const float scale = stbtt_ScaleForPixelHeight(&f.info, float(px));
  int ascent = 0, descent = 0, gap = 0;
  stbtt_GetFontVMetrics(&f.info, &ascent, &descent, &gap);
  const int base = int(std::ceil(ascent * scale));
  const int line_h = base + int(std::ceil(-descent * scale));
  float width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    int adv = 0, lsb = 0;
    stbtt_GetCodepointHMetrics(&f.info, text[i], &adv, &lsb);
    width += adv * scale;
    if (i + 1 < text.size()) width += scale * stbtt_GetCodepointKernAdvance(&f.info, text[i], text[i + 1]);
  }
  const int mx = rng.uniform(2, 10), my = rng.uniform(1, 6);
  w = int(std::ceil(width)) + 2 * mx;
  h = line_h + 2 * my;
  std::vector<float> cover(size_t(w) * h, 0.0f);
  float x = float(mx);
  for (size_t i = 0; i < text.size(); ++i) {
    int adv = 0, lsb = 0, x0, y0, x1, y1;
    stbtt_GetCodepointHMetrics(&f.info, text[i], &adv, &lsb);
    const float shift = x - std::floor(x);
    stbtt_GetCodepointBitmapBoxSubpixel(&f.info, text[i], scale, scale, shift, 0, &x0, &y0, &x1, &y1);
    const int gw = x1 - x0, gh = y1 - y0;
    if (gw > 0 && gh > 0) {
      std::vector<unsigned char> g(size_t(gw) * gh);
      stbtt_MakeCodepointBitmapSubpixel(&f.info, g.data(), gw, gh, gw, scale, scale, shift, 0, text[i]);
      for (int yy = 0; yy < gh; ++yy)
        for (int xx = 0; xx < gw; ++xx) {
          const int X = int(std::floor(x)) + x0 + xx, Y = my + base + y0 + yy;
          if (X < 0 || Y < 0 || X >= w || Y >= h) continue;
          float& c = cover[size_t(Y) * w + X];
          c = std::min(1.0f, c + g[size_t(yy) * gw + xx] / 255.0f);
        }
    }
    x += adv * scale;
    if (i + 1 < text.size()) x += scale * stbtt_GetCodepointKernAdvance(&f.info, text[i], text[i + 1]);
  }
  int bg[3], fg[3];
  const int paper = rng.uniform(200, 255), ink = rng.uniform(0, 70);
  for (int c = 0; c < 3; ++c) {
    bg[c] = std::clamp(paper + rng.uniform(-12, 0), 0, 255);
    fg[c] = std::clamp(ink + rng.uniform(0, 25), 0, 255);
  }
  std::vector<unsigned char> rgb(size_t(w) * h * 3);
  for (size_t p = 0; p < cover.size(); ++p)
    for (int c = 0; c < 3; ++c)
      rgb[p * 3 + c] = (unsigned char)std::lround(bg[c] + (fg[c] - bg[c]) * cover[p]);
  return rgb;
}

void rotate_180(std::vector<unsigned char>& rgb) {
  const size_t n = rgb.size() / 3;
  for (size_t p = 0; p < n / 2; ++p)
    for (int c = 0; c < 3; ++c) std::swap(rgb[p * 3 + c], rgb[(n - 1 - p) * 3 + c]);
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 6) {
    std::cerr << "usage: make_text_lines OUT_DIR COUNT SEED TEXT_FILE FONT.ttf [FONT.ttf...]\n";
    return 2;
  }
  const std::string out = argv[1];
  const int count = std::stoi(argv[2]);
  Rng rng{std::stoull(argv[3])};
  const std::vector<std::string> words = words_of(argv[4]);
  std::vector<Font> fonts(size_t(argc - 5));
  for (size_t i = 0; i < fonts.size(); ++i) {
    fonts[i].data = read_bytes(argv[5 + i]);
    if (!stbtt_InitFont(&fonts[i].info, fonts[i].data.data(), stbtt_GetFontOffsetForIndex(fonts[i].data.data(), 0)))
      throw std::runtime_error(std::string("cannot read font ") + argv[5 + i]);
  }
  std::ofstream labels(out + "/labels.csv");
  labels << "file,label\n";
  size_t next = 0;
  for (int k = 0; k < count; ++k) {
    // A line of 4 to 24 characters of consecutive words: a word to a short phrase, the boxes
    // a text detector hands to the classifier.
    const size_t target = size_t(rng.uniform(4, 24));
    std::string text;
    while (text.size() < target) {
      if (!text.empty()) text += ' ';
      text += words[next++ % words.size()];
    }
    const Font& f = fonts[size_t(rng.uniform(0, int(fonts.size()) - 1))];
    int w = 0, h = 0;
    std::vector<unsigned char> rgb = render(f, text, rng.uniform(24, 44), rng, w, h);
    const int label = k % 2;
    if (label) rotate_180(rgb);
    char name[32];
    std::snprintf(name, sizeof name, "%04d.png", k);
    if (!stbi_write_png((out + "/" + name).c_str(), w, h, 3, rgb.data(), w * 3))
      throw std::runtime_error("cannot write " + out + "/" + name);
    labels << name << ',' << label << '\n';
  }
  if (!labels.flush()) throw std::runtime_error("cannot write " + out + "/labels.csv");
  return 0;
} catch (const std::exception& e) {
  std::cerr << "make_text_lines: " << e.what() << '\n';
  return 1;
}
