"""Load test for POST /v1/summarize on 127.0.0.1 (a command; tests/test_service_ops.py runs a tiny mode).

Two modes:
  closed  `--concurrency C`: C clients post back to back for --duration s; measures the sustainable rate.
  open    `--rate R`: one request every 1/R s for --duration s whatever the server does (arrivals do
          not wait for answers, as real traffic doesn't); checks overload is refused cleanly.
Requests are bounded (--max-requests) and go only to loopback. Without --url it starts its own server
with `python -m service serve` (settings from the environment) and stops it with SIGTERM afterwards.

  python tests/load_test.py --mode closed --concurrency 2 --duration 20
  python tests/load_test.py --mode open --rate 8 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

REPO = Path(__file__).resolve().parents[1]
SEED_PAGE = REPO / "tests" / "fixtures" / "arab-news-page.txt"
# What an overloaded server may answer; anything else (5xx crashes, 4xx on valid input) fails the run.
ALLOWED_STATUSES = {200, 429, 503, 504}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Report:
    mode: str
    sent: int
    elapsed_s: float
    statuses: dict[str, int]
    articles_per_s: float
    latency_ms_p50: float | None
    latency_ms_p95: float | None
    latency_ms_p99: float | None
    rss_mb_before: float | None = None
    rss_mb_after: float | None = None
    ready_after: bool = False
    unexpected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.ready_after and not self.unexpected


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of a process (Linux /proc), the server's own plus nothing else."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


class Tally:
    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.latencies_ms: list[float] = []
        self.articles = 0
        self.unexpected: list[str] = []

    async def post(self, client: httpx.AsyncClient, body: bytes) -> None:
        started = time.perf_counter()
        try:
            response = await client.post("/v1/summarize", content=body, headers={"content-type": "text/plain"})
        except httpx.HTTPError as exc:
            self.statuses[type(exc).__name__] += 1
            self.unexpected.append(f"{type(exc).__name__}: {exc}")
            return
        self.statuses[str(response.status_code)] += 1
        if response.status_code == 200:
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            self.articles += len(response.json()["articles"])
        elif response.status_code not in ALLOWED_STATUSES:
            self.unexpected.append(f"{response.status_code}: {response.text[:200]}")


async def closed_loop(
    client: httpx.AsyncClient, body: bytes, concurrency: int, duration_s: float, limit: int, tally: Tally
) -> int:
    deadline = time.perf_counter() + duration_s
    sent = 0

    async def worker() -> None:
        nonlocal sent
        while time.perf_counter() < deadline and sent < limit:
            sent += 1
            await tally.post(client, body)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sent


async def open_loop(
    client: httpx.AsyncClient, body: bytes, rate: float, duration_s: float, limit: int, tally: Tally
) -> int:
    count = min(int(rate * duration_s), limit)
    started = time.perf_counter()
    tasks = []
    for i in range(count):
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(tally.post(client, body)))
    await asyncio.gather(*tasks)
    return count


async def run_load(
    url: str,
    mode: str,
    duration_s: float,
    rate: float = 1.0,
    concurrency: int = 1,
    max_requests: int = 2_000,
    server_pid: int | None = None,
    body: bytes | None = None,
    request_timeout_s: float = 120.0,
) -> Report:
    host = urlsplit(url).hostname
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"load tests only target loopback, not {host!r}")
    body = body if body is not None else SEED_PAGE.read_bytes()
    tally = Tally()
    limits = httpx.Limits(max_connections=max(concurrency, int(rate * 60) + 1))
    async with httpx.AsyncClient(base_url=url, timeout=request_timeout_s, limits=limits) as client:
        rss_before = rss_mb(server_pid)
        started = time.perf_counter()
        if mode == "closed":
            sent = await closed_loop(client, body, concurrency, duration_s, max_requests, tally)
        else:
            sent = await open_loop(client, body, rate, duration_s, max_requests, tally)
        elapsed = time.perf_counter() - started
        rss_after = rss_mb(server_pid)
        ready = (await client.get("/readyz")).status_code == 200
    return Report(
        mode=mode,
        sent=sent,
        elapsed_s=round(elapsed, 2),
        statuses=dict(tally.statuses),
        articles_per_s=round(tally.articles / elapsed, 2),
        latency_ms_p50=percentile(tally.latencies_ms, 0.50),
        latency_ms_p95=percentile(tally.latencies_ms, 0.95),
        latency_ms_p99=percentile(tally.latencies_ms, 0.99),
        rss_mb_before=rss_before,
        rss_mb_after=rss_after,
        ready_after=ready,
        unexpected=tally.unexpected[:10],
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """The container's entrypoint command, on loopback. Its log goes to a file: a pipe nobody reads
    would fill up and stall the server."""
    with log_path.open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_ready(url: str, process: subprocess.Popen, log_path: Path, timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=10).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"server at {url} not ready after {timeout_s} s")


def stop_server(process: subprocess.Popen, timeout_s: float = 30.0) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout_s)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server on loopback; default: start one")
    parser.add_argument("--server-pid", type=int, help="pid of --url's server, for its RSS")
    parser.add_argument("--mode", choices=["open", "closed"], default="open")
    parser.add_argument("--rate", type=float, default=1.0, help="open mode: requests per second")
    parser.add_argument("--concurrency", type=int, default=2, help="closed mode: clients")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of sending")
    parser.add_argument("--max-requests", type=int, default=2_000)
    parser.add_argument("--page", type=Path, default=SEED_PAGE, help="page posted as text/plain")
    args = parser.parse_args()
    process = None
    url, pid = args.url, args.server_pid
    if url is None:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = Path(tempfile.mkdtemp()) / "server.log"
        process = start_server(port, log_path)
        pid = process.pid
        wait_ready(url, process, log_path)
    try:
        report = asyncio.run(
            run_load(
                url,
                args.mode,
                args.duration,
                args.rate,
                args.concurrency,
                args.max_requests,
                pid,
                args.page.read_bytes(),
            )
        )
    finally:
        if process is not None:
            stop_server(process)
    print(json.dumps(asdict(report), indent=2))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
