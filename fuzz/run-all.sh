#!/usr/bin/env bash
# Fuzz campaign: build every target, run each for N minutes (J at a time), and report per
# target the executions, exec/s, coverage (libFuzzer's cov: and ft:) and crashes as a
# Markdown table. Stops by itself. See docs/FUZZING.md.
#
#   fuzz/run-all.sh [-j JOBS] [-o TABLE.md] [-t "target1 target2"] [-s] [MINUTES]
#
#   MINUTES  per target (default 10; decimals allowed, e.g. 0.5)
#   -j       targets run at the same time (default 2; libFuzzer uses one core per job)
#   -o       also write the table to this file
#   -t       only these targets (default: every target `cargo fuzz list` shows)
#   -s       skip the build (use the binaries already in fuzz/target)
#
# Each target fuzzes into a scratch corpus (a temporary directory, first, so libFuzzer writes
# its new inputs there) with the committed seeds fuzz/corpus/<target>/ second, and with
# fuzz/dict/<target>.dict when it exists. Crash inputs go to fuzz/artifacts/<target>/;
# logs to fuzz/logs/<target>.log (both ignored by git).
set -euo pipefail

jobs=2
out=""
only=""
build=1
while getopts "j:o:t:sh" opt; do
    case $opt in
        j) jobs=$OPTARG ;;
        o) out=$OPTARG ;;
        t) only=$OPTARG ;;
        s) build=0 ;;
        *) sed -n '2,18p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
minutes=${1:-10}
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60); if (s < 1) s = 1; print s }')

fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
cd "$root"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
    exit 2
fi
if [ "$build" = 1 ]; then
    echo "building every target (cargo +nightly fuzz build)…" >&2
    cargo +nightly fuzz build --fuzz-dir "$fuzz" >&2
fi
targets=${only:-$(cargo +nightly fuzz list --fuzz-dir "$fuzz")}
bin_dir="$fuzz/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/juesuan-fuzz.XXXXXX")
mkdir -p "$fuzz/logs"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain 2>/dev/null | grep -qv '^??' && echo " (with uncommitted changes)" || true)

run_one() {
    local t=$1 dict=()
    mkdir -p "$scratch/$t" "$fuzz/artifacts/$t"
    [ -f "$fuzz/dict/$t.dict" ] && dict=("-dict=$fuzz/dict/$t.dict")
    touch "$scratch/$t.start"
    # The watchdog only matters if libFuzzer itself hangs past its own time limit.
    timeout --kill-after=30 $((seconds + 120)) \
        "$bin_dir/$t" "$scratch/$t" "$fuzz/corpus/$t" "${dict[@]}" \
        -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$fuzz/artifacts/$t/" >"$fuzz/logs/$t.log" 2>&1 || true
    echo "finished $t" >&2
}

# At most $jobs at a time, in the order listed.
running=0
for t in $targets; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    echo "fuzzing $t for $seconds s…" >&2
    run_one "$t" &
    running=$((running + 1))
done
wait

table() {
    echo "Fuzz campaign: $started, commit $commit$dirty, $seconds s per target, $jobs at a time."
    echo
    echo "| target | seconds | executions | exec/s | cov | ft | corpus | crashes |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for t in $targets; do
        local log="$fuzz/logs/$t.log" execs rate cov ft corpus crashes last
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        # The last status line (#N  DONE/PULSE/NEW … cov: X ft: Y corp: C/…).
        last=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -1 || true)
        cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
        ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
        corpus=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
        crashes=$(find "$fuzz/artifacts/$t" -type f -newer "$scratch/$t.start" \
            \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
        echo "| \`$t\` | $seconds | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | ${corpus:-?} | $crashes |"
    done
}
table | tee ${out:+"$out"}
rm -rf "$scratch"
