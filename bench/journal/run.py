#!/usr/bin/env python3
"""Journal benchmark runner (called by bench/journal/run.sh; docs/BENCHMARKS.md).

For each size: generate the synthetic journal (juesuan CSV, hledger journal, beancount file,
the same postings), then time on this machine, in this run:
  - juesuan:   juesuan journal journal.csv --out-dir out/    (CSV -> facts -> one validated
               input file per unit)
  - hledger:   hledger -f journal.hledger balance            (balance of every account)
  - beancount: bean-query journal.beancount "SELECT account, sum(number) GROUP BY account"
Each run goes through /usr/bin/time -v (peak RSS) under a wall-clock timeout and an RSS
limit; a run that hits either is recorded as such, not skipped. Every tool's total spending
is checked against the generator's, exactly. Then the batch report timing (1k and 10k units).
Prints a Markdown table with the ratios and writes it to <work>/results.md.
"""
import argparse
import decimal
import glob
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import tomllib

D = decimal.Decimal


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception as e:  # noqa: BLE001 - informational only
        return f"({e})"


def tree_rss_kib(pid):
    """RSS of a process and its descendants (the watchdog's measure)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return total


def timed(cmd, stdout_path, timeout, rss_limit_kib, cwd=None):
    """Run cmd under /usr/bin/time -v. Returns dict(status, seconds, rss_mib)."""
    time_log = stdout_path + ".time"
    with open(stdout_path, "wb") as out, open(time_log, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-v"] + cmd, stdout=out, stderr=err, cwd=cwd,
                                start_new_session=True)
        state = {"status": "ok", "peak": 0}

        def watchdog():
            # Polls RSS and the clock; the main thread's wait() keeps the timing exact.
            while proc.poll() is None:
                elapsed = time.perf_counter() - start
                rss = tree_rss_kib(proc.pid)
                state["peak"] = max(state["peak"], rss)
                if elapsed > timeout:
                    state["status"] = f"timeout after {timeout:.0f} s"
                elif rss > rss_limit_kib:
                    state["status"] = f"killed at the {rss_limit_kib / 1048576:.0f} GiB RSS limit after {elapsed:.0f} s"
                if state["status"] != "ok":
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    return
                time.sleep(0.05)

        dog = threading.Thread(target=watchdog, daemon=True)
        dog.start()
        proc.wait()
        seconds = time.perf_counter() - start
        dog.join()
        status, peak_seen = state["status"], state["peak"]
    log = open(time_log, errors="replace").read()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", log)
    rss_kib = int(m.group(1)) if m else peak_seen
    if status == "ok" and proc.returncode != 0:
        tail = log.strip().splitlines()[-25:]
        status = f"exit {proc.returncode}: " + " | ".join(tail[:3])
    return {"status": status, "seconds": seconds, "rss_mib": max(rss_kib, peak_seen) / 1024}


def expected_of(d):
    values = {}
    for line in open(os.path.join(d, "expected.txt")):
        k, v = line.split()
        values[k] = int(v)
    return values


def yuan(fen):
    return D(fen) / 100


def check_juesuan(out_dir):
    total = D(0)
    for path in glob.glob(os.path.join(out_dir, "*.toml")):
        with open(path, "rb") as f:
            doc = tomllib.load(f)
        assert doc["amount_unit"] == "元", path
        for by_source in doc.get("expenditure", {}).values():
            for lines in by_source.values():
                for v in lines.values():
                    total += D(str(v))
    return total


def check_ledger_output(path, prefix):
    """Sum of the amounts of the accounts starting with prefix in a balance listing."""
    total = D(0)
    num = re.compile(r"-?[\d,]+\.\d+")
    for line in open(path, errors="replace"):
        if prefix in line:
            m = num.search(line)
            if m:
                total += D(m.group(0).replace(",", ""))
    return total


def fmt_run(r):
    if r["status"] != "ok":
        return r["status"]
    return f"{r['seconds']:.2f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="directory with juesuan, journal_gen, batch_report")
    ap.add_argument("--work", required=True)
    ap.add_argument("--hledger", default="hledger")
    ap.add_argument("--bean-query", default="bean-query")
    ap.add_argument("--sizes", default="10000,100000,1000000,10000000")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per peer run")
    ap.add_argument("--rss-limit-gib", type=float, default=12)
    ap.add_argument("--batch-units", default="1000,10000")
    args = ap.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    os.makedirs(args.work, exist_ok=True)
    juesuan = os.path.join(args.bin, "juesuan")
    gen = os.path.join(args.bin, "examples", "journal_gen")
    batch = os.path.join(args.bin, "examples", "batch_report")
    limit = int(args.rss_limit_gib * 1048576)

    lines = []

    def say(s=""):
        print(s, flush=True)
        lines.append(s)

    say("## Journal import against hledger and beancount")
    say()
    say("| | |")
    say("|---|---|")
    say(f"| Date | {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} |")
    say(f"| `nproc` | {os.cpu_count()} |")
    cpu = sh("lscpu | grep 'Model name' | sed 's/.*: *//'")
    memory = sh("free -h | awk '/Mem:/ {print $2 \" total, \" $7 \" available\"}'")
    say(f"| CPU | {cpu} |")
    say(f"| Memory | {memory} |")
    say(f"| OS | {platform.platform()} |")
    say(f"| juesuan | {sh(juesuan + ' --version')}, release build, {sh('rustc --version')} |")
    say(f"| hledger | {sh(args.hledger + ' --version')} |")
    bean_bin = os.path.dirname(args.bean_query)
    bean_python = os.path.join(bean_bin, "python3") if os.path.exists(os.path.join(bean_bin, "python3")) else "python3"
    bean_version = sh(bean_python + " -c 'import beancount, beanquery; print(\"beancount\", beancount.__version__, \"beanquery\", beanquery.__version__)'")
    say(f"| beancount | {bean_version} |")
    say(f"| Load before | {sh('cat /proc/loadavg')} |")
    say(f"| Limits | peers: {args.timeout:.0f} s wall clock and {args.rss_limit_gib:.0f} GiB RSS per run; juesuan: the same |")
    say()

    results = []
    for n in sizes:
        d = os.path.join(args.work, f"n{n}")
        exp_path = os.path.join(d, "expected.txt")
        if not (os.path.exists(exp_path) and expected_of(d).get("postings") == n):
            shutil.rmtree(d, ignore_errors=True)
            t = time.perf_counter()
            subprocess.run([gen, str(n), d], check=True)
            print(f"generated {n} postings in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
        exp = expected_of(d)
        spending = yuan(exp["spending_fen"])
        sizes_mb = {k: os.path.getsize(os.path.join(d, f"journal.{k}")) / 1e6 for k in ("csv", "hledger", "beancount")}
        repeat = 3 if n <= 100_000 else 1
        row = {"n": n, "units": exp["units"], "mb": sizes_mb}

        def best(label, cmd, check):
            runs = []
            for _ in range(repeat):
                out = os.path.join(d, f"{label}.out")
                r = timed(cmd, out, args.timeout, limit)
                runs.append(r)
                if r["status"] != "ok":
                    break
                got = check(out)
                if got != spending:
                    r["status"] = f"WRONG TOTAL {got} (expected {spending})"
                    break
            ok = [r for r in runs if r["status"] == "ok"]
            if len(ok) == len(runs):
                ok.sort(key=lambda r: r["seconds"])
                return ok[len(ok) // 2]
            return runs[-1]

        out_dir = os.path.join(d, "out")

        def run_juesuan():
            shutil.rmtree(out_dir, ignore_errors=True)
            return [juesuan, "journal", os.path.join(d, "journal.csv"), "--out-dir", out_dir]

        # juesuan: the out dir is removed before each run, inside the command list built above.
        runs = []
        for _ in range(repeat):
            r = timed(run_juesuan(), os.path.join(d, "juesuan.out"), args.timeout, limit)
            if r["status"] == "ok":
                got = check_juesuan(out_dir)
                if got != spending:
                    r["status"] = f"WRONG TOTAL {got} (expected {spending})"
            runs.append(r)
            if r["status"] != "ok":
                break
        runs.sort(key=lambda r: (r["status"] != "ok", r["seconds"]))
        row["juesuan"] = runs[len(runs) // 2] if all(r["status"] == "ok" for r in runs) else [r for r in runs if r["status"] != "ok"][0]
        print(f"{n}: juesuan {fmt_run(row['juesuan'])}", file=sys.stderr, flush=True)
        row["hledger"] = best("hledger", [args.hledger, "-f", os.path.join(d, "journal.hledger"), "balance"],
                              lambda out: check_ledger_output(out, "expenditure:"))
        print(f"{n}: hledger {fmt_run(row['hledger'])}", file=sys.stderr, flush=True)
        row["beancount"] = best("beancount", [args.bean_query, os.path.join(d, "journal.beancount"),
                                              "SELECT account, sum(number) AS total GROUP BY account ORDER BY account"],
                                lambda out: check_ledger_output(out, "Expenses:"))
        print(f"{n}: beancount {fmt_run(row['beancount'])}", file=sys.stderr, flush=True)
        results.append(row)

    say("| Postings | Units | CSV / hledger / beancount file | juesuan: time, peak RSS | postings/s | hledger: time, peak RSS | beancount: time, peak RSS | hledger ÷ juesuan | beancount ÷ juesuan |")
    say("|---:|---:|---|---|---:|---|---|---:|---:|")
    for row in results:
        j, h, b = row["juesuan"], row["hledger"], row["beancount"]

        def cell(r):
            if r["status"] != "ok":
                return f"{r['status']} (RSS {r['rss_mib']:.0f} MiB)"
            return f"{r['seconds']:.2f} s, {r['rss_mib']:.0f} MiB"

        def ratio(r):
            if j["status"] != "ok":
                return "—"
            if r["status"] != "ok":
                return f"> {r['seconds'] / j['seconds']:.0f}× (did not finish)"
            return f"{r['seconds'] / j['seconds']:.1f}×"

        rate = f"{row['n'] / j['seconds']:,.0f}" if j["status"] == "ok" else "—"
        mb = row["mb"]
        say(f"| {row['n']:,} | {row['units']:,} | {mb['csv']:.0f} / {mb['hledger']:.0f} / {mb['beancount']:.0f} MB | {cell(j)} | {rate} | {cell(h)} | {cell(b)} | {ratio(h)} | {ratio(b)} |")
    say()
    say("Times are wall clock, the median of 3 runs up to 100,000 postings and one run above; peak RSS from `/usr/bin/time -v`. Every finished run's total spending equals the generator's exactly.")
    say()

    if args.batch_units:
        out = os.path.join(args.work, "batch_report.out")
        units = args.batch_units.split(",")
        r = timed([batch] + units, out, args.timeout * 2, limit)
        say("### Batch report (parse + build_report per unit, one process)")
        say()
        if r["status"] != "ok":
            say(f"batch_report: {r['status']}")
        else:
            say("| Units | Time | Units per second | Peak RSS (process) |")
            say("|---:|---:|---:|---:|")
            for line in open(out):
                kv = dict(p.split("=", 1) for p in line.split()[1:])
                say(f"| {int(kv['units']):,} | {float(kv['seconds']):.2f} s | {float(kv['units_per_second']):,.0f} | {float(kv['peak_rss_mib']):.0f} MiB |")
        say()
    say(f"Load after: {sh('cat /proc/loadavg')}")
    with open(os.path.join(args.work, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"\n(written to {os.path.join(args.work, 'results.md')})", file=sys.stderr)


if __name__ == "__main__":
    main()
