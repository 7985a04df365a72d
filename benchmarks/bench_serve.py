"""Loopback load on ``emoreason serve``: N concurrent clients, latency percentiles, throughput.

The server runs in this process (uvicorn in a thread, 127.0.0.1, a free port); each client is a
thread with its own HTTP connection that uploads the clip to ``POST /analyze`` (the same queue
and worker as the page's jobs) and waits for the result, until ``--requests`` are done or
``--seconds`` have passed (both bounded). Reported: p50 / p95 / max latency per request,
throughput, replies by status. With ``--clients`` at most ``queue_size + 1`` no request may fail
(exit code 1 otherwise). With ``--overload``, a burst of ``queue_size + 4`` simultaneous job
submissions to a second server (fake analysis of 1 s) shows a full queue's 503 + ``Retry-After``.

    .venv/bin/python benchmarks/bench_serve.py                        # fake analyser (no models)
    .venv/bin/python benchmarks/bench_serve.py --analyser rules --clients 2 --requests 6

``fake`` = synthetic evidence + the real rules reasoner: it measures the service itself (upload,
probe, queue, reasoning, JSON). ``rules`` = real perception, models warmed once at start-up.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

os.environ.setdefault("OMP_NUM_THREADS", "2")

from emoreason.serve import ServeConfig, create_app
from emoreason.serve.testing import serve_in_thread, synthetic_analyzers

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT / "examples" / "clips" / "smile_angry_voice.mp4"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def run_clients(url: str, clip: Path, clients: int, requests: int, seconds: float) -> dict:
    """``clients`` threads post the clip until ``requests`` replies or ``seconds`` pass."""
    data = clip.read_bytes()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(base_url=url, timeout=max(seconds, 30)) as http:
            while time.monotonic() < deadline:
                with lock:
                    if issued[0] >= requests:
                        return
                    issued[0] += 1
                started = time.perf_counter()
                try:
                    reply = http.post("/analyze", files={"file": (clip.name, data)})
                    status = reply.status_code
                except httpx.HTTPError as exc:
                    status = 0
                    errors.append(f"{type(exc).__name__}: {exc}")
                elapsed = time.perf_counter() - started
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == 200:
                        latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"latencies": latencies, "statuses": statuses, "errors": errors, "wall": wall}


def overload(clip: Path, queue_size: int, burst: int) -> dict[int, int]:
    """``burst`` simultaneous ``POST /jobs`` to a server whose fake analysis takes 1 s each:
    how many were queued (202) and refused (503)."""
    app = create_app(ServeConfig(queue_size=queue_size), analyzers=synthetic_analyzers(delay=1.0))
    with serve_in_thread(app) as url:
        return _burst(url, clip, burst)


def _burst(url: str, clip: Path, burst: int) -> dict[int, int]:
    data = clip.read_bytes()
    statuses: dict[int, int] = {}
    retry_after: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(burst)

    def submit() -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            barrier.wait()
            reply = http.post("/jobs", files={"file": (clip.name, data)})
            with lock:
                statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
                if reply.status_code == 503:
                    retry_after.append(reply.headers.get("Retry-After", "?"))

    threads = [threading.Thread(target=submit) for _ in range(burst)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses[-1] = len(retry_after) and int(all(r.isdigit() for r in retry_after))
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--analyser", choices=("fake", "rules"), default="fake")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (<= 32)")
    parser.add_argument("--requests", type=int, default=40, help="requests in all (<= 1000)")
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit (<= 600)")
    parser.add_argument("--queue-size", type=int, default=8)
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--overload", action="store_true", help="also a 503 burst (fake)")
    args = parser.parse_args()
    if not (1 <= args.clients <= 32 and 1 <= args.requests <= 1000 and 0 < args.seconds <= 600):
        parser.error("keep the load bounded: clients 1..32, requests 1..1000, seconds <= 600")

    fake = args.analyser == "fake"
    config = ServeConfig(queue_size=args.queue_size, warm=not fake)
    app = create_app(config, analyzers=synthetic_analyzers() if fake else None)
    load = os.getloadavg()[0]
    with serve_in_thread(app) as url:
        warm_started = time.perf_counter()
        while httpx.get(f"{url}/health").json()["queue"]["models"] not in ("ready",):
            state = httpx.get(f"{url}/health").json()["queue"]["models"]
            if state.startswith("warm-up failed") or time.perf_counter() - warm_started > 300:
                print(f"models not ready: {state}", file=sys.stderr)
                return 1
            time.sleep(0.2)
        warm = time.perf_counter() - warm_started
        run = run_clients(url, args.clip, args.clients, args.requests, args.seconds)
        health = httpx.get(f"{url}/health").json()["queue"]
    burst = overload(args.clip, args.queue_size, args.queue_size + 4) if args.overload else None

    lat = run["latencies"]
    failed = sum(n for status, n in run["statuses"].items() if status != 200)
    print(f"analyser {args.analyser}; clip {args.clip.name}; {args.clients} clients; "
          f"queue_size {args.queue_size}; load average before {load:.2f} (2 cores)")  # fmt: skip
    if not fake:
        print(f"warm-up (models load + one analysis) {warm:.1f} s")
    if lat:
        print(
            f"requests ok {len(lat)}, failed {failed}, replies {dict(sorted(run['statuses'].items()))}"
        )
        print(f"latency p50 {percentile(lat, 50) * 1000:.0f} ms, p95 {percentile(lat, 95) * 1000:.0f} ms, "
              f"max {max(lat) * 1000:.0f} ms; mean analysis in the worker {health['mean_seconds']:.3f} s")  # fmt: skip
        print(f"throughput {len(lat) / run['wall']:.2f} requests/s over {run['wall']:.1f} s "
              f"({statistics.mean(lat) * 1000:.0f} ms mean latency)")  # fmt: skip
    for error in run["errors"][:3]:
        print(f"error: {error}")
    if burst is not None:
        print(f"overload burst of {args.queue_size + 4}: accepted {burst.get(202, 0)}, "
              f"refused 503 {burst.get(503, 0)} (Retry-After numeric: {bool(burst.get(-1))})")  # fmt: skip
    below_limit = args.clients <= args.queue_size + 1
    if below_limit and (failed or not lat):
        print("FAILED: requests failed below the queue limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
