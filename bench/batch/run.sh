#!/usr/bin/env bash
# Batch audit (`juesuan audit DIR`) against auditing the same documents one by one, in one run
# on the same machine: wall time and peak RSS from /usr/bin/time -v, documents per second, and
# the ratio. Results go to docs/BENCHMARKS.md by hand.
#
# The 200 documents are copies of juesuan's own report of the example (README's main command):
# report.md, report.docx, report.pdf, report.md saved as .txt, and report.md with one figure
# changed (so that some documents have errors), under 10 subdirectories, names varied.
#
#   bench/batch/run.sh                    # target/release/juesuan if present, else debug
#   JUESUAN_BIN=path/to/juesuan DOCS=200 bench/batch/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-target}
bin=${JUESUAN_BIN:-}
if [[ -z "$bin" ]]; then
  if [[ -x $target/release/juesuan ]]; then bin=$target/release/juesuan; else bin=$target/debug/juesuan; fi
fi
docs=${DOCS:-200}
command -v pdftotext >/dev/null || { echo "需要 pdftotext（poppler-utils）" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "需要 /usr/bin/time（Debian: apt-get install time）" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Our own report in every format the audit reads.
"$bin" report examples/liangshan-kexie-2021/input.toml --format md,docx,pdf --out "$work/out" >/dev/null 2>&1
for f in report.md report.docx report.pdf; do
  [[ -s $work/out/$f ]] || { echo "没有生成 $f（缺少中文字体？）" >&2; exit 1; }
done
cp "$work/out/report.md" "$work/report.txt"
sed '0,/本年支出合计686.54万元/s//本年支出合计686.45万元/' "$work/out/report.md" > "$work/changed.md"
cmp -s "$work/out/report.md" "$work/changed.md" && { echo "变体未改动任何数字" >&2; exit 1; }

dir=$work/docs
variants=("$work/out/report.md" "$work/out/report.docx" "$work/out/report.pdf" "$work/report.txt" "$work/changed.md")
for i in $(seq 1 "$docs"); do
  v=${variants[$(( (i - 1) % ${#variants[@]} ))]}
  ext=${v##*.}
  sub=$dir/$(printf '地区%02d' $(( (i - 1) % 10 + 1 )))
  mkdir -p "$sub"
  cp "$v" "$sub/$(printf '单位%03d-2021年部门决算' "$i").$ext"
done
n=$(find "$dir" -type f | wc -l)
count() { find "$dir" -type f -name "*.$1" | wc -l; }
echo "binary: $bin ($(file -b "$bin" | cut -d, -f1,2)); $(nproc) cores; $n documents:" \
  "md $(count md), docx $(count docx), pdf $(count pdf), txt $(count txt)"

# "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:03.21" → seconds; max RSS in kB.
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }

# Batch: every core, the summary as CSV to a file.
set +e
/usr/bin/time -v -o "$work/batch.time" "$bin" audit "$dir" --format csv --output "$work/summary.csv" 2>"$work/batch.err"
code=$?
set -e
rows=$(grep -c '^文档,' "$work/summary.csv" || true)
echo "batch: exit $code, $rows document rows; $(tail -1 "$work/batch.err")"

# The batch on one thread: what one process saves without any parallelism.
/usr/bin/time -v -o "$work/one.time" "$bin" audit "$dir" --jobs 1 --format csv --output "$work/one.csv" 2>/dev/null || true
cmp -s "$work/summary.csv" "$work/one.csv" || { echo "--jobs 1 gave another summary" >&2; exit 1; }

# Baseline: the same documents one by one, sequentially (one process each), same order.
find "$dir" -type f | LC_ALL=C sort > "$work/list"
/usr/bin/time -v -o "$work/seq.time" bash -c '
  while IFS= read -r f; do "$0" audit "$f" >/dev/null 2>&1 || true; done < "$1"' "$bin" "$work/list"

bw=$(wall "$work/batch.time"); sw=$(wall "$work/seq.time")
br=$(rss "$work/batch.time"); sr=$(rss "$work/seq.time")
ow=$(wall "$work/one.time"); or=$(rss "$work/one.time")
printf '| run | wall s | documents/s | peak RSS MiB |\n|---|---:|---:|---:|\n'
awk -v n="$n" -v w="$sw" -v r="$sr" 'BEGIN {printf "| one by one (%d processes) | %.2f | %.1f | %.1f |\n", n, w, n/w, r/1024}'
awk -v n="$n" -v w="$bw" -v r="$br" 'BEGIN {printf "| `juesuan audit DIR` (one process) | %.2f | %.1f | %.1f |\n", w, n/w, r/1024}'
awk -v n="$n" -v w="$ow" -v r="$or" 'BEGIN {printf "| `juesuan audit DIR --jobs 1` | %.2f | %.1f | %.1f |\n", w, n/w, r/1024}'
awk -v s="$sw" -v b="$bw" -v o="$ow" 'BEGIN {printf "speed-up: one by one ÷ batch %.2f×; --jobs 1 ÷ batch (parallelism alone) %.2f×\n", s/b, o/b}'
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
