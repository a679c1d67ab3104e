#!/bin/sh
# chat-upload with GIF, WebP and HEIC: decoded into the same path as PNG and
# JPEG (upright, shrunk, metadata gone, re-encoded as JPEG or PNG), the
# first frame of an animation, and every bad or cut-short file refused with
# exit 65 and one line. HEIC cases are skipped when libheif here has no
# HEVC encoder to make the test files with.
. "$(dirname "$0")/../lib.sh"
mk() { "$ROOT/tests/bin/mkimage" "$@"; }
field() { jq -r "$1" "$T/out"; }
skip() { n=$((n + 1)); echo "ok $n # skip $1"; }
rec='[.mime, .width, .height, .original.width, .original.height, (.original.frames // 1)] | map(tostring) | join(" ")'

# --- GIF: the first frame on the logical screen --------------------------
mk gif 40 20 still "$T/s.gif"
run chat-upload "$T/s.gif"
is "$st:$(field "$rec")" "0:image/jpeg 40 20 40 20 1" "GIF: an opaque frame comes out JPEG"
mk gif 40 20 anim "$T/a.gif"
run chat-upload "$T/a.gif"
is "$st:$(field "$rec")" "0:image/jpeg 40 20 40 20 3" "an animated GIF: the first frame, original.frames says how many there were"
mk gif 40 20 transparent "$T/t.gif"
run chat-upload "$T/t.gif"
is "$(field .mime)" image/png "a GIF's transparent colour is kept as PNG"
run chat-upload --flatten white "$T/t.gif"
is "$(field .mime)" image/jpeg "... and --flatten puts it on a background"
mk gif 40 20 inset "$T/i.gif"
run chat-upload "$T/i.gif"
is "$(field "$rec")" "image/png 40 20 40 20 1" "a frame smaller than the screen: the screen around it is transparent"
mk gif 40 20 interlaced "$T/il.gif"
run chat-upload "$T/il.gif"
is "$st:$(field .mime)" "0:image/jpeg" "an interlaced GIF"
mk gif 400 200 still "$T/big.gif"
run chat-upload --max-side 100 "$T/big.gif"
is "$(field "$rec")" "image/jpeg 100 50 400 200 1" "GIF: --max-side shrinks it"

# --- WebP ------------------------------------------------------------------
mk webp 40 20 lossy "$T/l.webp"
run chat-upload "$T/l.webp"
is "$st:$(field "$rec")" "0:image/jpeg 40 20 40 20 1" "WebP (lossy) comes out JPEG"
mk webp 40 20 alpha "$T/al.webp"
run chat-upload "$T/al.webp"
is "$(field "$rec")" "image/png 40 20 40 20 1" "WebP with real transparency is kept as PNG"
mk webp 40 20 anim "$T/an.webp"
run chat-upload "$T/an.webp"
is "$st:$(field "$rec")" "0:image/png 40 20 40 20 2" "an animated WebP: the first frame, original.frames 2"
mk webp 40 20 exif6 "$T/o6.webp"
run chat-upload "$T/o6.webp"
is "$(field "$rec")" "image/jpeg 20 40 20 40 1" "WebP EXIF orientation 6 is applied: 40x20 stored, 20x40 upright"
jq -r .data "$T/out" | base64 -d > "$T/o6.out.jpg"
check "... and the output has no EXIF left" sh -c "! grep -aq -e Exif '$T/o6.out.jpg'"
mk webp 400 200 lossy "$T/big.webp"
run chat-upload --max-side 100 "$T/big.webp"
is "$(field "$rec")" "image/jpeg 100 50 400 200 1" "WebP: --max-side shrinks it"
cp "$T/l.webp" "$T/l.jpg"
run chat-upload "$T/l.jpg"
is "$st:$(field .original.width)" "0:40" "a WebP named .jpg is read as WebP (by its bytes)"

# --- HEIC ------------------------------------------------------------------
HEIC=1
mk heic 40 20 plain "$T/p.heic" 2>/dev/null || HEIC=
if [ -n "$HEIC" ]; then
	run chat-upload "$T/p.heic"
	is "$st:$(field "$rec")" "0:image/jpeg 40 20 40 20 1" "HEIC comes out JPEG"
	mk heic 40 20 alpha "$T/al.heic"
	run chat-upload "$T/al.heic"
	is "$(field .mime)" image/png "HEIC with an alpha plane is kept as PNG"
	mk heic 40 20 rot6 "$T/r.heic"
	run chat-upload "$T/r.heic"
	is "$(field "$rec")" "image/jpeg 20 40 20 40 1" \
		"HEIC turned by its irot box once, not again by its EXIF orientation 6"
	jq -r .data "$T/out" | base64 -d > "$T/r.out.jpg"
	check "... and the output has no EXIF left" sh -c "! grep -aq -e Exif '$T/r.out.jpg'"
	mk heic 400 200 plain "$T/big.heic"
	run chat-upload --max-side 100 "$T/big.heic"
	is "$(field "$rec")" "image/jpeg 100 50 400 200 1" "HEIC: --max-side shrinks it"
	cp "$T/p.heic" "$T/p.mp4"
	run chat-upload "$T/p.mp4"
	is "$(field .mime)" image/jpeg "a HEIC named .mp4 is an image, not a video"
else
	for s in record alpha rotation metadata shrink name; do skip "HEIC $s: libheif has no HEVC encoder here"; done
fi

# --- refusals: one line, exit 65, no record ---------------------------------
one_line() { # file what
	run chat-upload "$1"
	is "$st:$(wc -c < "$T/out" | tr -d ' '):$(wc -l < "$T/err" | tr -d ' ')" "65:0:1" "$2: exit 65, no record, one line"
}
printf 'GIF89a\050\000\024\000\200\000\000\377\000\000\000\000\377,\000\000\000\000\050\000\024\000\000\002\377\377\377\377\000;' > "$T/bad.gif"
one_line "$T/bad.gif" "a GIF with corrupt image data"
has "$T/err" "GIF" "... naming the format"
{ printf 'RIFF\044\000\000\000WEBPVP8 \030\000\000\000'; head -c 24 /dev/zero | tr '\0' '\252'; } > "$T/bad.webp"
one_line "$T/bad.webp" "a WebP with a corrupt VP8 stream"
has "$T/err" "WebP" "... naming the format"
{ printf '\000\000\000\030ftypheic\000\000\000\000mif1heic'; head -c 64 /dev/zero | tr '\0' '\252'; } > "$T/bad.heic"
one_line "$T/bad.heic" "a HEIC of nothing but its ftyp box and junk"
has "$T/err" "HEIC" "... naming the format"

printf '\000\000\000\034ftypavif\000\000\000\000avifmif1miaf' > "$T/x.mp4"
one_line "$T/x.mp4" "an AVIF (ISO boxes like MP4) named .mp4"
has "$T/err" "an AVIF image; accepted: PNG, JPEG, GIF, WebP and HEIC" "... is refused as an image, not passed on as a video"

# too many pixels: said from the header, before any pixel is allocated
printf 'GIF89a\377\377\377\377\000\000\000;' > "$T/huge.gif"
one_line "$T/huge.gif" "a GIF whose screen is 65535x65535"
has "$T/err" "65535x65535, over the 100 megapixel limit" "... refused by its size, before decoding"
printf 'GIF89a\012\000\012\000\000\000\000,\000\000\000\000\377\377\377\377\000\002\002D\001\000;' > "$T/hugeframe.gif"
one_line "$T/hugeframe.gif" "a GIF whose first frame is 65535x65535 on a 10x10 screen"
has "$T/err" "over the 100 megapixel limit" "... refused by the frame's size"
printf 'RIFF\032\000\000\000WEBPVP8L\015\000\000\000\057\377\377\377\017\000\000\000\000\000\000\000\000\000' > "$T/huge.webp"
one_line "$T/huge.webp" "a WebP whose header says 16384x16384"
has "$T/err" "16384x16384, over the 100 megapixel limit" "... refused by its size, before decoding"
if [ -n "$HEIC" ]; then
	# the ispe boxes (image sizes) of a small HEIC rewritten to claim 20000x20000
	cp "$T/p.heic" "$T/huge.heic"
	for at in $(grep -obUa ispe "$T/huge.heic" | cut -d: -f1); do
		printf '\000\000\116\040\000\000\116\040' |
			dd of="$T/huge.heic" bs=1 seek=$((at + 8)) conv=notrunc 2>/dev/null
	done
	one_line "$T/huge.heic" "a HEIC whose ispe box says 20000x20000"
	has "$T/err" "20000x20000, over the 100 megapixel limit" "... refused by its size, before decoding"
else
	skip "HEIC too large: no HEVC encoder"; skip "HEIC too large: message"
fi

# found by fuzz_heif: a grid whose tile is an overlay ('iovl') with a huge
# canvas, which libheif 1.15 allocates whatever the caps (4.7 GB); refused
# from the item list, before libheif decodes anything
/usr/bin/time -f %M -o "$T/rss" chat-upload "$ROOT/tests/fuzz/corpus_heif/overlay-bomb.heic" > "$T/out" 2> "$T/err"
st=$?
is "$st:$(wc -c < "$T/out" | tr -d ' ')" "65:0" "a HEIC overlay bomb: exit 65, no record"
has "$T/err" "HEIC overlay images are not supported" "... refused as an overlay"
check "... in under 100 MB" [ "$(tail -1 "$T/rss")" -lt 102400 ]
# and a grid (in meta/idat) claiming 26725x11875 over a 16x8 ispe (1.9 GB)
/usr/bin/time -f %M -o "$T/rss" chat-upload "$ROOT/tests/fuzz/corpus_heif/grid-bomb.heic" > "$T/out" 2> "$T/err"
st=$?
is "$st:$(wc -c < "$T/out" | tr -d ' ')" "65:0" "a HEIC grid bomb: exit 65, no record"
has "$T/err" "26725x11875, over the 100 megapixel limit" "... refused by the grid's size, read before decoding"
check "... in under 100 MB" [ "$(tail -1 "$T/rss")" -lt 102400 ]

# every truncation of each small file: exit 65, one line per cut, no record, no crash
cuts() { # file what
	f=$1 size=$(wc -c < "$1" | tr -d ' ') k=1
	rm -rf "$T/cuts" && mkdir "$T/cuts"
	while [ "$k" -lt "$size" ]; do
		head -c "$k" "$f" > "$T/cuts/$k"
		k=$((k + 1))
	done
	run chat-upload "$T"/cuts/*
	is "$st:$(wc -c < "$T/out" | tr -d ' '):$(grep -c "^chat-upload: $T/cuts/[0-9]*: " "$T/err")" "65:0:$((size - 1))" \
		"$2: each of its $((size - 1)) truncations is refused (exit 65, a line each, no record)"
}
cuts "$T/s.gif" "a still GIF"
cuts "$T/a.gif" "an animated GIF"
cuts "$T/il.gif" "an interlaced GIF"
cuts "$T/l.webp" "a lossy WebP"
cuts "$T/al.webp" "a lossless WebP"
cuts "$T/an.webp" "an animated WebP"
cuts "$T/o6.webp" "a WebP with EXIF"
if [ -n "$HEIC" ]; then
	cuts "$T/p.heic" "a HEIC"
	cuts "$T/r.heic" "a HEIC with irot and EXIF"
else
	skip "HEIC truncations: no HEVC encoder"; skip "HEIC truncations: no HEVC encoder"
fi

# the public conformance and crash sets, when the shared corpus has them:
# files in a crashers/ folder must be refused cleanly, the others decode
CORPUS=${CHAT_SHARED:-$ROOT/../shared}/corpus/images
for fmt in gif webp heif; do
	if [ ! -d "$CORPUS/$fmt" ]; then
		skip "no $fmt conformance set in the shared corpus"
		continue
	fi
	bad=0 seen=0
	for f in $(find "$CORPUS/$fmt" -type f ! -name '*.txt' ! -name '*.md' ! -name 'SOURCE-*' | sort); do
		seen=$((seen + 1))
		chat-upload --max-side 64 "$f" > /dev/null 2> "$T/err"
		s=$?
		case $f in
		*/crashers/*) [ "$s" -eq 65 ] || { bad=$((bad + 1)); echo "# $f: exit $s, not 65"; } ;;
		*) [ "$s" -eq 0 ] || [ "$s" -eq 65 ] || { bad=$((bad + 1)); echo "# $f: exit $s"; } ;;
		esac
	done
	is "$bad" 0 "$fmt conformance set: $seen files decoded or refused cleanly"
done

done_testing
