"""Which PostgreSQL-backed queue: procrastinate or pgqueuer, measured the way this app uses one.

Run in a scratch venv that has both (`pip install procrastinate==3.10.0 pgqueuer==1.6.0
psycopg[binary]`), against an empty database:

    python bench/jobs_queue.py postgresql://user:pw@127.0.0.1:54329/scratch 500

For each: N jobs enqueued one by one from plain synchronous code (what a Flask request does),
the time one worker takes to run them all (a no-op task), and the delay from enqueue to
start of one job given to an idle worker (LISTEN/NOTIFY). Results: bench/JOBS.md.
"""

from __future__ import annotations

import asyncio
import sys
import time

URL, N = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 500


def procrastinate_run() -> None:
    import procrastinate

    queue = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=URL))
    done: list[float] = []

    @queue.task(name="noop")
    def noop(at: float) -> None:
        done.append(time.time() - at)

    with queue.open():
        try:
            queue.schema_manager.apply_schema()
        except Exception:  # already there
            pass
        t = time.perf_counter()
        for _ in range(N):
            noop.defer(at=time.time())
        enqueue = time.perf_counter() - t

    async def work() -> tuple[float, float]:
        async with queue.open_async():
            t = time.perf_counter()
            worker = asyncio.create_task(queue.run_worker_async(concurrency=1, install_signal_handlers=False))
            while len(done) < N:
                await asyncio.sleep(0.01)
            drain = time.perf_counter() - t
            await asyncio.sleep(1)
            await noop.defer_async(at=time.time())
            while len(done) < N + 1:
                await asyncio.sleep(0.005)
            worker.cancel()
            return drain, done[-1]

    drain, latency = asyncio.run(work())
    print(f"procrastinate: enqueue {enqueue / N * 1000:.1f} ms each; {N} jobs run in {drain:.1f} s; "
          f"idle pickup {latency * 1000:.0f} ms")


def pgqueuer_run() -> None:
    import psycopg
    from pgqueuer import PgQueuer
    from pgqueuer.db import PsycopgDriver, SyncPsycopgDriver
    from pgqueuer.models import Job
    from pgqueuer.queries import Queries, SyncQueries

    async def main() -> None:
        conn = await psycopg.AsyncConnection.connect(URL, autocommit=True)
        try:
            await Queries(PsycopgDriver(conn)).install()
        except Exception:  # already there
            pass
        sync = SyncQueries(SyncPsycopgDriver(psycopg.connect(URL, autocommit=True)))
        t = time.perf_counter()
        for _ in range(N):
            sync.enqueue("noop", str(time.time()).encode())
        enqueue = time.perf_counter() - t
        pgq = PgQueuer(PsycopgDriver(conn))
        done: list[float] = []

        @pgq.entrypoint("noop")
        async def noop(job: Job) -> None:  # a synchronous task would need asyncio.to_thread
            done.append(time.time() - float(job.payload))
            if len(done) == N + 1:
                pgq.shutdown.set()

        async def watch() -> None:
            t = time.perf_counter()
            while len(done) < N:
                await asyncio.sleep(0.01)
            drain = time.perf_counter() - t
            await asyncio.sleep(1)
            sync.enqueue("noop", str(time.time()).encode())
            while len(done) < N + 1:
                await asyncio.sleep(0.005)
            print(f"pgqueuer: enqueue {enqueue / N * 1000:.1f} ms each; {N} jobs run in {drain:.1f} s; "
                  f"idle pickup {done[-1] * 1000:.0f} ms")

        watcher = asyncio.create_task(watch())
        await pgq.run(batch_size=10)
        await watcher

    asyncio.run(main())


if __name__ == "__main__":
    procrastinate_run()
    pgqueuer_run()
