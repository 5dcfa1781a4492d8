"""scripts/mutate: apply each deliberate break of catalogue.toml to a copy of
the repository, build it, run the tests, and report which breaks the suite
caught. See README.md next to this file. Python 3.11+ standard library only."""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CATALOGUE = HERE / "catalogue.toml"

FAILED_CASE = re.compile(r"^Test Case '([^']*)' failed", re.M)
SUITE_END = re.compile(r"^Test Suite '(All tests|Selected tests)' (passed|failed)", re.M)


@dataclass
class Mutation:
    id: str
    what: str
    file: str
    find: str
    replace: str
    filter: list = field(default_factory=list)


@dataclass
class Result:
    mutation: Mutation
    verdict: str  # caught, survived, stale, broken
    detail: str = ""
    failed_tests: list = field(default_factory=list)
    crashed: bool = False
    seconds: float = 0


def load_catalogue():
    with open(CATALOGUE, "rb") as f:
        data = tomllib.load(f)
    mutations, seen = [], set()
    for entry in data.get("mutation", []):
        m = Mutation(**entry)
        if m.id in seen:
            sys.exit(f"mutate: duplicate id {m.id} in {CATALOGUE}")
        seen.add(m.id)
        mutations.append(m)
    return mutations


def log(message):
    print(message, flush=True)


def run(cmd, cwd, timeout, output):
    """Runs cmd in its own process group, output to the file `output`.
    Returns (exit status or None on timeout, the output text)."""
    with open(output, "w") as out:
        process = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            status = None
    return status, Path(output).read_text(errors="replace")


def source_files():
    """Tracked files plus untracked ones not ignored, as in the working tree."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True).stdout.decode()
    return sorted({p for p in listing.split("\0") if p and (REPO / p).is_file()})


def sync(scratch):
    """Makes scratch/src a copy of the working tree. Files whose content is
    unchanged are left alone, so the build there stays incremental."""
    src = scratch / "src"
    src.mkdir(parents=True, exist_ok=True)
    wanted = source_files()
    copied = 0
    for rel in wanted:
        a, b = REPO / rel, src / rel
        if b.is_file() and b.read_bytes() == a.read_bytes():
            continue
        b.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(a, b)
        copied += 1
    keep = set(wanted)
    removed = 0
    for path in src.rglob("*"):
        rel = path.relative_to(src).as_posix()
        if rel.startswith(".build") or not path.is_file():
            continue
        if rel not in keep:
            path.unlink()
            removed += 1
    log(f"mutate: copy in {src}: {copied} files updated, {removed} removed, {len(wanted)} in all")
    return src


def build(src, scratch, timeout):
    return run(["swift", "build", "--build-tests"], src, timeout, scratch / "build.log")


def test(src, scratch, filters, timeout):
    """Runs the tests (those matching `filters`, or all). Returns
    (caught, failed test names, crashed, note)."""
    cmd = ["swift", "test", "--skip-build"]
    for f in filters:
        cmd += ["--filter", f]
    status, text = run(cmd, src, timeout, scratch / "test.log")
    failed = sorted(set(FAILED_CASE.findall(text)))
    if status is None:
        return True, failed, True, f"hung (killed after {timeout}s)"
    if "No matching test cases were run" in text:
        return False, [], False, "no test matched the filter"
    finished = SUITE_END.search(text) is not None
    if status != 0 and not finished:
        return True, failed, True, "the test process did not finish (crashed?)"
    return status != 0, failed, False, ""


def try_mutation(m, src, scratch, args):
    started = time.monotonic()
    path = src / m.file
    if not path.is_file():
        return Result(m, "stale", f"{m.file} does not exist")
    original = path.read_text()
    count = original.count(m.find)
    if count != 1:
        return Result(m, "stale", f"the text to find occurs {count} times in {m.file}, not once")
    path.write_text(original.replace(m.find, m.replace))
    try:
        status, text = build(src, scratch, args.build_timeout)
        if status != 0:
            errors = [line for line in text.splitlines() if "error:" in line][:3]
            return Result(m, "broken", "the mutant does not build: " + " | ".join(errors))
        stages = ([m.filter] if m.filter else []) + ([] if args.filter_only else [[]])
        for filters in stages:
            scope = "filter" if filters else "full suite"
            timeout = args.filter_timeout if filters else args.full_timeout
            caught, failed, crashed, note = test(src, scratch, filters, timeout)
            if caught:
                r = Result(m, "caught", f"by the {scope}" + (f"; {note}" if note else ""), failed, crashed)
                r.seconds = time.monotonic() - started
                return r
            if note:
                log(f"    {scope}: {note}")
        r = Result(m, "survived", "filter only" if args.filter_only else "the full suite passed")
        r.seconds = time.monotonic() - started
        return r
    finally:
        path.write_text(original)


def main():
    parser = argparse.ArgumentParser(description="Mutation catalogue runner (scripts/mutator/README.md).")
    parser.add_argument("--list", action="store_true", help="print the catalogue and exit")
    parser.add_argument("--check", action="store_true",
                        help="only check that every entry's text occurs once in the working tree (no build)")
    parser.add_argument("--only", help="comma-separated ids to run")
    parser.add_argument("--fail-fast", action="store_true", help="stop at the first entry not caught")
    parser.add_argument("--filter-only", action="store_true",
                        help="decide on the filter hint alone (quick; a survivor may be caught by the full suite)")
    parser.add_argument("--scratch", type=Path, default=REPO / ".build-mutate",
                        help="scratch folder (default .build-mutate, gitignored)")
    parser.add_argument("--no-sync", action="store_true", help="use the scratch copy as it is")
    parser.add_argument("--build-timeout", type=int, default=900)
    parser.add_argument("--filter-timeout", type=int, default=240)
    parser.add_argument("--full-timeout", type=int, default=480)
    args = parser.parse_args()

    mutations = load_catalogue()
    if args.list:
        width = max(len(m.id) for m in mutations)
        for m in mutations:
            print(f"{m.id:<{width}}  {m.what}  [{m.file}]")
        print(f"{len(mutations)} mutations")
        return 0
    if args.only:
        wanted = args.only.split(",")
        unknown = [i for i in wanted if i not in {m.id for m in mutations}]
        if unknown:
            sys.exit(f"mutate: unknown id(s): {', '.join(unknown)}")
        mutations = [m for m in mutations if m.id in wanted]

    if args.check:
        stale = 0
        for m in mutations:
            path = REPO / m.file
            count = path.read_text().count(m.find) if path.is_file() else -1
            if count != 1:
                stale += 1
                print(f"STALE {m.id}: " + (f"no file {m.file}" if count < 0 else f"found {count} times in {m.file}"))
        print(f"mutate: {len(mutations) - stale} of {len(mutations)} entries apply")
        return 1 if stale else 0

    scratch = args.scratch.resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    src = scratch / "src" if args.no_sync else sync(scratch)
    log("mutate: building the unmutated copy")
    status, text = build(src, scratch, args.build_timeout)
    if status != 0:
        print(text[-3000:])
        sys.exit("mutate: the unmutated copy does not build")

    results = []
    for index, m in enumerate(mutations, 1):
        log(f"[{index}/{len(mutations)}] {m.id}: {m.what}")
        r = try_mutation(m, src, scratch, args)
        results.append(r)
        mark = r.verdict.upper() + (" (CRASHED the test process)" if r.crashed else "")
        log(f"    {mark}: {r.detail} ({r.seconds:.0f}s)")
        for name in r.failed_tests[:6]:
            log(f"      {name}")
        if len(r.failed_tests) > 6:
            log(f"      ... and {len(r.failed_tests) - 6} more")
        if args.fail_fast and r.verdict != "caught":
            break

    print()
    width = max(len(r.mutation.id) for r in results)
    for r in results:
        verdict = r.verdict + (" (crash)" if r.crashed else "")
        tests = ", ".join(r.failed_tests[:3]) + (" ..." if len(r.failed_tests) > 3 else "")
        print(f"{r.mutation.id:<{width}}  {verdict:<15} {tests or r.detail}")
    bad = [r for r in results if r.verdict != "caught"]
    counts = {v: sum(r.verdict == v for r in results) for v in ("caught", "survived", "stale", "broken")}
    crashed = sum(r.crashed for r in results)
    print(f"mutate: {counts['caught']} caught ({crashed} by a crash or hang), {counts['survived']} survived, "
          f"{counts['stale']} stale, {counts['broken']} broken, of {len(results)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
