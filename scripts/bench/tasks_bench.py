"""The task benchmarks of issue 16 (SPEC 8), for scripts/bench/bench.py:
prio-lua's worker states against luv's thread pool (Debian's lua-luv) and
Python's multiprocessing.Pool, interleaved in the same invocation.

  tasks-trivial  items/s of trivial task jobs ({i = i} in, i out) with two
                 states / threads / processes (and prio-lua at -w 1)
  tasks-cpu      seconds of N ~10 ms tasks with one and with two; the
                 figure that matters is the speed-up from one to two

prio-lua runs with its default -j (= -w), as a user would.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "baselines")
WORKLOADS = ["tasks-trivial", "tasks-cpu"]
COLUMNS = ["prio", "luv", "mp"]
NAMES = {"prio": "prio-lua", "luv": "luv", "mp": "multiprocessing"}
SIZES = {False: dict(trivial_jobs=100_000, cpu_jobs=200), True: dict(trivial_jobs=10_000, cpu_jobs=20)}


def have_luv():
    return subprocess.run(["lua5.4", "-e", "require 'luv'"], capture_output=True).returncode == 0


def command(runner, impl, workload, parallel, jobs):
    """The command line of one run with `parallel` states/threads/processes."""
    kind = "trivial" if workload == "tasks-trivial" else "cpu"
    if impl == "prio":
        return [runner.args.prio_lua, "-w", parallel, os.path.join(HERE, workload + ".lua"), jobs]
    if impl == "luv":
        return ["env", f"UV_THREADPOOL_SIZE={parallel}", "lua5.4", os.path.join(BASE, "luv_tasks.lua"), kind, jobs]
    return [sys.executable, os.path.join(BASE, "mp_tasks.py"), kind, parallel, jobs]


def collect(runner, quick, reps, only, log):
    """Runs the task workloads; returns {workload: {impl: {metric: [values]}}}."""
    sizes = SIZES[quick]
    data = {w: {i: {} for i in COLUMNS} for w in WORKLOADS}
    impls = COLUMNS if have_luv() else ["prio", "mp"]
    if "luv" not in impls:
        log("tasks: lua-luv is not installed (apt-get install lua-luv): luv is skipped")
    for rep in range(reps):
        log(f"tasks: repetition {rep + 1}/{reps}")
        for workload, jobs, metric in (("tasks-trivial", sizes["trivial_jobs"], "rate"),
                                       ("tasks-cpu", sizes["cpu_jobs"], "seconds")):
            if workload not in only:
                continue
            for parallel in (1, 2):
                for impl in impls:
                    if workload == "tasks-trivial" and parallel == 1 and impl != "prio":
                        continue  # the baselines' one-thread trivial rate says nothing here
                    r, _, _ = runner.run(command(runner, impl, workload, parallel, jobs))
                    if r:
                        data[workload][impl].setdefault(f"{metric}_{parallel}", []).append(float(r[metric]))
    return data


def tables(data, only, median, fmt, fmt_rate, verdict):
    """Returns (rows, targets) as bench.py renders them (cells per COLUMNS)."""
    def m(workload, impl, metric):
        return median(data[workload][impl].get(metric, []))

    rows, targets = [], []
    if "tasks-trivial" in only:
        for parallel in (2, 1):
            rows.append(("tasks", f"trivial: items/s with {parallel}",
                         [fmt_rate(m("tasks-trivial", i, f"rate_{parallel}")) for i in COLUMNS]))
        prio, luv = m("tasks-trivial", "prio", "rate_2"), m("tasks-trivial", "luv", "rate_2")
        ratio = prio / luv if prio and luv else None
        targets.append(("tasks-trivial: -w 2 >= 0.75x luv (2 threads)", f"{fmt(ratio, 2)}x",
                        verdict(None if ratio is None else ratio >= 0.75)))
    if "tasks-cpu" in only:
        speedups = []
        for impl in COLUMNS:
            one, two = m("tasks-cpu", impl, "seconds_1"), m("tasks-cpu", impl, "seconds_2")
            speedups.append(one / two if one and two else None)
        for parallel in (1, 2):
            rows.append(("tasks", f"cpu: seconds with {parallel}",
                         [fmt(m("tasks-cpu", i, f"seconds_{parallel}")) for i in COLUMNS]))
        rows.append(("tasks", "cpu: speed-up from 1 to 2", [f"{fmt(s, 2)}x" if s else "-" for s in speedups]))
        targets.append(("tasks-cpu: -w 2 >= 1.8x faster than -w 1", f"{fmt(speedups[0], 2)}x",
                        verdict(None if speedups[0] is None else speedups[0] >= 1.8)))
    return rows, targets


def render_text(rows):
    widths = [8, 44, 13, 13, 16]
    header = ["workload", "figure (median)"] + [NAMES[i] for i in COLUMNS]
    out = ["  ".join(h.ljust(w) if k < 2 else h.rjust(w) for k, (h, w) in enumerate(zip(header, widths)))]
    for workload, figure, cells in rows:
        out.append("  ".join([workload.ljust(widths[0]), figure.ljust(widths[1])]
                             + [c.rjust(w) for c, w in zip(cells, widths[2:])]))
    return "\n".join(out)


def render_markdown(rows):
    out = ["| workload | figure (median) | " + " | ".join(NAMES[i] for i in COLUMNS) + " |",
           "|---|---|" + "---:|" * len(COLUMNS)]
    out += [f"| {w} | {f} | " + " | ".join(cells) + " |" for w, f, cells in rows]
    return "\n".join(out)
