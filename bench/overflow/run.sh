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
cp crates/juesuan-journal/benches/import.rs "$work/base/crates/juesuan-journal/benches/"
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

run_variant() { # name, extra cargo bench args…
    local name=$1; shift
    read -r dir checks < <(variant "$name")
    for b in "${benches[@]}"; do
        read -r pkg bench <<<"$b"
        (cd "$dir" && CARGO_TARGET_DIR="$work/target-$name" \
            CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=$checks CARGO_PROFILE_BENCH_OVERFLOW_CHECKS=$checks \
            cargo bench -q -p "$pkg" --bench "$bench" "$@")
    done
}

for v in base off on; do
    echo "== build $v" >&2
    run_variant "$v" --no-run >&2
done
[ -n "${BUILD_ONLY:-}" ] && exit 0

for v in base off on; do
    echo "== run $v" >&2
    run_variant "$v" -- --noplot 2>&1 | tee "$work/$v.txt" >&2
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
