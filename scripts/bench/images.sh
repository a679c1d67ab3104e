#!/bin/sh
# images.sh: chat-upload beside vipsthumbnail (libvips) on the same pictures
# in the same run: a 12-megapixel HEIC (4032x3024, as a phone saves) and a
# 4000x3000 WebP, each made into a 2048-pixel JPEG at quality 80 with no
# metadata (chat-upload --max-side 2048 -o; vipsthumbnail -s 2048 with
# [Q=80,strip]).  Figures are printed, never asserted: the median wall time
# and the largest peak RSS over BENCH_IMAGE_RUNS runs (default 5), from
# /usr/bin/time.  The pictures are made here by libvips (a Perlin-noise
# landscape, one band per colour), so the peer must be there: libvips-tools
# is installed with apt-get when missing (never in CI).  HEIC is made with
# libvips' heifsave, which needs libheif's HEVC encoder (x265); without one
# the HEIC row says so and is skipped.  Run by scripts/bench.sh, or alone
# after make.
set -u
cd "$(dirname "$0")/../.." || exit 1
RUNS=${BENCH_IMAGE_RUNS:-5}
die() { echo "bench images: $*" >&2; exit 1; }
case $RUNS in *[!0-9]* | '' | 0) die "BENCH_IMAGE_RUNS must be a number above 0" ;; esac
[ -x bin/chat-upload ] || die "bin/chat-upload is not built (run: make)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package: time)"

echo "images: chat-upload beside vipsthumbnail, to a 2048-px JPEG (Q 80, no metadata), $RUNS runs each"
# shellcheck source=scripts/bench/peer.sh
. scripts/bench/peer.sh
apt_peer vipsthumbnail libvips-tools || { echo "  vipsthumbnail: $why; skipped"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-images.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' HUP INT TERM

# --- the pictures ------------------------------------------------------------
picture() { # W H OUT: three Perlin-noise bands of different grain
	vips perlin "$T/r.v" "$1" "$2" --cell-size 96 --uchar --seed 1 &&
		vips perlin "$T/g.v" "$1" "$2" --cell-size 200 --uchar --seed 2 &&
		vips perlin "$T/b.v" "$1" "$2" --cell-size 31 --uchar --seed 3 &&
		vips bandjoin "$T/r.v $T/g.v $T/b.v" "$3"
}
echo "  making the pictures (HEIC encoding takes a while)" >&2
picture 4000 3000 "$T/w.v" && vips copy "$T/w.v" "$T/photo.webp[Q=80]" || die "cannot make the WebP"
HEIC=1
picture 4032 3024 "$T/h.v" && vips copy "$T/h.v" "$T/photo.heic[Q=80]" 2>"$T/heic.err" || HEIC=
rm -f "$T"/*.v

# --- runs --------------------------------------------------------------------
# measure NAME COMMAND...: RUNS runs, output removed before each; prints
# "median-seconds max-KB failures"
measure() {
	name=$1
	shift
	: >"$T/times"
	fails=0 i=0
	while [ "$i" -lt "$RUNS" ]; do
		rm -f "$T/out.jpg"
		/usr/bin/time -f '%e %M' -o "$T/one" "$@" >/dev/null 2>"$T/err" && [ -s "$T/out.jpg" ] ||
			fails=$((fails + 1))
		cat "$T/one" >>"$T/times"
		i=$((i + 1))
	done
	size=$(wc -c <"$T/out.jpg" 2>/dev/null || echo 0)
	dims=$(vipsheader "$T/out.jpg" 2>/dev/null | sed 's/^[^:]*: \([0-9x]*\).*/\1/')
	sort -n "$T/times" | awk -v n="$RUNS" -v f="$fails" -v name="$name" -v size="$size" -v dims="$dims" '
		{ t[NR] = $1; if ($2 > m) m = $2 }
		END { printf "  %-26s %8.3f s %9.1f MB   %s, %d bytes%s\n", name, t[int((n + 1) / 2)], m / 1024,
		      dims, size, f ? "  (" f " runs failed)" : "" }'
}
head_row() { printf '  %-26s %10s %12s   %s\n' "$1" "median" "peak RSS" "output"; }

if [ -n "$HEIC" ]; then
	echo "12 MP HEIC (4032x3024, $(wc -c <"$T/photo.heic") bytes) to a 2048-px JPEG"
	head_row tool
	measure "chat-upload" bin/chat-upload --max-side 2048 --quality medium -o "$T/out.jpg" "$T/photo.heic"
	measure "vipsthumbnail $(vips --version | cut -d- -f2)" vipsthumbnail "$T/photo.heic" -s 2048 -o "$T/out.jpg[Q=80,strip]"
else
	echo "12 MP HEIC: skipped, libvips could not write HEIC here (libheif has no HEVC encoder?): $(head -1 "$T/heic.err")"
fi
echo "4000x3000 WebP ($(wc -c <"$T/photo.webp") bytes) to a 2048-px JPEG"
head_row tool
measure "chat-upload" bin/chat-upload --max-side 2048 --quality medium -o "$T/out.jpg" "$T/photo.webp"
measure "vipsthumbnail $(vips --version | cut -d- -f2)" vipsthumbnail "$T/photo.webp" -s 2048 -o "$T/out.jpg[Q=80,strip]"
exit 0
