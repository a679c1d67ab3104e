#!/bin/sh
# make install PREFIX=... DESTDIR=...: programs, data, man pages and
# completions land under DESTDIR; every installed program runs from there
# with nothing pointing back into the source tree; make uninstall removes
# what install put there.
. "$(dirname "$0")/../lib.sh"

PROGS=$(sed -n 's/^PROGS = //p' "$ROOT/Makefile")
D="$T/root"
make -s -C "$ROOT" install PREFIX=/usr DESTDIR="$D" > "$T/install.out" 2>&1
is "$?" 0 "make install into a DESTDIR succeeds"
for p in $PROGS; do
	check "$p: installed and executable" test -x "$D/usr/bin/$p"
	check "$p: man page installed" test -f "$D/usr/share/man/man1/$p.1"
	check "$p: bash completion installed" test -f "$D/usr/share/bash-completion/completions/$p"
	check "$p: fish completion installed" test -f "$D/usr/share/fish/vendor_completions.d/$p.fish"
	out=$(cd / && env -u CHAT_MODELS -u CHAT_DATA PATH="$D/usr/bin:/usr/bin:/bin" "$p" --version 2>&1)
	is "$out" "$p $(sed -n 's/^VERSION = *//p' "$ROOT/Makefile")" "$p: the installed program runs (--version)"
	check "$p: --help from the installed program" sh -c "cd / && '$D/usr/bin/$p' --help > /dev/null"
done
# the installed chat runs the program beside it, not one on the PATH
out=$(cd / && env -u CHAT_MODELS -u CHAT_DATA PATH=/usr/bin:/bin "$D/usr/bin/chat" history --version 2>&1 < /dev/null)
is "$out" "chat-history $(sed -n 's/^VERSION = *//p' "$ROOT/Makefile")" "installed chat runs the chat-history beside it"
check "zsh completion installed" test -f "$D/usr/share/zsh/site-functions/_chat"
for f in models providers o200k_base.bin cl100k_base.bin; do
	check "data: $f installed" test -s "$D/usr/share/chat/$f"
done
check "chat(5) and chat(7) installed" test -f "$D/usr/share/man/man5/chat.5" -a -f "$D/usr/share/man/man7/chat.7"

# the installed programs find their own data, not the source tree's
printf 'hello world' > "$T/in"
out=$(cd / && env -u CHAT_MODELS -u CHAT_DATA "$D/usr/bin/chat-cost" --count -m gpt-4o --json < "$T/in" 2>&1)
is "$(printf '%s' "$out" | jq -r .tokens 2>/dev/null)" 2 "installed chat-cost counts tokens with the installed data"
(cd / && env -u CHAT_MODELS "$D/usr/bin/chat-send" --models > "$T/models" 2>&1)
has "$T/models" "^gpt-4o " "installed chat-send reads the installed model table"
has "$T/models" "^groq  *https://api.groq.com/openai/v1 " "... and the installed provider table"
fake_start --text 'from the installed program'
run "$D/usr/bin/chat-send" hi
is "$(cat "$T/out")" "from the installed program" "installed chat-send talks to a provider"
hasnt_tree() { ! grep -rlF "$ROOT" "$D" > "$T/refs" 2>/dev/null; }
check "nothing installed points into the source tree" hasnt_tree
sed 's/^/#   /' "$T/refs" | head -5

# The programs that send a prompt carry libcurl and SQLite linked in when
# their archives are installed (the shared libraries' symbol relocations
# come before main, the first reply byte's included); the others load them.
needed() { readelf -dW "$ROOT/bin/$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
libdir=$(pkg-config --variable=libdir libcurl 2>/dev/null)
if [ -f "$libdir/libcurl.a" ] && [ -f "$libdir/libsqlite3.a" ]; then
	for p in chat chat-stream chat-send; do
		needed $p > "$T/needed"
		hasnt "$T/needed" '^libcurl\.' "$p: libcurl linked in, not loaded"
		hasnt "$T/needed" '^libsqlite3\.' "$p: SQLite linked in, not loaded"
		has "$T/needed" '^libssl\.so' "$p: the libraries libcurl needs are loaded as before"
	done
	needed chat-image > "$T/needed"
	has "$T/needed" '^libcurl\.so' "chat-image loads the shared libcurl"
	needed chat-history > "$T/needed"
	has "$T/needed" '^libsqlite3\.so' "chat-history loads the shared SQLite"
else
	ok 0 "# SKIP libcurl.a or libsqlite3.a not installed"
fi

make -s -C "$ROOT" uninstall PREFIX=/usr DESTDIR="$D" > "$T/uninstall.out" 2>&1
is "$?" 0 "make uninstall succeeds"
is "$(find "$D" -type f | sed "s|^$D||" | sort | head -5)" "" "make uninstall removes every file install put there"
done_testing
