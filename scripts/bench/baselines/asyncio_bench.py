"""The "asyncio" baseline of the benchmark suite (issue 7).

    python3 asyncio_bench.py WORKLOAD [SIZE...]

The classic recipe: an asyncio.PriorityQueue of (priority, seq, coroutine)
entries drained by a scheduler coroutine that awaits each coroutine inside
try/except/finally: task_done(), while main awaits queue.join(). A job's
yield is `await asyncio.sleep(0)`. Slots (-j N) are N such scheduler
coroutines draining the same queue.

Each workload does the same work with the same sizes, and measures the same
span with a monotonic wall clock (time.perf_counter), as the prio-lua script
of the same name in scripts/bench/, and prints the same `RESULT key=value`
line. reprio and policy have no asyncio counterpart (a PriorityQueue cannot
reorder its entries) and cpu compares Lua interpreters, so they are absent.

Workloads: yield JOBS | spawn JOBS | latency SECONDS | fanout PARENTS | empty
"""

import asyncio
import itertools
import sys
import time


def priority_of(i):
    return (i * 7919) % 10 + 1


async def scheduler(queue):
    """The recipe's scheduler coroutine: runs the best queued job to its end."""
    while True:
        priority, seq, coro = await queue.get()
        try:
            await coro
        except Exception as error:  # a job fails alone
            print(f"asyncio: job {seq} failed: {error!r}", file=sys.stderr)
        finally:
            queue.task_done()


async def run(queue, slots=1, first=None):
    """main: start the scheduler coroutine(s), await queue.join() (after the
    `first` future, for a job that is put on the queue later)."""
    workers = [asyncio.create_task(scheduler(queue)) for _ in range(slots)]
    if first is not None:
        await first
    await queue.join()
    for worker in workers:
        worker.cancel()


async def bench_yield(n="100000"):
    n = int(n)
    queue = asyncio.PriorityQueue()
    count = 0

    async def body(priority, seq):
        nonlocal count
        for _ in range(10):
            await asyncio.sleep(0)
        count += 1

    t0 = time.perf_counter()
    for i in range(1, n + 1):
        queue.put_nowait((priority_of(i), i, body(priority_of(i), i)))
    await run(queue)
    assert count == n
    print(f"RESULT jobs={n} resumes={n * 11} seconds={time.perf_counter() - t0:.6f}")


async def bench_spawn(n="1000000"):
    n = int(n)
    queue = asyncio.PriorityQueue()
    done = errors = 0
    last_priority, last_id = float("-inf"), 0

    async def body(priority, seq):
        nonlocal done, errors, last_priority, last_id
        if priority < last_priority or (priority == last_priority and seq < last_id):
            errors += 1
        last_priority, last_id = priority, seq
        done += 1

    t0 = time.perf_counter()
    for i in range(1, n + 1):
        p = priority_of(i)
        queue.put_nowait((p, i, body(p, i)))
    t1 = time.perf_counter()
    await run(queue)
    if n:
        assert done == n
        print(f"RESULT jobs={n} seconds={time.perf_counter() - t0:.6f} "
              f"submit_seconds={t1 - t0:.6f} order_errors={errors}")


async def bench_latency(busy_seconds="0.020"):
    """20 jobs that busy-loop busy_seconds without awaiting, and a better job
    put on the queue 5 ms in (call_later): its start delay after it is due."""
    busy_seconds = float(busy_seconds)
    queue = asyncio.PriorityQueue()
    seq = itertools.count(1)
    busy_done = 0
    result = {}

    async def busy():
        nonlocal busy_done
        end = time.perf_counter() + busy_seconds
        while time.perf_counter() < end:
            pass
        busy_done += 1

    async def better():
        result["delay"] = (time.perf_counter() - due) * 1000
        result["busy_done"] = busy_done

    for _ in range(20):
        queue.put_nowait((5, next(seq), busy()))
    loop = asyncio.get_running_loop()
    put = loop.create_future()

    def put_better():
        queue.put_nowait((1, next(seq), better()))
        put.set_result(None)

    due = time.perf_counter() + 0.005
    loop.call_later(0.005, put_better)
    await run(queue, slots=64, first=put)
    print(f"RESULT delay_ms={result['delay']:.3f} busy_done={result['busy_done']}")


async def bench_fanout(n="10000"):
    """Parents put 10 children (priority 0) on the queue and await their
    futures; 64 scheduler coroutines drain the queue (-j 64)."""
    n = int(n)
    queue = asyncio.PriorityQueue()
    seq = itertools.count(1)
    loop = asyncio.get_running_loop()
    parents_done = 0

    async def child(future):
        future.set_result(1)

    async def parent(priority, i):
        nonlocal parents_done
        futures = []
        for _ in range(10):
            future = loop.create_future()
            futures.append(future)
            queue.put_nowait((0, next(seq), child(future)))
        results = await asyncio.gather(*futures)
        if sum(results) != 10:
            raise RuntimeError(f"fanout: children returned {sum(results)}")
        parents_done += 1

    t0 = time.perf_counter()
    for i in range(1, n + 1):
        queue.put_nowait((priority_of(i), next(seq), parent(priority_of(i), i)))
    await run(queue, slots=64)
    assert parents_done == n
    print(f"RESULT parents={n} jobs={n * 11} seconds={time.perf_counter() - t0:.6f}")


async def bench_empty():
    await run(asyncio.PriorityQueue())


WORKLOADS = {
    "yield": bench_yield,
    "spawn": bench_spawn,
    "latency": bench_latency,
    "fanout": bench_fanout,
    "empty": bench_empty,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in WORKLOADS:
        sys.exit(f"usage: asyncio_bench.py {{{'|'.join(WORKLOADS)}}} [SIZE...]")
    asyncio.run(WORKLOADS[sys.argv[1]](*sys.argv[2:]))
