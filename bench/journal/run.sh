#!/usr/bin/env bash
# Journal benchmark: juesuan's journal import against hledger and beancount on the same
# synthetic journals, plus the batch report timing. Runs end to end on a fresh Debian machine
# with a Rust toolchain: installs hledger (apt) and beancount + beanquery (PyPI, in a venv),
# builds juesuan in release, generates the journals, prints the ratio table.
#
#   bench/journal/run.sh                        # 10k, 100k, 1M, 10M postings (about 1 hour)
#   bench/journal/run.sh --sizes 10000,100000   # quick run
#   bench/journal/run.sh --timeout 600 --rss-limit-gib 8
#
# Environment: CARGO_TARGET_DIR (default target/bench-journal), JOURNAL_BENCH_DIR (generated
# files and results, default /tmp/juesuan-journal-bench; 10M postings need about 3.5 GB).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/bench-journal}
work=${JOURNAL_BENCH_DIR:-/tmp/juesuan-journal-bench}
mkdir -p "$work"

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
need_apt=()
command -v hledger >/dev/null || need_apt+=(hledger)
[ -x /usr/bin/time ] || need_apt+=(time)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]} (apt)" >&2
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

venv="$work/venv"
if [ ! -x "$venv/bin/bean-query" ]; then
    echo "installing beancount and beanquery (PyPI) into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q beancount beanquery
fi

echo "building juesuan (release) in $CARGO_TARGET_DIR" >&2
# PDF output (typst) is not needed here and doubles the build: built without it.
cargo build --release -q -p juesuan-cli --no-default-features
cargo build --release -q -p juesuan-journal --example journal_gen --example batch_report

exec python3 "$root/bench/journal/run.py" \
    --bin "$CARGO_TARGET_DIR/release" \
    --work "$work" \
    --hledger "$(command -v hledger)" \
    --bean-query "$venv/bin/bean-query" \
    "$@"
