#!/usr/bin/env bash
# Generates the labelled text-line images of data/ocr/text-lines/ (docs/onnx.md): real
# English prose from Debian's common licences, real fonts from fonts-dejavu-core and
# fonts-liberation, rendered by stb_truetype (libstb-dev), half rotated by 180 degrees.
#   test/  1000 lines of GPL-3   (evaluation)
#   train/  200 lines of GPL-2   (activation ranges and ADC sizing)
# Deterministic (fixed seeds); the result is checked against data/ocr/text-lines/SHA256SUMS.
# Usage: scripts/make_text_lines.sh [--force]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/data/ocr/text-lines"
sums="$out/SHA256SUMS"
cd "$out"
if [ "${1:-}" != "--force" ] && [ -f test/labels.csv ] && [ -f train/labels.csv ] &&
   sha256sum --quiet -c "$sums" >/dev/null 2>&1; then
  exit 0
fi
fonts=()
for f in /usr/share/fonts/truetype/dejavu/DejaVu{Sans,Sans-Bold,SansMono,Serif,Serif-Bold}.ttf \
         /usr/share/fonts/truetype/liberation/Liberation{Sans-Regular,Sans-Bold,Sans-Italic,Serif-Regular,Serif-Italic,Serif-Bold,Mono-Regular,SansNarrow-Regular}.ttf; do
  [ -f "$f" ] || { echo "make_text_lines: missing font $f (Debian fonts-dejavu-core, fonts-liberation)" >&2; exit 1; }
  fonts+=("$f")
done
tool_dir=$(mktemp -d)
trap 'rm -rf "$tool_dir"' EXIT
c++ -O2 -std=c++17 -o "$tool_dir/make_text_lines" "$top/scripts/text_lines/make_text_lines.cpp"
for split in test:1000:11:GPL-3 train:200:12:GPL-2; do
  IFS=: read -r name count seed text <<<"$split"
  rm -rf "$name.tmp" && mkdir "$name.tmp"
  "$tool_dir/make_text_lines" "$name.tmp" "$count" "$seed" "/usr/share/common-licenses/$text" "${fonts[@]}"
  rm -rf "$name" && mv "$name.tmp" "$name"
done
if [ -f "$sums" ]; then
  if ! sha256sum --quiet -c "$sums"; then
    echo "make_text_lines: WARNING: the images differ from $sums (another compiler or font version?)" >&2
  fi
fi
echo "make_text_lines: $(ls test | grep -c png) test and $(ls train | grep -c png) train images in $out"
