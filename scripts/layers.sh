#!/bin/sh
# layers.sh: check lib/'s includes against the layering rule (README:
# "Source layout"). Prints each include that breaks it and exits 1; with
# CC set, also asks the compiler whether history, tokens or cost reach
# libcurl, the network code or the providers through any header.
cd "$(dirname "$0")/.." || exit 2
# folder: the folders its files may include ("." is the core)
allowed() {
	case $1 in
	.)         echo "." ;;
	providers) echo ". providers" ;;
	net)       echo ". providers net" ;;
	media)     echo ". media net/gemini_files.h" ;;
	history)   echo ". history media" ;;
	tokens)    echo ". tokens" ;;
	cost)      echo ". cost tokens history" ;;
	ask)       echo ". providers net media history tokens ask" ;;
	imagegen)  echo ". providers net media history tokens ask imagegen" ;;
	batch)     echo ". providers net media history tokens ask batch" ;;
	term)      echo ". media term" ;;
	repl)      echo ". providers net media history tokens cost ask imagegen term repl" ;;
	*)         echo "?" ;;
	esac
}
bad=0
for f in lib/*.[ch] lib/*/*.[ch]; do
	dir=$(dirname "${f#lib/}")
	ok=$(allowed "$dir")
	if [ "$ok" = "?" ]; then
		echo "$f: lib/$dir is a folder the rule does not name"; bad=1; continue
	fi
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		case $inc in */*) to=${inc%%/*} ;; *) to=. ;; esac
		pass=0
		for a in $ok; do
			[ "$a" = "$to" ] || [ "$a" = "$inc" ] && pass=1
		done
		[ $pass = 1 ] || { echo "$f: includes \"$inc\", which lib/$dir may not reach"; bad=1; }
	done
done
if [ -n "$CC" ]; then
	# <libpq-fe.h> is not on the default path: without it the files that
	# include it would fail to compile here, and go unchecked
	PQ_CFLAGS=$(pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
	for f in lib/history/*.c lib/tokens/*.c lib/cost/*.c; do
		deps=$($CC -M -Ilib $PQ_CFLAGS $CFLAGS_EXTRA "$f" 2>/dev/null | tr ' \\' '\n\n' | grep -E 'curl/curl\.h|lib/net/|lib/providers/')
		[ -z "$deps" ] || { echo "$f: reaches $(echo $deps)"; bad=1; }
	done
fi
exit $bad
