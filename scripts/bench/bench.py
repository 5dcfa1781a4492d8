"""The driver of scripts/bench/run: runs every workload of issue 7 for
prio-lua and each baseline, several times, interleaved, and prints a table of
medians and the targets of the issue with PASS/MISS.

    python3 scripts/bench/bench.py --prio-lua BIN --cfloor BIN [--quick]
        [--reps N] [--only w1,w2] [--markdown FILE] [--json FILE]

Normally started by scripts/bench/run, which builds both binaries first.

Every program prints one `RESULT key=value ...` line; each run is wrapped in
/usr/bin/time for its peak RSS, and timed as a whole process too (wall
clock) for the workloads measured that way (cpu). Which span each figure
covers is said at the top of each workload script.

Implementations ("impls"):
  prio   prio-lua with scripts/bench/<workload>.lua
  cfloor .build-bench/cfloor with baselines/workloads.lua (C heap + lua_resume)
  pure   lua5.4 baselines/pure.lua baselines/workloads.lua (plain-Lua heap)
  asyncio python3 baselines/asyncio_bench.py (the PriorityQueue recipe)
For cpu, "pure" is stock lua5.4 running the same loop file as prio-lua.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import tasks_bench

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "baselines")
IMPLS = ["prio", "cfloor", "pure", "asyncio"]
IMPL_NAMES = {"prio": "prio-lua", "cfloor": "C floor", "pure": "pure Lua", "asyncio": "asyncio"}

SIZES = {
    # full: the sizes of issue 7
    False: dict(reps=5, yield_jobs=100_000, spawn_jobs=1_000_000, reprio_jobs=100_000, passes=10,
                latency_runs=15, cpu_steps=50_000_000, fanout_parents=10_000,
                flat_small=1_000_000, flat_large=10_000_000, timeout=1800),
    # --quick: small sizes, one repetition (CI keeps the suite working)
    True: dict(reps=1, yield_jobs=10_000, spawn_jobs=50_000, reprio_jobs=10_000, passes=3,
               latency_runs=3, cpu_steps=10_000_000, fanout_parents=1_000,
               flat_small=0, flat_large=0, timeout=120),
}

WORKLOADS = ["yield", "spawn", "reprio", "reprio-enum", "policy", "latency", "cpu", "fanout", "flat"]


class Runner:
    def __init__(self, args, sizes):
        self.args = args
        self.sizes = sizes
        self.failures = []

    def command(self, impl, workload, *params):
        params = [str(p) for p in params]
        if impl == "prio":
            flags = ["-j", "64"] if workload in ("latency", "fanout") else []
            return [self.args.prio_lua, *flags, os.path.join(HERE, workload + ".lua"), *params]
        if impl == "cfloor":
            return [self.args.cfloor, os.path.join(BASE, "workloads.lua"), workload, *params]
        if impl == "pure":
            return ["lua5.4", os.path.join(BASE, "pure.lua"), os.path.join(BASE, "workloads.lua"), workload, *params]
        if impl == "asyncio":
            return [sys.executable, os.path.join(BASE, "asyncio_bench.py"), workload, *params]
        raise ValueError(impl)

    def run(self, cmd, expect_result=True):
        """Runs cmd; returns (result dict or None, wall seconds, peak RSS bytes)."""
        cmd = [str(part) for part in cmd]
        with tempfile.NamedTemporaryFile(mode="r") as timing:
            full = ["/usr/bin/time", "-f", "%M", "-o", timing.name, *cmd]
            t0 = time.perf_counter()
            try:
                proc = subprocess.run(full, capture_output=True, text=True, timeout=self.sizes["timeout"])
            except subprocess.TimeoutExpired:
                self.failures.append(f"timeout: {' '.join(cmd)}")
                return None, None, None
            wall = time.perf_counter() - t0
            lines = [l for l in timing.read().splitlines() if l.strip()]
        rss = int(lines[-1]) * 1024 if lines and lines[-1].strip().isdigit() else None
        result = None
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                result = dict(field.split("=", 1) for field in line.split()[1:])
        if proc.returncode != 0 or (expect_result and result is None):
            tail = (proc.stderr.strip().splitlines() or [""])[-1]
            self.failures.append(f"exit {proc.returncode}: {' '.join(cmd)}: {tail}")
            return None, wall, rss
        return result, wall, rss


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def calibrate_busy_iterations():
    """Iterations of latency.lua's busy loop that take ~20 ms in lua5.4: the
    median of five probes."""
    probe = ("local n = 5000000 local t = os.clock() local x = 0 "
             "for i = 1, n do x = (x + i) % 1000003 end print(os.clock() - t)")
    samples = []
    for _ in range(5):
        out = subprocess.run(["lua5.4", "-e", probe], capture_output=True, text=True, check=True).stdout
        samples.append(float(out))
    return max(1000, int(5_000_000 * 0.020 / statistics.median(samples)))


def collect(runner, sizes, only, log):
    """Runs everything; returns {workload: {impl: {metric: [values]}}}."""
    data = {w: {i: {} for i in IMPLS} for w in WORKLOADS}

    def add(workload, impl, metric, value):
        data[workload][impl].setdefault(metric, []).append(value)

    busy_iterations = calibrate_busy_iterations() if "latency" in only else 0
    if "latency" in only:
        log(f"latency: busy loop of {busy_iterations} iterations (~20 ms in lua5.4)")

    for rep in range(sizes["reps"]):
        log(f"repetition {rep + 1}/{sizes['reps']}")
        if "yield" in only:
            for impl in IMPLS:
                r, _, _ = runner.run(runner.command(impl, "yield", sizes["yield_jobs"]))
                if r:
                    add("yield", impl, "seconds", float(r["seconds"]))
        if "spawn" in only:
            for impl in IMPLS:
                r, _, rss = runner.run(runner.command(impl, "spawn", sizes["spawn_jobs"]))
                _, _, rss0 = runner.run(runner.command(impl, "spawn", 0), expect_result=False)
                if r:
                    add("spawn", impl, "seconds", float(r["seconds"]))
                    add("spawn", impl, "order_errors", int(r["order_errors"]))
                    if rss and rss0:
                        add("spawn", impl, "rss_per_job", (rss - rss0) / sizes["spawn_jobs"])
        for workload in ("reprio", "policy"):
            if workload in only:
                for impl in ("prio", "cfloor", "pure"):
                    r, _, _ = runner.run(runner.command(impl, workload, sizes["reprio_jobs"], sizes["passes"]))
                    if r:
                        add(workload, impl, "per_second", sizes["reprio_jobs"] / float(r["pass_seconds"]))
        if "reprio-enum" in only:
            # The policy loop written the obvious way (issue 14): prio-lua only.
            r, _, _ = runner.run(runner.command("prio", "reprio-enum", sizes["reprio_jobs"], sizes["passes"]))
            if r:
                add("reprio-enum", "prio", "per_second", sizes["reprio_jobs"] / float(r["pass_seconds"]))
        if "cpu" in only:
            # Two back-to-back pairs per repetition: the loop is short enough
            # that this machine's noise needs more samples than the others.
            for _ in range(2):
                for impl, interp in (("prio", [runner.args.prio_lua]), ("pure", ["lua5.4"])):
                    _, startup, _ = runner.run([*interp, os.path.join(HERE, "empty.lua")], expect_result=False)
                    r, wall, _ = runner.run([*interp, os.path.join(HERE, "cpu.lua"), sizes["cpu_steps"]])
                    if r and startup is not None:
                        add("cpu", impl, "seconds", wall - startup)
                        add("cpu", impl, "checksum", r["checksum"])
        if "fanout" in only:
            for impl in IMPLS:
                r, _, _ = runner.run(runner.command(impl, "fanout", sizes["fanout_parents"]))
                if r:
                    add("fanout", impl, "seconds", float(r["seconds"]))

    if "latency" in only:
        log(f"latency: {sizes['latency_runs']} runs each")
        for _ in range(sizes["latency_runs"]):
            for impl in IMPLS:
                param = 0.020 if impl == "asyncio" else busy_iterations
                r, _, _ = runner.run(runner.command(impl, "latency", param))
                if r:
                    add("latency", impl, "delay_ms", float(r["delay_ms"]))

    if "flat" in only and sizes["flat_large"]:
        for total in (sizes["flat_small"], sizes["flat_large"]):
            log(f"memory flat: {total:,} jobs, 1,000 at a time")
            r, _, rss = runner.run([runner.args.prio_lua, os.path.join(HERE, "flat.lua"), total, 1000])
            if r and rss:
                add("flat", "prio", f"rss_{total}", rss)
                add("flat", "prio", f"seconds_{total}", float(r["seconds"]))
    return data


def fmt_rate(x):
    if x is None:
        return "-"
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= scale:
            return f"{x / scale:.2f}{unit}"
    return f"{x:.0f}"


def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def build_tables(data, sizes, only):
    """Returns (figure rows, target rows)."""
    def m(workload, impl, metric):
        return median(data[workload][impl].get(metric, []))

    rows = []  # (workload, figure, [cells per impl])
    targets = []  # (target, measured, PASS/MISS)

    def verdict(ok):
        return "n/a" if ok is None else ("PASS" if ok else "MISS")

    def ratio(a, b):
        return a / b if a is not None and b not in (None, 0) else None

    if "yield" in only:
        n = sizes["yield_jobs"]
        secs = {i: m("yield", i, "seconds") for i in IMPLS}
        rows.append(("yield", f"time, {n:,} jobs x 10 yields (s)", [fmt(secs[i]) for i in IMPLS]))
        rows.append(("", "resumes/s", [fmt_rate(n * 11 / secs[i]) if secs[i] else "-" for i in IMPLS]))
        r1 = ratio(secs["prio"], secs["cfloor"])
        r2 = ratio(secs["asyncio"], secs["prio"])
        targets.append(("yield: time <= 2.0x C floor", f"{fmt(r1, 2)}x", verdict(r1 and r1 <= 2.0)))
        targets.append(("yield: >= 8x faster than asyncio", f"{fmt(r2, 2)}x", verdict(r2 and r2 >= 8.0)))
    if "spawn" in only:
        n = sizes["spawn_jobs"]
        secs = {i: m("spawn", i, "seconds") for i in IMPLS}
        rss = {i: m("spawn", i, "rss_per_job") for i in IMPLS}
        errors = {i: max(data["spawn"][i].get("order_errors", [None]) or [None], default=None) for i in IMPLS}
        rows.append(("spawn", f"time, {n:,} jobs (s)", [fmt(secs[i]) for i in IMPLS]))
        rows.append(("", "jobs/s", [fmt_rate(n / secs[i]) if secs[i] else "-" for i in IMPLS]))
        rows.append(("", "peak RSS per queued job (B)", [fmt(rss[i], 0) for i in IMPLS]))
        rows.append(("", "jobs out of order", ["-" if errors[i] is None else str(errors[i]) for i in IMPLS]))
        r1 = ratio(secs["prio"], secs["cfloor"])
        targets.append(("spawn: time <= 2.0x C floor", f"{fmt(r1, 2)}x", verdict(r1 and r1 <= 2.0)))
        targets.append(("spawn: peak RSS <= 160 B per queued job", f"{fmt(rss['prio'], 0)} B",
                        verdict(rss["prio"] is not None and rss["prio"] <= 160)))
        order_ok = errors["prio"] == 0 if errors["prio"] is not None else None
        targets.append(("spawn: completion order is priority, then FIFO", f"{errors['prio']} out of order",
                        verdict(order_ok)))
    for workload, unit, goal in (("reprio", "changes/s", 5e6), ("policy", "evaluations/s", 2e6)):
        if workload in only:
            rates = {i: m(workload, i, "per_second") for i in IMPLS}
            label = f"{unit}, {sizes['reprio_jobs']:,} jobs, median pass of {sizes['passes']}"
            rows.append((workload, label, [fmt_rate(rates[i]) for i in IMPLS]))
            targets.append((f"{workload}: >= {fmt_rate(goal)} {unit}", fmt_rate(rates["prio"]),
                            verdict(rates["prio"] and rates["prio"] >= goal)))
    if "reprio-enum" in only:
        rate = m("reprio-enum", "prio", "per_second")
        label = f"changes/s via jobs(\"pending\"), {sizes['reprio_jobs']:,} jobs, median pass of {sizes['passes']}"
        rows.append(("reprio-enum", label, [fmt_rate(rate) if i == "prio" else "-" for i in IMPLS]))
        targets.append(("reprio-enum: >= 3.00M changes/s", fmt_rate(rate), verdict(rate and rate >= 3e6)))
    if "latency" in only:
        med = {i: m("latency", i, "delay_ms") for i in IMPLS}
        mx = {i: max(data["latency"][i].get("delay_ms", []), default=None) for i in IMPLS}
        runs = sizes["latency_runs"]
        rows.append(("latency", f"start delay, median of {runs} runs (ms)", [fmt(med[i], 2) for i in IMPLS]))
        rows.append(("", f"start delay, max of {runs} runs (ms)", [fmt(mx[i], 2) for i in IMPLS]))
        targets.append(("latency: median start delay <= 6 ms", f"{fmt(med['prio'], 2)} ms",
                        verdict(med["prio"] is not None and med["prio"] <= 6)))
        targets.append(("latency: max start delay <= 10 ms", f"{fmt(mx['prio'], 2)} ms",
                        verdict(mx["prio"] is not None and mx["prio"] <= 10)))
    if "cpu" in only:
        secs = {i: m("cpu", i, "seconds") for i in IMPLS}
        sums = {i: set(data["cpu"][i].get("checksum", [])) for i in IMPLS}
        cells = [fmt(secs["prio"]), "-", f"{fmt(secs['pure'])} (lua5.4)", "-"]
        rows.append(("cpu", f"time, {sizes['cpu_steps']:,}-step loop, {2 * sizes['reps']} runs (s)", cells))
        r = ratio(secs["pure"], secs["prio"])
        same = sums["prio"] == sums["pure"] and len(sums["prio"]) == 1
        targets.append(("cpu: speed >= 0.95x lua5.4", f"{fmt(r, 3)}x" + ("" if same else " (checksums differ!)"),
                        verdict(r and r >= 0.95 and same)))
    if "fanout" in only:
        n = sizes["fanout_parents"] * 11
        secs = {i: m("fanout", i, "seconds") for i in IMPLS}
        rows.append(("fanout", f"time, {sizes['fanout_parents']:,} parents x 10 children (s)",
                     [fmt(secs[i]) for i in IMPLS]))
        rows.append(("", "jobs/s (parents + children)", [fmt_rate(n / secs[i]) if secs[i] else "-" for i in IMPLS]))
    if "flat" in only:
        small, large = sizes["flat_small"], sizes["flat_large"]
        if not large:
            targets.append(("memory flat: 10M-job peak RSS within 10% of 1M", "skipped (--quick)", "n/a"))
        else:
            a = m("flat", "prio", f"rss_{small}")
            b = m("flat", "prio", f"rss_{large}")
            rows.append(("flat", f"peak RSS, {small:,} / {large:,} jobs (MB)",
                         [f"{fmt(a and a / 2**20, 1)} / {fmt(b and b / 2**20, 1)}", "-", "-", "-"]))
            growth = ratio(b, a)
            targets.append(("memory flat: 10M-job peak RSS within 10% of 1M",
                            f"{'-' if growth is None else f'{(growth - 1) * 100:+.1f}%'}",
                            verdict(growth and growth <= 1.10)))
    return rows, targets


def render_text(rows, targets):
    out = []
    if not rows:  # only the task workloads ran: their own table came first
        return "\n".join([f"{'target (prio-lua)':<50}  {'measured':>22}  result"]
                         + [f"{t:<50}  {m:>22}  {r}" for t, m, r in targets])
    widths = [8, 44] + [13] * len(IMPLS)
    header = ["workload", "figure (median)"] + [IMPL_NAMES[i] for i in IMPLS]
    out.append("  ".join(h.ljust(w) if k < 2 else h.rjust(w) for k, (h, w) in enumerate(zip(header, widths))))
    for workload, figure, cells in rows:
        line = [workload.ljust(widths[0]), figure.ljust(widths[1])] + [c.rjust(w) for c, w in zip(cells, widths[2:])]
        out.append("  ".join(line))
    out.append("")
    out.append(f"{'target (prio-lua)':<50}  {'measured':>22}  result")
    for target, measured, result in targets:
        out.append(f"{target:<50}  {measured:>22}  {result}")
    return "\n".join(out)


def render_markdown(rows, targets):
    out = ["| workload | figure (median) | " + " | ".join(IMPL_NAMES[i] for i in IMPLS) + " |",
           "|---|---|" + "---:|" * len(IMPLS)]
    for workload, figure, cells in rows:
        out.append(f"| {workload} | {figure} | " + " | ".join(cells) + " |")
    out += ["", "| target (prio-lua) | measured | result |", "|---|---:|---|"]
    for target, measured, result in targets:
        out.append(f"| {target} | {measured} | **{result}** |")
    return "\n".join(out)


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()
    return f"nproc {os.cpu_count()}, CPU {model}, {platform.system()} {platform.release()}, load average {load[0]:.2f}"


def version(prio_lua):
    """prio-lua's --version and the git commit it was built from."""
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=HERE).stdout.strip()
        except OSError:
            return ""
    commit = out(["git", "rev-parse", "--short", "HEAD"]) or "?"
    dirty = out(["git", "status", "--porcelain", "--", "../../Sources", "../../Package.swift"])
    return (f"{out([prio_lua, '--version']) or prio_lua}, git {commit}"
            + (" + uncommitted changes in Sources" if dirty else ""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prio-lua", required=True)
    parser.add_argument("--cfloor", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--reps", type=int)
    parser.add_argument("--only", help="comma-separated workloads (default: all)")
    parser.add_argument("--markdown", help="also write the tables as Markdown to this file")
    parser.add_argument("--json", help="also write every sample (not only medians) as JSON to this file")
    args = parser.parse_args()
    sizes = dict(SIZES[args.quick])
    if args.reps:
        sizes["reps"] = args.reps
    only = set(args.only.split(",")) if args.only else set(WORKLOADS + tasks_bench.WORKLOADS)
    unknown = only - set(WORKLOADS + tasks_bench.WORKLOADS)
    if unknown:
        sys.exit(f"bench: unknown workload(s): {', '.join(sorted(unknown))}")

    started = time.time()
    log = lambda message: print(f"[{time.time() - started:6.1f}s] {message}", file=sys.stderr, flush=True)
    log(f"machine: {machine()}")
    built_from = version(args.prio_lua)  # before the run: others may edit Sources meanwhile
    runner = Runner(args, sizes)
    data = collect(runner, sizes, only, log)
    rows, targets = build_tables(data, sizes, only)
    task_data = tasks_bench.collect(runner, args.quick, sizes["reps"], only, log)
    verdict = lambda ok: "n/a" if ok is None else ("PASS" if ok else "MISS")
    task_rows, task_targets = tasks_bench.tables(task_data, only, median, fmt, fmt_rate, verdict)
    targets += task_targets
    mode = "quick" if args.quick else "full"
    print(f"prio-lua benchmarks ({mode}: medians of {sizes['reps']} repetitions; "
          f"latency over {sizes['latency_runs']} runs), {time.time() - started:.0f} s")
    print(f"machine: {machine()}")
    print(f"prio-lua: {built_from}")
    print()
    if task_rows:
        print(tasks_bench.render_text(task_rows))
        print()
    print(render_text(rows, targets))
    if runner.failures:
        print("\nfailed runs:")
        for failure in runner.failures:
            print("  " + failure)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(f"mode: {mode}, medians of {sizes['reps']} repetitions, latency over "
                    f"{sizes['latency_runs']} runs\n\nmachine: {machine()}\n\n"
                    f"prio-lua: {built_from}\n\n")
            if task_rows:
                f.write(tasks_bench.render_markdown(task_rows) + "\n\n")
            f.write(render_markdown(rows, targets) + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"mode": mode, "sizes": sizes, "samples": data, "task_samples": task_data,
                       "failures": runner.failures}, f, indent=1)
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main())
