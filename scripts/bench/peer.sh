# shellcheck shell=sh
# peer.sh: sourced by the bench drivers (scripts/bench.sh, tokens.sh,
# batch.sh, images.sh, jpeg.sh, render.sh, streammem.sh), never run.  The caller sets SDK_DIR (where the npm peers live,
# ${CHAT_BENCH_DIR:-$HOME/.cache/chat-bench}) and T (its temporary folder).
#
# npm_peer PKG: make sure the npm package PKG is installed under SDK_DIR,
# installing it once when it is not (never in CI, never in the repository).
# Returns 0 when it is there; otherwise 1 with the reason in $why.
npm_peer() {
	why=
	if ! command -v node >/dev/null; then why='node not found'
	elif [ ! -f "$SDK_DIR/node_modules/$1/package.json" ]; then
		if [ -n "${CI:-}" ]; then why='not installed, and CI never installs it'
		elif ! command -v npm >/dev/null; then why='npm not found'
		elif ! { mkdir -p "$SDK_DIR" && npm install --prefix "$SDK_DIR" --no-audit --no-fund \
			--loglevel=error "$1" >"$T/npm.log" 2>&1; }; then
			why="npm install failed: $(grep -m1 -i err "$T/npm.log" || tail -n1 "$T/npm.log")"
		fi
	fi
	[ -z "$why" ]
}

# apt_peer COMMAND PACKAGE: make sure COMMAND is on the PATH, installing the
# Debian PACKAGE that has it when it is not (never in CI). Returns 0 when it
# is there; otherwise 1 with the reason in $why.
apt_peer() {
	why=
	command -v "$1" >/dev/null && return 0
	if [ -n "${CI:-}" ]; then why='not installed, and CI never installs it'; return 1; fi
	_sudo=
	[ "$(id -u)" -eq 0 ] || _sudo=sudo
	$_sudo apt-get install -y "$2" >/dev/null 2>&1 || { why="apt-get install $2 failed"; return 1; }
	command -v "$1" >/dev/null || { why="$2 does not give $1"; return 1; }
}

# npm_version PKG: the installed version of PKG, or nothing
npm_version() {
	node -p 'require(process.argv[1]).version' "$SDK_DIR/node_modules/$1/package.json" 2>/dev/null
}

# fake_up ARGS...: the local simulator (tests/bin/fakeprov) with ARGS on a
# free port, its pid in SRV and OPENAI_BASE_URL exported; the caller's die
# when it does not start.
fake_up() {
	rm -f "$T/port"
	tests/bin/fakeprov --port-file "$T/port" --idle 120 "$@" 2>"$T/fakeprov.log" &
	SRV=$!
	_i=0
	while [ ! -s "$T/port" ]; do
		_i=$((_i + 1))
		{ [ $_i -gt 200 ] || ! kill -0 "$SRV" 2>/dev/null; } && die "fakeprov did not start: $(cat "$T/fakeprov.log")"
		sleep 0.05
	done
	OPENAI_BASE_URL="http://127.0.0.1:$(cat "$T/port")/v1"
	export OPENAI_BASE_URL
}
