#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL cluster for the store tests (juesuan-store, juesuan-web).
#
#   url=$(scripts/pg-test.sh start [DIR])   # prints postgres://postgres@127.0.0.1:PORT/postgres
#   JUESUAN_TEST_POSTGRES_URL=$url cargo nextest run -p juesuan-store --run-ignored all
#   scripts/pg-test.sh stop [DIR]
#
# DIR defaults to /tmp/juesuan-pg-test. The cluster uses trust authentication, listens on
# 127.0.0.1 only, on a free port, with durability switched off (fsync=off): for tests only.
# Needs the Debian package postgresql (initdb, pg_ctl); PG_BIN overrides where they are.
# As root the cluster runs as the postgres system user (initdb refuses root).
set -euo pipefail

cmd=${1:-}
dir=${2:-/tmp/juesuan-pg-test}

bin_dir() {
    if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$d" ]]; then
        echo "pg-test.sh: 找不到 initdb：请先安装 PostgreSQL（apt-get install -y postgresql）或设置 PG_BIN" >&2
        exit 2
    fi
    echo "$d"
}

# Run a command as the cluster's owner.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

case "$cmd" in
start)
    bin=$(bin_dir)
    if [[ -f "$dir/url" ]] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        cat "$dir/url"
        exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 2
    }
    port=""
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 20000))
        if ! port_in_use "$p"; then port=$p; break; fi
    done
    [[ -n "$port" ]] || { echo "pg-test.sh: 没有空闲端口" >&2; exit 2; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 2
    }
    url="postgres://postgres@127.0.0.1:$port/postgres"
    echo "$url" | as_owner tee "$dir/url" >/dev/null
    echo "$url"
    ;;
stop)
    bin=$(bin_dir)
    if [[ -d "$dir/data" ]]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop [DIR]" >&2
    exit 2
    ;;
esac
