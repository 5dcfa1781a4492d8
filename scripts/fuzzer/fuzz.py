#!/usr/bin/env python3
"""scripts/fuzz: a generative fuzzer for prio-lua's job API.

Generates random Lua programs (gen.py), runs each under several modes and
flags crashes, hangs, bad exits and --virtual-time nondeterminism. See
scripts/fuzzer/README.md.
"""

import argparse
import concurrent.futures
import hashlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CRASH_MARKERS = ["PANIC", "Fatal error", "Program crashed", "AddressSanitizer", "Illegal instruction",
                 "Segmentation", "ThreadSanitizer", "UndefinedBehaviorSanitizer", "runtime error:"]
CI_FIXED_SEED = 20240601
SCRIPT = "prog.lua"
TRIES = {"nondeterminism": 3, "crash": 2}  # runs to decide whether a finding reproduces

print_lock = threading.Lock()


def log(*a):
    with print_lock:
        print(*a, flush=True)


# --------------------------------------------------------------------------
# Modes


class Mode:
    def __init__(self, name, flags, pair=False):
        self.name = name
        self.flags = flags
        self.pair = pair  # run twice and compare (virtual time)

    def argv(self, script=SCRIPT):
        # the program's arg[1] tells it it runs in virtual time (its invariant checks depend on it)
        return self.flags + [script] + (["vt"] if "--virtual-time" in self.flags else [])

    def __str__(self):
        return "%s [%s]%s" % (self.name, " ".join(self.flags), " x2" if self.pair else "")


def pick_modes(rng, prog):
    slices = ["0", "1", "2", "5", "10", "20"]
    modes = []
    if prog.vt_only:  # sleeps only the simulated clock gets through
        j = lambda: ["-j", str(rng.randint(1, 4))]
        return [Mode("virtual-time", ["--virtual-time"] + j(), pair=True),
                Mode("sandbox", ["--sandbox", "--virtual-time"] + j(), pair=True),
                Mode("memory-limit", ["--memory-limit", "%dK" % rng.randint(96, 50 * 1024), "--virtual-time"] + j())]
    if not prog.rt_only:
        f = ["--virtual-time"]
        if rng.random() < 0.5:
            f += ["-j", str(rng.randint(1, 4))]
        if rng.random() < 0.3:
            f += ["--slice", rng.choice(slices)]
        modes.append(Mode("virtual-time", f, pair=True))
    modes.append(Mode("real-time", ["-j", str(rng.randint(1, 4)), "--slice", rng.choice(slices)]))
    f = ["--sandbox", "-j", str(rng.randint(1, 4)), "--slice", rng.choice(slices)]
    if not prog.rt_only and rng.random() < 0.4:
        f.append("--virtual-time")
    modes.append(Mode("sandbox", f, pair="--virtual-time" in f))
    # 2M..50M, or tight (a program's prelude needs about 100K)
    mem = "%dM" % rng.randint(2, 50) if rng.random() < 0.5 else "%dK" % rng.randint(96, 1024)
    modes.append(Mode("memory-limit", ["--memory-limit", mem, "-j", str(rng.randint(1, 4)),
                                       "--slice", rng.choice(slices)]))
    return modes


def hang_bound(prog, load):
    # Six seconds, plus three times the summed worst case of its sleeps,
    # spins and timeouts (hooks may add retries), plus a little per job.
    return (6.0 + 3.0 * prog.cost + 0.05 * prog.njobs) * load


# --------------------------------------------------------------------------
# Running one program


class Result:
    def __init__(self, rc, out, err, timed_out, elapsed):
        self.rc, self.out, self.err, self.timed_out, self.elapsed = rc, out, err, timed_out, elapsed

    def status(self):
        if self.timed_out:
            return "killed after %.1fs (no exit)" % self.elapsed
        if self.rc < 0:
            return "killed by signal %d" % -self.rc
        return "exit %d" % self.rc


def run_once(binary, mode, workdir, bound):
    t0 = time.monotonic()
    p = subprocess.Popen([binary] + mode.argv(), cwd=workdir, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    timed_out = False
    try:
        out, err = p.communicate(timeout=bound)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            out, err = b"", b"(output lost)"
    # leftovers of the process group (subprocesses of exec)
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return Result(p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                  timed_out, time.monotonic() - t0)


def norm(s):
    s = re.sub(r"0x[0-9a-fA-F]+", "0x?", s)
    s = re.sub(r"\d+", "N", s)
    return s.strip()[:160]


def crash_signature(r):
    """(class, detail) of a crash in one result, or None."""
    for m in CRASH_MARKERS:
        if m in r.err:
            line = next(l for l in r.err.splitlines() if m in l)
            # the first frame of a Swift backtrace, to tell crashes apart
            frame = ""
            fm = re.search(r"^\s*0\s+0x[0-9a-f]+\s+(.*)$", r.err, re.M)
            if fm:
                frame = re.sub(r"\s\+\s\d+", "", fm.group(1))
                frame = re.sub(r"0x[0-9a-f]+", "", frame).strip()
            return "crash", "%s | %s" % (norm(line), frame[:80])
    if r.rc < 0:
        return "crash", "signal %d" % -r.rc
    if r.rc >= 128:
        return "crash", "exit %d" % r.rc
    return None


HANG_HINTS = [  # constructs that only a timeout or a cancel stops, by the text the generator writes
    ("while true do end\n", "spin loop with timeout"),
    ("string.rep(\"a\", 50)", "catastrophic pattern with timeout"),
    ("__close = function() while true do end end", "spinning __close in own coroutine with timeout"),
    ("function(a, b) while true do end end", "spinning sort comparator with timeout"),
    ("BIG[#BIG + 1]", "huge sleep/delay cancelled by main"),
    ("sleep(1e", "huge sleep with timeout"), ("sleep(2^", "huge sleep with timeout"),
    ("sleep(math.maxinteger)", "huge sleep with timeout"),
]


def hang_hint(text):
    """The first hostile construct the program has (in HANG_HINTS order), to tell hangs apart."""
    for pat, h in HANG_HINTS:
        if pat in text:
            return h
    return "no hostile construct"


def check_one(r, bound, text=""):
    """A finding in one run: (kind, signature, detail) or None."""
    if r.timed_out:
        return "hang", "hang: " + hang_hint(text), "no exit within %.1fs" % bound
    c = crash_signature(r)
    if c:
        return c[0], c[1], r.status()
    v = [l for l in r.out.splitlines() if l.startswith("VIOLATION")]
    if v:
        return "invariant", norm(v[0]), "%s (%d VIOLATION lines)" % (v[0], len(v))
    if r.rc not in (0, 1, 2):
        return "bad-exit", "exit %d" % r.rc, "unexpected exit status %d" % r.rc
    if r.rc in (0, 1) and "MAIN-END" not in r.out:
        return "inconsistent", "exit %d without MAIN-END" % r.rc, \
            "exit %d, but the main chunk never reached its end" % r.rc
    if r.rc == 2 and not r.err.strip():
        return "inconsistent", "exit 2 silently", "exit 2 with nothing on stderr"
    return None


def first_diff(a, b):
    la, lb = a.splitlines(), b.splitlines()
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<end>"
        y = lb[i] if i < len(lb) else "<end>"
        if x != y:
            return i + 1, x, y
    return None


def run_mode(binary, mode, text, workdir, bound, tries=1):
    """Run `text` under `mode`; returns (finding or None, [results])."""
    with open(os.path.join(workdir, SCRIPT), "w") as f:
        f.write(text)
    results = []
    for _ in range(tries):
        r1 = run_once(binary, mode, workdir, bound)
        results = [r1]
        f = check_one(r1, bound, text)
        if f:
            return f, results
        if mode.pair:
            r2 = run_once(binary, mode, workdir, bound)
            results.append(r2)
            f = check_one(r2, bound, text)
            if f:
                return f, results
            # A subprocess takes real time even under --virtual-time (the
            # clock waits for it), so when it ends, relative to other
            # processes and to jobs that compute meanwhile, is the machine's
            # business: programs with exec are checked for crashes and hangs only.
            real_time_work = "exec(" in text
            if not real_time_work and (r1.rc, r1.out, r1.err) != (r2.rc, r2.out, r2.err):
                if r1.rc != r2.rc:
                    where, d = "exit status", (0, str(r1.rc), str(r2.rc))
                elif r1.out != r2.out:
                    where, d = "stdout", first_diff(r1.out, r2.out)
                else:
                    where, d = "stderr", first_diff(r1.err, r2.err)
                detail = "%s differs at line %d:\n  run 1: %s\n  run 2: %s" % (where, d[0], d[1], d[2])
                # quoted names collapse, so that one cause is one signature
                a, b = (re.sub(r"'[^']*'", "'?'", norm(x)) for x in d[1:])
                return ("nondeterminism", "%s: %s | %s" % (where, a, b), detail), results
    return None, results


# --------------------------------------------------------------------------
# Reduction


def reduce_program(binary, prog, mode, finding, workdir, bound, budget):
    """Drop statements while the same kind of finding reproduces."""
    kind, sig = finding[0], finding[1]
    deadline = time.monotonic() + budget
    tries = TRIES.get(kind, 1)
    tests = [0]

    def same(f):
        if not f or f[0] != kind:
            return False
        if kind == "crash":  # same class of crash (its marker line or signal)
            return f[1].split(" | ")[0] == sig.split(" | ")[0]
        if kind in ("invariant", "bad-exit", "inconsistent"):
            return f[1] == sig
        return True

    if kind == "hang":  # each try waits out the bound: a shorter one will do
        bound = max(5.0, 0.6 * bound)

    def still():
        tests[0] += 1
        f, _ = run_mode(binary, mode, prog.render(), workdir, bound, tries=tries)
        return same(f)

    changed = True
    while changed and time.monotonic() < deadline:
        changed = False
        cands = prog.removable()
        chunk = max(1, len(cands) // 2)
        while chunk >= 1 and time.monotonic() < deadline:
            i = 0
            while i < len(cands) and time.monotonic() < deadline:
                sub = cands[i:i + chunk]
                for s in sub:
                    s.enabled = False
                if still():
                    changed = True
                    cands = prog.removable()
                else:
                    for s in sub:
                        s.enabled = True
                    i += chunk
            chunk //= 2
    return prog.render(), tests[0]


# --------------------------------------------------------------------------
# The fuzzing loop


class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.passed = 0
        self.failed = 0
        self.findings = []  # dicts
        self.sigs = {}  # signature -> finding dir
        self.lock = threading.Lock()
        self.counter = 0
        self.load = 1.5 if args.jobs > 1 else 1.0
        self.exits = {}
        self.ignored = 0
        self.sig_count = {}
        self.luac = shutil.which("luac5.4") or shutil.which("luac")
        self.gen_errors = 0

    def record(self, seed, k, prog, mode, finding, results, workdir):
        kind, sig, detail = finding
        key = (kind, sig)
        ignored = any(x in "%s: %s" % (kind, sig) for x in self.args.ignore)
        with self.lock:
            if ignored:
                self.ignored += 1
                return
            self.failed += 1
            self.sig_count[key] = self.sig_count.get(key, 0) + 1
            if self.sig_count[key] > 3:  # counted, not saved again
                return
            new = key not in self.sigs
            name = "%s-%d-%s-%s" % (seed, k, kind, hashlib.sha1(repr(key).encode()).hexdigest()[:8])
            d = os.path.join(self.args.out, name)
            if new:
                self.sigs[key] = d
            entry = {"dir": d, "kind": kind, "sig": sig, "seed": seed, "k": k, "mode": str(mode),
                     "dup_of": None if new else self.sigs[key]}
            self.findings.append(entry)
        os.makedirs(d, exist_ok=True)
        text = prog.render()
        with open(os.path.join(d, "program.lua"), "w") as f:
            f.write(text)
        with open(os.path.join(d, "mode.txt"), "w") as f:
            f.write("%s\nflags: %s\nseed: %s program: %d\n" % (mode, " ".join(mode.flags), seed, k))
        with open(os.path.join(d, "finding.txt"), "w") as f:
            f.write("%s: %s\n%s\n" % (kind, sig, detail))
            for i, r in enumerate(results):
                f.write("run %d: %s after %.2fs\n" % (i + 1, r.status(), r.elapsed))
        for i, r in enumerate(results):
            sfx = "" if len(results) == 1 else ".%d" % (i + 1)
            with open(os.path.join(d, "stdout%s.txt" % sfx), "w") as f:
                f.write(r.out)
            with open(os.path.join(d, "stderr%s.txt" % sfx), "w") as f:
                f.write(r.err)
        binary = os.path.abspath(self.args.binary)
        replay = "cd %s && %s %s" % (shlex.quote(d), shlex.quote(binary), " ".join(mode.argv("program.lua")))
        log("FINDING %s (%s) seed=%s program=%d mode=%s\n  %s\n  saved in %s%s" % (
            kind, sig, seed, k, mode, detail.replace("\n", "\n  "), d,
            "" if new else " (same signature as %s)" % entry["dup_of"]))
        bound = hang_bound(prog, self.load)
        flaky = False
        if new and not self.args.no_reduce:
            f0, _ = run_mode(self.args.binary, mode, text, workdir, bound, tries=TRIES.get(kind, 1) + 1)
            if not f0 or f0[0] != kind:
                flaky = True
                entry["flaky"] = True
                log("  did not reproduce in %d more runs: flaky, not reduced" % (TRIES.get(kind, 1) + 1))
        if new and not flaky and not self.args.no_reduce and self.reductions_left():
            budget = self.args.reduce_seconds
            rtext, ntests = reduce_program(self.args.binary, prog, mode, finding, workdir, bound, budget)
            with open(os.path.join(d, "repro.lua"), "w") as f:
                f.write(rtext)
            f2, res2 = run_mode(self.args.binary, mode, rtext, workdir, bound, tries=TRIES.get(kind, 1))
            for i, r in enumerate(res2):
                sfx = "" if len(res2) == 1 else ".%d" % (i + 1)
                with open(os.path.join(d, "repro.stdout%s.txt" % sfx), "w") as f:
                    f.write(r.out)
                with open(os.path.join(d, "repro.stderr%s.txt" % sfx), "w") as f:
                    f.write(r.err)
            replay = "cd %s && %s %s" % (shlex.quote(d), shlex.quote(binary), " ".join(mode.argv("repro.lua")))
            entry["repro"] = os.path.join(d, "repro.lua")
            log("  reduced to %d lines in %d runs (%s): %s" % (
                rtext.count("\n"), ntests, "reproduces" if f2 else "no longer reproduces", entry["repro"]))
        entry["replay"] = replay
        with open(os.path.join(d, "replay.sh"), "w") as f:
            f.write("#!/bin/sh\n# %s\n%s%s\n" % (kind, replay, "  # run twice and compare" if mode.pair else ""))

    def reductions_left(self):
        with self.lock:
            self.args.max_reductions -= 1
            return self.args.max_reductions >= 0

    def one_program(self, seed, k, workdir):
        label = "%s:%d" % (seed, k)
        prog = gen.generate(label, hostile=not self.args.tame)
        rng = __import__("random").Random(label + ":modes")
        modes = pick_modes(rng, prog)
        bound = hang_bound(prog, self.load)
        if self.luac:  # a program that does not even compile is the generator's bug
            c = subprocess.run([self.luac, "-p", "-"], input=prog.render().encode(), capture_output=True)
            if c.returncode != 0:
                with self.lock:
                    self.gen_errors += 1
                log("fuzz: generator produced a program that does not compile (seed %s program %d): %s"
                    % (seed, k, c.stderr.decode(errors="replace").strip()))
                return
        if self.args.verbose:
            log("program %s: %d lines, cost %.2fs, %d jobs, modes: %s" % (
                label, prog.render().count("\n"), prog.cost, prog.njobs, "; ".join(map(str, modes))))
        for mode in modes:
            f, results = run_mode(self.args.binary, mode, prog.render(), workdir, bound)
            if f:
                self.record(seed, k, prog, mode, f, results, workdir)
                prog = gen.generate(label, hostile=not self.args.tame)  # reduction edits it
            else:
                with self.lock:
                    self.passed += 1
            with self.lock:
                for r in results:
                    key = "killed" if r.timed_out else str(r.rc)
                    self.exits[key] = self.exits.get(key, 0) + 1

    def next_index(self):
        with self.lock:
            k = self.counter
            self.counter += 1
            return k

    def run_phase(self, seed, seconds, only=None):
        deadline = time.monotonic() + seconds
        self.counter = 0

        def worker():
            workdir = tempfile.mkdtemp(prefix="prio-fuzz-")
            try:
                while time.monotonic() < deadline:
                    k = self.next_index()
                    if only is not None:
                        if k > 0:
                            return
                        k = only
                    self.one_program(seed, k, workdir)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)

        n = 1 if only is not None else self.args.jobs
        with concurrent.futures.ThreadPoolExecutor(n) as ex:
            for fut in [ex.submit(worker) for _ in range(n)]:
                fut.result()


def main():
    ap = argparse.ArgumentParser(prog="scripts/fuzz", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=None,
                    help="how long to generate programs (default 60; 90 in all with --ci)")
    ap.add_argument("--seed", default=None, help="run seed (default: time-based, printed)")
    ap.add_argument("--binary", default=os.path.join(REPO, ".build/debug/prio-lua"))
    ap.add_argument("--out", default="/tmp/prio-fuzz-findings", help="findings folder")
    ap.add_argument("--ci", action="store_true",
                    help="CI run: a fixed seed, then a time-based one, about 90 s in all")
    ap.add_argument("--jobs", type=int, default=1, choices=[1, 2], help="programs run at once (1 or 2)")
    ap.add_argument("--only", type=int, default=None, help="run only program K of --seed (replay)")
    ap.add_argument("--print", dest="print_k", type=int, default=None,
                    help="print program K of --seed and its modes, and exit")
    ap.add_argument("--no-reduce", action="store_true", help="do not reduce findings")
    ap.add_argument("--reduce-seconds", type=float, default=None,
                    help="time budget to reduce one finding (default 90; 25 with --ci)")
    ap.add_argument("--max-reductions", type=int, default=None,
                    help="reduce at most this many distinct findings (default 20; 3 with --ci)")
    ap.add_argument("--tame", action="store_true",
                    help="leave out the hostile constructs (huge sleeps, many return values, "
                         "code only a timeout can stop)")
    ap.add_argument("--ignore", action="append", default=[], metavar="TEXT",
                    help="do not count findings whose 'kind: signature' contains TEXT (a known bug); repeatable")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    if args.reduce_seconds is None:
        args.reduce_seconds = 25 if args.ci else 90
    if args.max_reductions is None:
        args.max_reductions = 3 if args.ci else 20

    if args.print_k is not None:
        seed = args.seed if args.seed is not None else "0"
        label = "%s:%d" % (seed, args.print_k)
        prog = gen.generate(label, hostile=not args.tame)
        sys.stdout.write(prog.render())
        modes = pick_modes(__import__("random").Random(label + ":modes"), prog)
        print("-- modes: " + "; ".join(map(str, modes)))
        print("-- hang bound: %.1fs" % hang_bound(prog, 1.0))
        return 0

    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        print("scripts/fuzz: no executable binary at %s (build it, or pass --binary)" % args.binary,
              file=sys.stderr)
        return 2
    args.binary = os.path.abspath(args.binary)
    os.makedirs(args.out, exist_ok=True)

    fz = Fuzzer(args)
    phases = []
    if args.ci:
        total = args.seconds if args.seconds is not None else 90
        tseed = str(int(time.time()))
        phases = [(str(CI_FIXED_SEED), total / 2), (tseed, total / 2)]
    else:
        phases = [(args.seed if args.seed is not None else str(int(time.time())),
                   args.seconds if args.seconds is not None else 60)]
    binary_q = shlex.quote(args.binary)
    for seed, secs in phases:
        if args.only is not None:
            log("fuzz: replaying program %d of seed %s against %s" % (args.only, seed, args.binary))
        else:
            log("fuzz: seed %s for %.0fs against %s (replay: scripts/fuzz --seed %s --seconds %.0f --binary %s)"
                % (seed, secs, args.binary, seed, secs, binary_q))
        fz.run_phase(seed, secs, only=args.only)

    if fz.findings:
        log("")
        log("fuzz: findings (in %s):" % args.out)
        for e in fz.findings:
            if e["dup_of"]:
                continue
            dups = fz.sig_count[(e["kind"], e["sig"])] - 1
            log("  %s: %s%s%s" % (e["kind"], e["sig"], " (and %d more like it)" % dups if dups else "",
                                  " [flaky]" if e.get("flaky") else ""))
            log("    program %d of seed %s, mode %s" % (e["k"], e["seed"], e["mode"]))
            log("    repro: %s" % e.get("repro", os.path.join(e["dir"], "program.lua")))
            log("    replay: %s" % e["replay"])
            log("    regenerate: scripts/fuzz --seed %s --only %d --binary %s" % (e["seed"], e["k"], binary_q))
    log("fuzz: runs by exit status: " + ", ".join("%s: %d" % kv for kv in sorted(fz.exits.items())))
    if fz.gen_errors:
        log("fuzz: %d generated programs did not compile (a generator bug; skipped)" % fz.gen_errors)
    if fz.ignored:
        log("fuzz: %d runs had findings matching --ignore" % fz.ignored)
    log("fuzz: %d passed, %d failed" % (fz.passed, fz.failed))
    return 1 if fz.failed else 0


if __name__ == "__main__":
    sys.exit(main())
