#!/usr/bin/env bash
# The example to every output format: wall time per format (median of N runs) and its ratio to
# the Markdown-only run (the baseline: parse + derive + narrative), same binary, same machine,
# same run. Results go to docs/BENCHMARKS.md by hand.
#
#   bench/formats/run.sh                 # uses target/release/juesuan if present, else debug
#   JUESUAN_BIN=path/to/juesuan RUNS=5 bench/formats/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bin=${JUESUAN_BIN:-}
if [[ -z "$bin" ]]; then
  if [[ -x target/release/juesuan ]]; then bin=target/release/juesuan; else bin=target/debug/juesuan; fi
fi
runs=${RUNS:-5}
input=examples/liangshan-kexie-2021/input.toml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

time_format() {
  local f=$1
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s%N)
    "$bin" report "$input" --format "$f" --out "$out/r" >/dev/null 2>&1
    e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | median
}

echo "binary: $bin ($(file -b "$bin" | cut -d, -f1)), runs: $runs, $(nproc) cores"
base=$(time_format md)
printf '| format | median ms | ratio to md |\n|---|---:|---:|\n'
printf '| md | %d | 1.00 |\n' "$base"
for f in html json xlsx docx pdf md,html,json,docx,pdf,xlsx; do
  t=$(time_format "$f")
  printf '| %s | %d | %s |\n' "$f" "$t" "$(awk -v t="$t" -v b="$base" 'BEGIN {printf "%.2f", t/b}')"
done
