#!/bin/sh
# The image libraries (libpng, libjpeg, giflib, libwebp) are opened when an
# image is met, not linked: a program that meets none starts without them,
# and one that meets an image whose library cannot be opened says so in one
# line and exits 65. A file of no bytes under each soname, first on
# LD_LIBRARY_PATH, is a library the loader cannot open.
. "$(dirname "$0")/../lib.sh"
mk() { "$ROOT/tests/bin/mkimage" "$@"; }
mkdir -p "$T/nolibs" "$T/nojpeg"
for l in libpng16.so.16 libjpeg.so.62 libgif.so.7 libwebp.so.7 libwebpdemux.so.2; do : > "$T/nolibs/$l"; done
: > "$T/nojpeg/libjpeg.so.62"
mk png 40 20 opaque "$T/a.png"
mk jpeg 40 20 plain "$T/a.jpg"
mk gif 40 20 still "$T/a.gif"
mk webp 40 20 lossy "$T/a.webp"

# --- a reply needs none of them --------------------------------------------
fake_start --text 'no pictures'
run env LD_LIBRARY_PATH="$T/nolibs" chat-stream hi
is "$st:$(cat "$T/out")" "0:no pictures" "chat-stream answers without any image library"
run env LD_LIBRARY_PATH="$T/nolibs" chat-history list
is "$st" 0 "chat-history starts without them"
fake_stop

# --- each format without its library: one line, exit 65 -------------------
missing() {    # FILE FORMAT SONAME
	run env LD_LIBRARY_PATH="$T/nolibs" chat-upload "$1"
	is "$st:$(wc -l < "$T/err" | tr -d ' ')" "65:1" "$2 without $3: exit 65, one line"
	has "$T/err" "$2 not supported here: cannot load $3" "... saying which library"
}
missing "$T/a.png" PNG libpng16.so.16
missing "$T/a.jpg" JPEG libjpeg.so.62
missing "$T/a.gif" GIF libgif.so.7
missing "$T/a.webp" WebP libwebp.so.7

# --- read with one library, written with another ---------------------------
run env LD_LIBRARY_PATH="$T/nojpeg" chat-upload "$T/a.gif"
is "$st:$(wc -l < "$T/err" | tr -d ' ')" "65:1" "a GIF decoded but no libjpeg to write it with: exit 65, one line"
has "$T/err" "cannot write JPEG here: cannot load libjpeg.so.62" "... saying which library"
mk gif 40 20 transparent "$T/t.gif"
run env LD_LIBRARY_PATH="$T/nojpeg" chat-upload "$T/t.gif"
is "$st:$(jq -r .mime "$T/out")" "0:image/png" "a transparent GIF, kept as PNG, needs no libjpeg"

# --- with the libraries, each format is read as before ---------------------
for f in a.png a.jpg a.gif a.webp; do
	run chat-upload "$T/$f"
	is "$st:$(jq -r .original.width "$T/out")" "0:40" "$f read with its library opened on first use"
done

done_testing
