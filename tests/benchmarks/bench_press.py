"""Benchmark: /press under gunicorn (2 workers) against a bare Flask page of the same size.

    .venv/bin/python tests/benchmarks/bench_press.py [--seconds 2] [--rounds 5] [--clients 4]

Builds a throwaway SQLite database with the demo data, serves the real app and a bare Flask
app with gunicorn on localhost, hammers each with the same client processes (a new
connection per request, as gunicorn's sync workers close them) and prints requests/second.
The measurements alternate (bare, /press, /press with the cookie kept) for several short
rounds, and the verdict is the median of the per-round ratios: on a shared machine other
load comes and goes, and back-to-back pairs see nearly the same conditions.
Target: /press at least 60% of the bare page.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

BARE_APP = '''
from flask import Flask
app = Flask(__name__)
BODY = open(__file__.replace("bare_app.py", "body.html"), "rb").read()

@app.route("/")
def index():
    return BODY, 200, {"Content-Type": "text/html; charset=utf-8"}
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, path: str, timeout: float = 20.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not answer {path}")


def fetch(port: int, path: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    assert response.status == 200, response.status
    return response.read()


def _client(port: int, path: str, seconds: float, out, returning: bool) -> None:
    done, end, headers = 0, time.perf_counter() + seconds, {}
    while time.perf_counter() < end:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status == 200:
            done += 1
        cookie = response.getheader("Set-Cookie")
        if returning and cookie:  # a browser that keeps its cookie (no If-None-Match)
            headers = {"Cookie": cookie.split(";", 1)[0]}
        conn.close()
    out.put(done)


def load(port: int, path: str, seconds: float, clients: int, returning: bool = False) -> float:
    """Requests per second with `clients` concurrent client processes."""
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_client,
                                     args=(port, path, seconds, out, returning))
             for _ in range(clients)]
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def gunicorn(target: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         target], cwd=cwd, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per target per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = os.environ | {
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}",
            "LIAISON_INSTANCE": str(tmp / "instance"),
            "SECRET_KEY": "bench-" + "x" * 40,
            "ORG_NAME": "Riverbend Harm Reduction",
        }
        flask = [str(BIN / "flask"), "--app", "app"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        subprocess.run([*flask, "demo"], cwd=ROOT, env=env, check=True, capture_output=True)

        servers = []
        try:
            app_port = free_port()
            servers.append(gunicorn("app:create_app()", app_port, env, ROOT))
            wait_for(app_port, "/press")
            body = fetch(app_port, "/press")
            (tmp / "body.html").write_bytes(body)
            (tmp / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
            bare_port = free_port()
            servers.append(gunicorn("bare_app:app", bare_port, os.environ.copy(), tmp))
            wait_for(bare_port, "/")
            assert len(fetch(bare_port, "/")) == len(body)

            load(app_port, "/press", 1.0, args.clients)  # warm up both
            load(bare_port, "/", 1.0, args.clients)
            rounds = []
            for _ in range(args.rounds):
                rounds.append((
                    load(bare_port, "/", args.seconds, args.clients),
                    load(app_port, "/press", args.seconds, args.clients),
                    load(app_port, "/press", args.seconds, args.clients, returning=True),
                ))
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)

    bare = statistics.median(r[0] for r in rounds)
    press = statistics.median(r[1] for r in rounds)
    returning = statistics.median(r[2] for r in rounds)
    ratio = statistics.median(r[1] / r[0] for r in rounds)
    returning_ratio = statistics.median(r[2] / r[0] for r in rounds)
    print(f"page size: {len(body):,} bytes; gunicorn -w 2; {args.clients} client processes; "
          f"{args.rounds} rounds of {args.seconds:g}s each")
    for i, (b, p, r) in enumerate(rounds, 1):
        print(f"  round {i}: bare {b:6.0f}  /press {p:6.0f} ({p / b:4.0%})  "
              f"returning {r:6.0f} ({r / b:4.0%}) req/s")
    print("medians:")
    print(f"bare Flask page:                  {bare:8.0f} req/s")
    print(f"/press, new visitors (no cookie): {press:8.0f} req/s  ({ratio:.0%} of bare; "
          "target >= 60%)")
    print(f"/press, returning visitors:       {returning:8.0f} req/s  ({returning_ratio:.0%})")
    sys.exit(0 if ratio >= 0.6 else 1)


if __name__ == "__main__":
    main()
