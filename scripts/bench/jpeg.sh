#!/bin/sh
# jpeg.sh: chat-upload beside vipsthumbnail (libvips) and sharp (libvips
# under node) on one large JPEG, baseline and progressive, in the same run:
# a 24-megapixel (6000x4000) photo-like picture saved at quality 95 made
# into a 2048-pixel JPEG at quality 80 with no metadata (chat-upload
# --max-side 2048 -o; vipsthumbnail -s 2048 with [Q=80,strip]; sharp
# rotate().resize(2048, 2048, inside).jpeg(80)).  The tools take turns run
# after run; for each: the median wall and CPU (user + system) time and the
# largest peak RSS over BENCH_JPEG_RUNS runs (default 5), from
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
# shellcheck source=scripts/bench/peer.sh
. scripts/bench/peer.sh
apt_peer vipsthumbnail libvips-tools || { echo "  vipsthumbnail: $why; skipped"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-jpeg.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM

# --- the tools -----------------------------------------------------------------
PKGS="libpng libjpeg libwebp libwebpdemux libheif"
# shellcheck disable=SC2086 # the package names and flags are words
IMGLIBS=$(pkg-config --libs $PKGS 2>/dev/null || echo -lpng16 -ljpeg -lwebpdemux -lwebp -lheif)
# shellcheck disable=SC2046,SC2086 # the package names and flags are words
cc -O2 -D_GNU_SOURCE -Ilib $(pkg-config --cflags $PKGS 2>/dev/null) -o "$T/imgpsnr" scripts/bench/imgpsnr.c \
	lib/libchat.a $IMGLIBS -lgif -lm -pthread 2>"$T/cc.log" || die "cannot build scripts/bench/imgpsnr.c: $(head -3 "$T/cc.log")"
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
# The tools take turns, run after run, so a change in the machine's load
# falls on all of them alike.
# measure: RUNS turns of the tools in $TOOLS on $T/$PIC.jpg; then per tool a
# row (median wall and CPU seconds, largest peak RSS, PSNR, output size) and
# "seconds KB" in $T/KEY
measure() {
	for key in $TOOLS; do : >"$T/$key.times"; echo 0 >"$T/$key.fails"; done
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		for key in $TOOLS; do
			out=$T/out-$key.jpg
			case $key in
			chat) set -- bin/chat-upload --max-side 2048 -o "$out" "$T/$PIC.jpg" ;;
			vips) set -- vipsthumbnail "$T/$PIC.jpg" -s 2048 -o "${out}[Q=80,strip]" ;;
			sharp) set -- node "$SDK_DIR/sharp-thumb.mjs" "$T/$PIC.jpg" "$out" 2048 ;;
			esac
			rm -f "$out"
			/usr/bin/time -f '%e %M %U %S' -o "$T/one" "$@" >/dev/null 2>"$T/$key.err" && [ -s "$out" ] ||
				echo $(($(cat "$T/$key.fails") + 1)) >"$T/$key.fails"
			tail -n 1 "$T/one" >>"$T/$key.times"
		done
		i=$((i + 1))
	done
	for key in $TOOLS; do
		psnr=$("$T/imgpsnr" "$T/$PIC.jpg" "$T/out-$key.jpg" 2>/dev/null | awk '{ print $3, $2 }')
		fails=$(cat "$T/$key.fails")
		name=$key
		case $key in chat) name=chat-upload ;; vips) name="vipsthumbnail $VIPS" ;; sharp) name=$SHARP ;; esac
		awk -v n="$RUNS" -v f="$fails" -v name="$name" -v p="${psnr:-- -}" -v key="$T/$key" '
			{ t[NR] = $1; c[NR] = $3 + $4; if ($2 > m) m = $2 }
			END { split(p, q, " ")
			      for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) {
			          if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
			          if (c[j] < c[i]) { x = c[i]; c[i] = c[j]; c[j] = x } }
			      k = int((n + 1) / 2)
			      printf "  %-20s %8.3f s %8.3f s %9.1f MB %8s dB   %s%s\n", name, t[k], c[k], m / 1024, q[1], q[2],
			             f ? "  (" f " runs failed)" : ""
			      printf "%s %s\n", t[k], m > key }' "$T/$key.times"
		[ "$fails" -eq 0 ] || echo "    $(head -c 200 "$T/$key.err")"
	done
}
# ratio WHAT TIME_TARGET MB_TARGET: ours against vipsthumbnail's
ratio() {
	awk -v tt="$2" -v mt="$3" -v what="$1" 'NR == FNR { t = $1; m = $2; next }
		{ rt = $1 > 0 ? t / $1 : 0; mb = m / 1024; rm = $2 > 0 ? m / $2 : 0
		  printf "  %s: time %.2fx vipsthumbnail (target <= %.2fx: %s), peak RSS %.1f MB = %.2fx (target %s: %s)\n",
		         what, rt, tt, rt <= tt ? "met" : "missed", mb, rm,
		         mt == "same" ? "<= 1.00x" : "<= " mt " MB",
		         (mt == "same" ? rm <= 1 : mb <= mt) ? "met" : "missed" }' "$T/chat" "$T/vips"
}

VIPS=$(vips --version | cut -d- -f2)
TOOLS="chat vips"
[ -z "$SHARP" ] || TOOLS="$TOOLS sharp"
for PIC in baseline progressive; do
	echo "$PIC $(vipsheader "$T/$PIC.jpg" | sed 's/^[^:]*: \([0-9x]*\).*/\1/'), $(wc -c <"$T/$PIC.jpg") bytes"
	printf '  %-20s %10s %10s %12s %11s   %s\n' tool "median" "CPU" "peak RSS" PSNR output
	measure
	if [ "$PIC" = baseline ]; then ratio "$PIC" 0.67 45; else ratio "$PIC" 1.00 same; fi
done
exit 0
