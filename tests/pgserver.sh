# A throwaway PostgreSQL server for the tests (sourced after lib.sh): Debian's
# initdb and pg_ctl in a folder under $T, listening on a Unix socket only,
# run as an unprivileged user when the tests run as root (the server
# refuses root). pg_start sets PGDIR; pg_db NAME makes a database and
# prints its URI; pg_stop and pg_start again restart the server on the
# same data. Without the server binaries pg_have fails.
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
pg_have() { [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ]; }
# pg_require: a suite without the server binaries ends here, skipped and said so
pg_require() {
	pg_have && return 0
	echo "# skipped: no postgresql server binaries (apt-get install postgresql)"
	ok 0 "skipped: no postgresql server binaries"
	done_testing
	exit
}
pg_as() { # run a server command as the server's user
	if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
pg_start() {
	PGDIR="$T/pg"
	if [ ! -d "$PGDIR/data" ]; then
		mkdir -p "$PGDIR" && chmod 755 "$T" "$PGDIR"
		[ "$(id -u)" -eq 0 ] && chown nobody "$PGDIR"
		pg_as "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U chat -E UTF8 --no-sync > "$PGDIR/initdb.log" 2>&1 || return 1
	fi
	# fsync off: a throwaway server; the socket in $PGDIR, no TCP at all
	pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 \
		-o "-k $PGDIR -c listen_addresses= -F -c max_connections=120" start > /dev/null
}
pg_stop() {
	[ -n "${PGDIR:-}" ] && [ -f "$PGDIR/data/postmaster.pid" ] &&
		pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop > /dev/null 2>&1
	return 0
}
pg_db() {
	"$PGBIN/createdb" -h "$PGDIR" -U chat "$1" && echo "postgresql://chat@/$1?host=$PGDIR"
}
# pg_sql DB SQL: the rows of a query, unaligned, one per line
pg_sql() {
	"$PGBIN/psql" -h "$PGDIR" -U chat -d "$1" -XAtqc "$2"
}
