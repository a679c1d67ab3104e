#!/bin/sh
# Installs what a fresh Debian 12 machine needs to build and test chat
# (postgresql: the server t37-postgres starts for the history in PostgreSQL).
set -e
pkgs="build-essential pkg-config libcurl4-openssl-dev libjq-dev libonig-dev libsqlite3-dev
libpng-dev libjpeg62-turbo-dev libgif-dev libwebp-dev libheif-dev libedit-dev jq sqlite3 procps time
curl groff-base man-db openssl libpq-dev postgresql"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if command -v dpkg-query >/dev/null 2>&1; then
	missing=
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && { echo "deps: all build dependencies are installed"; exit 0; }
	$SUDO apt-get update
	# shellcheck disable=SC2086
	$SUDO apt-get install -y $missing
else
	echo "deps: not a Debian system; install: $pkgs" >&2
	exit 1
fi
