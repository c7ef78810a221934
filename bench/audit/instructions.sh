#!/usr/bin/env bash
# Instructions the auditor executes on a fixed workload (examples/audit_workload.rs: the seed
# report × 20, 2.49 MB), counted by valgrind's callgrind — a count that does not depend on what
# else the machine is doing — for this tree and for a base commit, in one run.
#
#   bench/audit/instructions.sh [BASE_COMMIT]     # default: a9172b4 (before the #11 pattern checks)
#
# Prints instructions, instructions per byte and the ratio to the base. Throughput on an idle
# machine scales with the inverse of the ratio (docs/BENCHMARKS.md, "Audit throughput").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
base_commit=${1:-a9172b4}
work=${AUDIT_BENCH_DIR:-/tmp/juesuan-audit-bench}
mkdir -p "$work"
export CARGO_INCREMENTAL=0
if [ ! -e "$work/base/.git" ]; then
    git worktree add --detach "$work/base" "$base_commit" >/dev/null
fi
mkdir -p "$work/base/crates/juesuan-audit/examples"
cp crates/juesuan-audit/examples/audit_workload.rs "$work/base/crates/juesuan-audit/examples/"

count() { # dir, name → instructions
    local dir=$1 name=$2
    (cd "$dir" && CARGO_TARGET_DIR="$work/target-$name" cargo build -q --release --locked \
        -p juesuan-audit --example audit_workload)
    local out="$work/callgrind.$name"
    valgrind --tool=callgrind --callgrind-out-file="$out" \
        "$work/target-$name/release/examples/audit_workload" >"$work/stdout.$name" 2>"$work/stderr.$name"
    grep -E '^(summary|totals):' "$out" | head -1 | awk '{print $2}'
}
bytes=$(( $(wc -c < crates/juesuan-audit/tests/fixtures/liangshan-kexie-2021-published.txt) * 20 ))
base=$(count "$work/base" base)
this=$(count "$root" this)
echo "| tree | instructions | per byte |"
echo "|---|---:|---:|"
echo "| base $base_commit | $base | $(( base / bytes )) |"
echo "| this tree | $this | $(( this / bytes )) |"
awk -v b="$base" -v t="$this" 'BEGIN { printf "ratio this / base: %.3f\n", t / b }'
cat "$work/stdout.base" "$work/stdout.this"
