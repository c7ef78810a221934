#!/usr/bin/env bash
# Two builds of juesuan on the example, in one run on one machine: for each binary, the median
# wall time of the Markdown-only run, Word alone and the full report (md + docx + xlsx), and
# their ratio to that binary's Markdown run. Runs alternate between the two binaries so that
# load from other work on the machine hits both alike. Results go to docs/BENCHMARKS.md by hand.
#
#   bench/formats/before-after.sh BEFORE_BIN AFTER_BIN      # RUNS=15 by default
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
before=${1:?before binary}
after=${2:?after binary}
runs=${RUNS:-15}
input=examples/liangshan-kexie-2021/input.toml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

once() {
  local bin=$1 f=$2 s e
  s=$(date +%s%N)
  "$bin" report "$input" --format "$f" --out "$out/r" >/dev/null 2>&1
  e=$(date +%s%N)
  echo $(( (e - s) / 1000000 ))
}

echo "before: $before; after: $after; runs: $runs; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| build | md ms | docx ms | md,docx,xlsx ms | docx / md | md,docx,xlsx / md |\n|---|---:|---:|---:|---:|---:|\n'
declare -A t
for f in md docx md,docx,xlsx; do
  for b in before after; do : >"$out/$b-$f"; done
  for _ in $(seq "$runs"); do
    once "$before" "$f" >>"$out/before-$f"
    once "$after" "$f" >>"$out/after-$f"
  done
  for b in before after; do t[$b,$f]=$(median <"$out/$b-$f"); done
done
for b in before after; do
  printf '| %s | %d | %d | %d | %s | %s |\n' "$b" "${t[$b,md]}" "${t[$b,docx]}" "${t[$b,md,docx,xlsx]}" \
    "$(awk -v t="${t[$b,docx]}" -v m="${t[$b,md]}" 'BEGIN {printf "%.2f", t/m}')" \
    "$(awk -v t="${t[$b,md,docx,xlsx]}" -v m="${t[$b,md]}" 'BEGIN {printf "%.2f", t/m}')"
done
