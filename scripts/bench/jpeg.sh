#!/bin/sh
# jpeg.sh: chat-upload beside vipsthumbnail (libvips) and sharp (libvips
# under node) on one large JPEG, baseline and progressive, in the same run:
# a 24-megapixel (6000x4000) photo-like picture saved at quality 95 made
# into a 2048-pixel JPEG at quality 80 with no metadata (chat-upload
# --max-side 2048 -o; vipsthumbnail -s 2048 with [Q=80,strip]; sharp
# rotate().resize(2048, 2048, inside).jpeg(80)).  For each: the median wall
# time and the largest peak RSS over BENCH_JPEG_RUNS runs (default 5), from
# /usr/bin/time, and the PSNR of the output against the ideal shrink of the
# full decode (every pixel the exact mean of the source area it covers) by
# scripts/bench/imgpsnr.c, built here against lib/libchat.a.  Then our
# ratios to vipsthumbnail beside the targets (baseline: at most 0.67x its
# time and 45 MB; progressive: at most its time and memory).  Figures are
# printed, never asserted.
# The picture is made here by libvips: three Perlin-noise bands (the light)
# plus Gaussian noise of sigma 20 (the grain a sensor leaves), which is what
# makes a quality-95 file of about 19 MB, as a camera's would be; saved by
# vips at Q 95 (its default 4:4:4 at that quality), baseline and
# interlaced.  libvips-tools is installed with apt-get when missing and
# sharp with npm into ${CHAT_BENCH_DIR:-$HOME/.cache/chat-bench}, never in
# CI; a missing peer is reported and skipped.  Run by scripts/bench.sh, or
# alone after make.
set -u
cd "$(dirname "$0")/../.." || exit 1
RUNS=${BENCH_JPEG_RUNS:-5}
SDK_DIR=${CHAT_BENCH_DIR:-${HOME:-/tmp}/.cache/chat-bench}
die() { echo "bench jpeg: $*" >&2; exit 1; }
case $RUNS in *[!0-9]* | '' | 0) die "BENCH_JPEG_RUNS must be a number above 0" ;; esac
[ -x bin/chat-upload ] || die "bin/chat-upload is not built (run: make)"
[ -f lib/libchat.a ] || die "lib/libchat.a is not built (run: make)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package: time)"

echo "jpeg: chat-upload beside vipsthumbnail and sharp, 24 MP Q95 JPEG to a 2048-px JPEG (Q 80), $RUNS runs each"
if ! command -v vipsthumbnail >/dev/null; then
	if [ -n "${CI:-}" ]; then
		echo "  vipsthumbnail: not installed, and CI never installs it; skipped"
		exit 0
	fi
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get install -y libvips-tools >/dev/null 2>&1 ||
		{ echo "  vipsthumbnail: apt-get install libvips-tools failed; skipped"; exit 0; }
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-jpeg.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM

# --- the tools -----------------------------------------------------------------
PKGS="libpng libjpeg libwebp libwebpdemux libheif"
IMGLIBS=$(pkg-config --libs $PKGS 2>/dev/null || echo -lpng16 -ljpeg -lwebpdemux -lwebp -lheif)
# shellcheck disable=SC2086 # the flags are words
cc -O2 -D_GNU_SOURCE -Ilib $(pkg-config --cflags $PKGS 2>/dev/null) -o "$T/imgpsnr" scripts/bench/imgpsnr.c \
	lib/libchat.a $IMGLIBS -lgif -lm -pthread 2>"$T/cc.log" || die "cannot build scripts/bench/imgpsnr.c: $(head -3 "$T/cc.log")"
. scripts/bench/peer.sh
SHARP=
if npm_peer sharp && cp scripts/bench/sharp-thumb.mjs "$SDK_DIR/" 2>/dev/null; then
	SHARP="sharp $(npm_version sharp)"
else
	echo "  sharp: unavailable (${why:-cannot copy sharp-thumb.mjs}); skipped"
fi

# --- the pictures ----------------------------------------------------------------
echo "  making the 6000x4000 pictures" >&2
vips perlin "$T/r.v" 6000 4000 --cell-size 96 --uchar --seed 1 &&
	vips perlin "$T/g.v" 6000 4000 --cell-size 200 --uchar --seed 2 &&
	vips perlin "$T/b.v" 6000 4000 --cell-size 31 --uchar --seed 3 &&
	vips bandjoin "$T/r.v $T/g.v $T/b.v" "$T/light.v" &&
	vips gaussnoise "$T/n.v" 6000 4000 --sigma 20 --mean 0 &&
	vips bandjoin "$T/n.v $T/n.v $T/n.v" "$T/grain.v" &&
	vips add "$T/light.v" "$T/grain.v" "$T/sum.v" &&
	vips cast "$T/sum.v" "$T/photo.v" uchar &&
	vips copy "$T/photo.v" "$T/baseline.jpg[Q=95]" &&
	vips copy "$T/photo.v" "$T/progressive.jpg[Q=95,interlace]" || die "cannot make the pictures"
rm -f "$T"/*.v

# --- runs ------------------------------------------------------------------------
# measure KEY NAME COMMAND...: RUNS runs, output ($T/out.jpg) removed before
# each; prints the row and keeps "seconds KB psnr" in $T/KEY
measure() {
	key=$1 name=$2
	shift 2
	: >"$T/times"
	fails=0 i=0
	while [ "$i" -lt "$RUNS" ]; do
		rm -f "$T/out.jpg"
		/usr/bin/time -f '%e %M' -o "$T/one" "$@" >/dev/null 2>"$T/err" && [ -s "$T/out.jpg" ] ||
			fails=$((fails + 1))
		cat "$T/one" >>"$T/times"
		i=$((i + 1))
	done
	psnr=$("$T/imgpsnr" "$T/$PIC.jpg" "$T/out.jpg" 2>/dev/null | awk '{ print $3, $2 }')
	sort -n "$T/times" | awk -v n="$RUNS" -v f="$fails" -v name="$name" -v p="${psnr:-- -}" -v key="$T/$key" '
		{ t[NR] = $1; if ($2 > m) m = $2 }
		END { split(p, q, " ")
		      printf "  %-20s %8.3f s %9.1f MB %8s dB   %s%s\n", name, t[int((n + 1) / 2)], m / 1024, q[1], q[2],
		             f ? "  (" f " runs failed: " "see below)" : ""
		      printf "%s %s %s\n", t[int((n + 1) / 2)], m, q[1] > key }'
	[ "$fails" -eq 0 ] || echo "    $(head -c 200 "$T/err")"
}
# ratio KEY TIME_TARGET MB_TARGET: ours against vipsthumbnail's
ratio() {
	awk -v tt="$2" -v mt="$3" -v what="$1" 'NR == FNR { t = $1; m = $2; next }
		{ rt = t / $1; mb = m / 1024; rm = m / $2
		  printf "  %s: time %.2fx vipsthumbnail (target <= %.2fx: %s), peak RSS %.1f MB = %.2fx (target %s: %s)\n",
		         what, rt, tt, rt <= tt ? "met" : "missed", mb, rm,
		         mt == "same" ? "<= 1.00x" : "<= " mt " MB",
		         (mt == "same" ? rm <= 1 : mb <= mt) ? "met" : "missed" }' "$T/chat" "$T/vips"
}

for PIC in baseline progressive; do
	echo "$PIC $(vipsheader "$T/$PIC.jpg" | sed 's/^[^:]*: \([0-9x]*\).*/\1/'), $(wc -c <"$T/$PIC.jpg") bytes"
	printf '  %-20s %10s %12s %11s   %s\n' tool median "peak RSS" PSNR output
	measure chat chat-upload bin/chat-upload --max-side 2048 -o "$T/out.jpg" "$T/$PIC.jpg"
	measure vips "vipsthumbnail $(vips --version | cut -d- -f2)" vipsthumbnail "$T/$PIC.jpg" -s 2048 -o "$T/out.jpg[Q=80,strip]"
	[ -z "$SHARP" ] || measure sharp "$SHARP" node "$SDK_DIR/sharp-thumb.mjs" "$T/$PIC.jpg" "$T/out.jpg" 2048
	if [ "$PIC" = baseline ]; then ratio "$PIC" 0.67 45; else ratio "$PIC" 1.00 same; fi
done
exit 0
