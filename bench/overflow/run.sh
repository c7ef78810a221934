#!/usr/bin/env bash
# The cost of `overflow-checks = true` in the release profile (issue #18), measured with the
# criterion benches of parsing + reporting (juesuan-report) and journal import
# (juesuan-journal), three builds in one run on one machine:
#   base  the commit before the change (no money bounds, operators that wrap, checks off);
#   off   this tree with overflow checks switched off (CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS);
#   on    this tree as committed (checks on).
# Prints a Markdown table of criterion's median estimates and the ratios to `base`.
#
#   bench/overflow/run.sh [BASE_COMMIT]          # default: 40b2711
#   BUILD_ONLY=1 bench/overflow/run.sh           # compile the three variants, run nothing
#   INSTRUCTIONS=1 bench/overflow/run.sh         # instead of times: instructions executed by a
#        fixed workload (examples report_workload, journal_workload) under valgrind's
#        callgrind, which do not depend on what else the machine is doing
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
base_commit=${1:-40b2711}
work=${OVERFLOW_BENCH_DIR:-/tmp/juesuan-overflow-bench}
mkdir -p "$work"
export CARGO_INCREMENTAL=0

# The base tree, with this tree's journal bench (the base had none; it uses only public API).
if [ ! -d "$work/base/.git" ] && [ ! -f "$work/base/.git" ]; then
    git worktree add --detach "$work/base" "$base_commit" >/dev/null
fi
mkdir -p "$work/base/crates/juesuan-journal/benches"
cp -r crates/juesuan-journal/benches/import.rs crates/juesuan-journal/benches/shared \
    "$work/base/crates/juesuan-journal/benches/"
mkdir -p "$work/base/crates/juesuan-report/examples" "$work/base/crates/juesuan-journal/examples"
cp crates/juesuan-report/examples/report_workload.rs "$work/base/crates/juesuan-report/examples/"
cp crates/juesuan-journal/examples/journal_workload.rs "$work/base/crates/juesuan-journal/examples/"
if ! grep -q '^name = "import"' "$work/base/crates/juesuan-journal/Cargo.toml"; then
    sed -i 's/^proptest.workspace = true$/proptest.workspace = true\ncriterion.workspace = true/' \
        "$work/base/crates/juesuan-journal/Cargo.toml"
    printf '\n[[bench]]\nname = "import"\nharness = false\n' >> "$work/base/crates/juesuan-journal/Cargo.toml"
fi

variant() { # name → "dir checks"
    case $1 in
        base) echo "$work/base false" ;;
        off) echo "$root false" ;;
        on) echo "$root true" ;;
    esac
}

benches=("juesuan-report report" "juesuan-journal import")

run_variant() { # name, extra cargo bench args… (builds)
    local name=$1; shift
    read -r dir checks < <(variant "$name")
    for b in "${benches[@]}"; do
        read -r pkg bench <<<"$b"
        (cd "$dir" && CARGO_TARGET_DIR="$work/target-$name" \
            CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=$checks CARGO_PROFILE_BENCH_OVERFLOW_CHECKS=$checks \
            cargo bench -q -p "$pkg" --bench "$bench" "$@")
    done
}

if [ -n "${INSTRUCTIONS:-}" ]; then
    command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
    echo "| workload | base | off | on | off / base | on / base | on / off |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for w in "juesuan-report report_workload" "juesuan-journal journal_workload"; do
        read -r pkg ex <<<"$w"
        declare -A ir=()
        for v in base off on; do
            read -r dir checks < <(variant "$v")
            (cd "$dir" && CARGO_TARGET_DIR="$work/target-$v" CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=$checks \
                cargo build -q --release -p "$pkg" --example "$ex") >&2
            ir[$v]=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
                "$work/target-$v/release/examples/$ex" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
        done
        python3 -c "
b, o, n = ${ir[base]}, ${ir[off]}, ${ir[on]}
print(f'| \`$ex\` | {b:,} | {o:,} | {n:,} | {o/b:.4f} | {n/b:.4f} | {n/o:.4f} |')"
    done
    exit 0
fi

for v in base off on; do
    echo "== build $v" >&2
    run_variant "$v" --no-run >&2
done
[ -n "${BUILD_ONLY:-}" ] && exit 0

# One benchmark at a time, the three variants back to back, so that they see the same load.
filters=("example/parse\$" "example/tables\$" "example/report\$" "batch_10k/parse\$"
         "batch_10k/parse_report\$" "journal/example/csv_records" "journal/example/import"
         "journal/example_x100/csv_records" "journal/example_x100/import")
for v in base off on; do : > "$work/$v.txt"; done
for f in "${filters[@]}"; do
    for v in base off on; do
        echo "== run $v $f" >&2
        case $f in journal*) b="juesuan-journal import" ;; *) b="juesuan-report report" ;; esac
        read -r pkg bench <<<"$b"
        read -r dir checks < <(variant "$v")
        (cd "$dir" && CARGO_TARGET_DIR="$work/target-$v" \
            CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=$checks CARGO_PROFILE_BENCH_OVERFLOW_CHECKS=$checks \
            cargo bench -q -p "$pkg" --bench "$bench" -- --noplot "$f") 2>&1 | tee -a "$work/$v.txt" >&2
    done
done

python3 - "$work" <<'PY'
import re, sys
work = sys.argv[1]
unit = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
def medians(path):
    out, name = {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^(\S+/\S+)\s*(time:.*)?$", line.strip())
        if m and not line.startswith(" "):
            name = m.group(1)
        t = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
        if t and name:
            out[name] = float(t.group(1)) * unit[t.group(2)]
    return out
runs = {v: medians(f"{work}/{v}.txt") for v in ("base", "off", "on")}
def show(s):
    for u, f in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= f:
            return f"{s / f:.3g} {u}"
    return f"{s / 1e-9:.3g} ns"
print("| benchmark | base | off | on | off / base | on / base | on / off |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name in runs["base"]:
    b, o, n = (runs[v].get(name) for v in ("base", "off", "on"))
    if None in (b, o, n):
        continue
    print(f"| `{name}` | {show(b)} | {show(o)} | {show(n)} | {o / b:.3f} | {n / b:.3f} | {n / o:.3f} |")
PY
