#!/bin/sh
# Regenerates screenshots/*.png from the embedded demo data, in one command:
#
#   screenshots/make.sh
#
# Needs Go and rsvg-convert (Debian/Ubuntu: apt-get install -y librsvg2-bin) with a monospace
# font (DejaVu Sans Mono: fonts-dejavu-core). The frames come from the TUI's own View() at
# 120 x 36, driven with key presses against the demo back ends; screens/ turns the ANSI
# frames into SVG and rsvg-convert turns those into PNG.
set -eu
cd "$(dirname "$0")/.."
command -v rsvg-convert >/dev/null 2>&1 || {
	echo "screenshots/make.sh: rsvg-convert not found: apt-get install -y librsvg2-bin" >&2
	exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./screenshots/cmd/screens -out "$tmp" -width 120 -height 36 >/dev/null
for svg in "$tmp"/*.svg; do
	png="screenshots/$(basename "$svg" .svg).png"
	rsvg-convert -o "$png" "$svg"
	echo "$png"
done
