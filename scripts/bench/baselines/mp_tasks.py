"""multiprocessing.Pool baseline of the "tasks-trivial" and "tasks-cpu"
benchmarks (SPEC 8): the stock way to use every core from Python.

    python3 mp_tasks.py trivial PROCESSES [N]        (N = 100000)
    python3 mp_tasks.py cpu PROCESSES [N [ITER]]     (N = 200)

trivial: identity over the ints 1..N; the sum of results is checked. Run
  twice, each in a fresh pool: imap_unordered with chunksize=1 (one IPC
  round trip per item, like one task job per item) and map with its default
  chunksize (N / (4 * PROCESSES): 12500 for 100000 at 2, so 8 messages in
  all). The figure (seconds, rate) is imap_unordered's: one item per
  message is what a task job is; map's batching measures pickling a list,
  ~100x faster, and is printed beside it (map_rate) for reference only.
cpu: N items of ITER (70000, ~10 ms in CPython 3.11 on the bench machine)
  iterations of the loop of ../tasks_mod.lua's spin, imap_unordered with
  chunksize=1 so that 10 ms items balance across processes; every checksum
  must agree. The speed-up is seconds at 1 process / seconds at 2.
Measures time.perf_counter() around the map only: pool start-up (fork) and
shutdown are outside, as the workers would be started already in a server.
Prints: RESULT impl=mp workload=<w> processes=<p> items=<n> seconds=<s> rate=<items/s> ...
"""

import multiprocessing
import sys
import time


def ident(i):
    return i


def spin(iterations):
    # The same arithmetic as spin in ../tasks_mod.lua.
    x, y = 0, 0.0
    for i in range(1, iterations + 1):
        x = (x * 31 + i) % 1000003
        y = y + (i % 7) * 0.5
    return x + y


def timed(processes, run):
    with multiprocessing.Pool(processes) as pool:
        t0 = time.perf_counter()
        results = run(pool)
        return time.perf_counter() - t0, results


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("trivial", "cpu"):
        sys.exit("usage: python3 mp_tasks.py trivial|cpu PROCESSES [N [ITER]]")
    workload, processes = sys.argv[1], int(sys.argv[2])
    if workload == "trivial":
        n = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
        items = range(1, n + 1)
        s_imap, r1 = timed(processes, lambda p: list(p.imap_unordered(ident, items, chunksize=1)))
        s_map, r2 = timed(processes, lambda p: p.map(ident, items))
        for r in (r1, r2):
            if sum(r) != n * (n + 1) // 2:
                sys.exit(f"mp_tasks: results sum to {sum(r)}")
        print(f"RESULT impl=mp workload=trivial processes={processes} items={n} seconds={s_imap:.6f} "
              f"rate={n / s_imap:.0f} map_seconds={s_map:.6f} map_rate={n / s_map:.0f}")
    else:
        n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
        iterations = int(sys.argv[4]) if len(sys.argv) > 4 else 70_000
        seconds, results = timed(processes, lambda p: list(p.imap_unordered(spin, [iterations] * n, chunksize=1)))
        if len(set(results)) != 1:
            sys.exit("mp_tasks: checksums differ")
        print(f"RESULT impl=mp workload=cpu processes={processes} items={n} seconds={seconds:.6f} "
              f"rate={n / seconds:.0f} checksum={results[0]:.1f}")


if __name__ == "__main__":
    main()
