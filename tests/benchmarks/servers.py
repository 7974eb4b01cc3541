"""Real servers for the benchmark: gunicorn serving the app (and the bare app) on loopback, a
plain HTTP client that times one request, throughput from several client processes, and
the workers' resident memory read from /proc."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn master and its sync workers on 127.0.0.1:port."""

    def __init__(self, target: str, workers: int, env: dict, log: Path) -> None:
        self.port = free_port()
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--timeout", "120", target],
            cwd=ROOT, env=env, stdout=self._log, stderr=self._log)

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); "
                                   f"see {self._log.name}")
            try:
                status, _, _ = get(self.port, path)
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server on port {self.port} did not answer {path}")

    def workers(self) -> list[int]:
        """The worker processes' ids (the master's children)."""
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    def worker_rss_mb(self) -> list[float]:
        """Each worker's resident memory (VmRSS), in MB."""
        out = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kb = next(int(line.split()[1]) for line in status.splitlines()
                      if line.startswith("VmRSS:"))
            out.append(kb / 1024)
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


@contextmanager
def serving(target: str, workers: int, env: dict, log: Path, ready: str):
    server = Server(target, workers, env, log)
    try:
        server.wait_ready(ready)
        yield server
    finally:
        server.stop()


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    """One GET over a new connection (gunicorn's sync workers close each one)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)  # 500,000 contacts, cold
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, body, dict(response.getheaders())
    finally:
        conn.close()


def timed_get(port: int, path: str, headers: dict | None = None) -> tuple[float, int, int]:
    """Milliseconds from sending the request to the last byte, the status and body size."""
    started = time.perf_counter()
    status, body, _ = get(port, path, headers)
    return (time.perf_counter() - started) * 1000, status, len(body)


def _client(port: int, path: str, seconds: float, out) -> None:
    done, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        status, _, _ = get(port, path)
        done += status == 200
    out.put(done)


def throughput(port: int, path: str, seconds: float, clients: int) -> float:
    """Successful requests per second from `clients` concurrent client processes."""
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_client, args=(port, path, seconds, out))
             for _ in range(clients)]
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def load_average() -> float:
    return os.getloadavg()[0]
