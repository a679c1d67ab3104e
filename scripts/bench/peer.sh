# shellcheck shell=sh
# peer.sh: sourced by the bench drivers (scripts/bench.sh, tokens.sh,
# batch.sh, images.sh, jpeg.sh), never run.  The caller sets SDK_DIR (where the npm peers live,
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
