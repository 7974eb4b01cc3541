"""`make bench`: every main page timed at target scale, against budgets.

    .venv/bin/python -m tests.benchmarks.bench [--scale 50000] [--database-url URL]
        [--rounds 25] [--only pages,throughput,feed,import] [--json PATH]
        [--compare OTHER.json] [--markdown] [--rebuild]

1. Builds the target-scale database once (`flask demo` + `flask demo --scale N`, cached in
   instance/bench/ by migration head; tests/benchmarks/scale_db.py).
2. Serves it with gunicorn (one sync worker) beside a bare Flask app (bare_app.py) and times
   every page in PAGES (pages.py) signed in as an admin or anonymously, each request right
   after a bare page of the same size: on a machine shared with other work, load comes and
   goes, and back-to-back pairs see the same load. "x bare" is the median of the per-round
   ratios. A page over budget is measured once more before it counts as failing (noise).
3. Throughput of /press and /tours under gunicorn with 2 workers against the bare page,
   several client processes, alternating short rounds.
4. Each worker's resident memory after its run.
5. The public feed with 5,000 events (feed.py); with `--only import`, a 10,000-row CSV import
   (imports.py).

Prints a table, writes JSON (instance/bench/latest.json unless --json), and exits 1 when a
budget in BUDGETS fails (2 when something could not be measured).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks import scale_db
from tests.benchmarks.pages import IDS, PAGES, Page
from tests.benchmarks.servers import ROOT, get, load_average, serving, throughput, timed_get

SECRET = "bench-secret-" + "x" * 40

# The targets (issue 12). Fix what misses one; never the number.
BUDGETS = {
    "signed_in_p95_ms": 50.0,      # every signed-in page's p95
    "signed_in_x_bare": 15.0,      # ... and its median at most this many bare pages
    "public_x_bare": 3.0,          # public pages' median against the bare page
    "throughput_share": 0.75,      # /press and /tours requests/s as a share of the bare page's
    "feed_5000_ms": 50.0,          # the public feed with 5,000 events, p95
    "worker_rss_mb": 150.0,        # one gunicorn worker, resident, after its run
    "import_10000_s": 10.0,        # upload + confirm of 10,000 CSV rows
}
SECTIONS = ("pages", "throughput", "feed", "import")
DEFAULT_SECTIONS = ("pages", "throughput", "feed")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(round(len(ordered) * q) - 1, 0)]


# --- setting up ---------------------------------------------------------------------------


def _prepare(url: str) -> tuple[list[tuple[Page, list[str]]], list[dict], str]:
    """Fill each page's URLs from the data; skip pages this app or data hasn't got. Returns
    the pages, the skipped ones and a signed-in admin's session cookie."""
    from sqlalchemy import text
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    from app import create_app
    from app.auth.models import Role, User
    from app.extensions import db
    from tests.conftest import sign_in

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET,
                      "INSTANCE_PATH": str(scale_db.CACHE / "instance")})
    ready, skipped = [], []
    with app.app_context():
        ids = {}
        for name, sql in IDS.items():
            try:
                ids[name] = db.session.execute(text(sql)).scalar()
            except Exception:  # a column a later branch adds: that page is skipped
                db.session.rollback()
                ids[name] = None
        adapter = app.url_map.bind("localhost")
        for page in PAGES:
            try:
                adapter.match(re.sub(r"\{\w+\}", "1", page.rule_path), method="GET")
            except (NotFound, MethodNotAllowed):
                skipped.append({"page": page.name, "why": "no such page in this app"})
                continue
            except Exception:  # noqa: S110  (a redirect or converter mismatch: it exists)
                pass
            missing = [k for k in ids if "{" + k + "}" in page.urls[0] and ids[k] is None]
            if missing:
                skipped.append({"page": page.name, "why": f"no {missing[0]} in the data"})
                continue
            ready.append((page, [u.format(**ids) for u in page.urls]))
        admin = db.session.scalars(db.select(User).where(
            User.email == scale_db.ADMIN_EMAIL, User.role == Role.admin)).one()
        client = app.test_client()
        sign_in(client, admin)
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        db.session.remove()
        db.engine.dispose()
    return ready, skipped, f"{cookie.key}={cookie.value}"


# --- measuring ------------------------------------------------------------------------------


def _headers(page: Page, cookie: str) -> dict:
    headers = {} if page.public else {"Cookie": cookie}
    if page.fragment:
        headers["HX-Request"] = "true"
    return headers


def measure_pages(pages, cookie, app_port, bare_port, rounds) -> dict[str, dict]:
    """Each page `rounds` times, each request right after the bare page of its size."""
    sizes, results = {}, {}
    for page, urls in pages:  # warm up both servers; learn each page's size
        for url in urls:
            _, status, size = timed_get(app_port, url, _headers(page, cookie))
            if status != 200:
                raise SystemExit(f"{page.name}: {url} answered {status}")
        sizes[page.name] = size
        timed_get(bare_port, f"/bare/{size}", _headers(page, cookie))
    samples = {page.name: ([], []) for page, _ in pages}
    for r in range(rounds):
        for page, urls in pages:
            headers = _headers(page, cookie)
            bare_ms, _, _ = timed_get(bare_port, f"/bare/{sizes[page.name]}", headers)
            ms, status, _ = timed_get(app_port, urls[r % len(urls)], headers)
            assert status == 200, (page.name, status)
            samples[page.name][0].append(ms)
            samples[page.name][1].append(bare_ms)
    for page, urls in pages:
        times, bare = samples[page.name]
        results[page.name] = {
            "url": urls[0], "public": page.public, "bytes": sizes[page.name],
            "p50_ms": statistics.median(times), "p95_ms": percentile(times, 0.95),
            "bare_p50_ms": statistics.median(bare),
            "x_bare": statistics.median(t / b for t, b in zip(times, bare, strict=True)),
        }
    return results


def page_failures(name: str, result: dict) -> list[str]:
    if result["public"]:
        return ([f"{name}: {result['x_bare']:.1f}x bare > {BUDGETS['public_x_bare']}x"]
                if result["x_bare"] > BUDGETS["public_x_bare"] else [])
    out = []
    if result["p95_ms"] > BUDGETS["signed_in_p95_ms"]:
        out.append(f"{name}: p95 {result['p95_ms']:.0f} ms > {BUDGETS['signed_in_p95_ms']:.0f} ms")
    if result["x_bare"] > BUDGETS["signed_in_x_bare"]:
        out.append(f"{name}: {result['x_bare']:.1f}x bare > {BUDGETS['signed_in_x_bare']}x")
    return out


def run_pages(url, args, env, report, say) -> None:
    pages, skipped, cookie = _prepare(url)
    report["skipped"] = skipped
    log = scale_db.CACHE / "servers.log"
    with serving("app:create_app()", 1, env, log, "/healthz") as app_server, \
            serving("tests.benchmarks.bare_app:app", 1, env, log, "/bare/100") as bare_server:
        say(f"pages: {len(pages)} pages x {args.rounds} rounds, each after a bare page ...")
        results = measure_pages(pages, cookie, app_server.port, bare_server.port, args.rounds)
        again = [(p, u) for p, u in pages if page_failures(p.name, results[p.name])]
        if again:
            say(f"pages: measuring {len(again)} over budget again (the machine is shared) ...")
            for name, result in measure_pages(again, cookie, app_server.port,
                                              bare_server.port, args.rounds).items():
                result["first_try"] = {k: results[name][k] for k in ("p50_ms", "p95_ms",
                                                                       "x_bare")}
                results[name] = result
        report["pages"] = results
        report["rss_mb"]["one worker after every page"] = max(app_server.worker_rss_mb())
        # The public feed's caching: an unchanged feed answers 304 to its ETag, strong or weak.
        _, _, headers = get(app_server.port, "/calendar/public.ics")
        etag = headers.get("ETag", "")
        statuses = {}
        for kind, value in (("strong", etag), ("weak", "W/" + etag.removeprefix("W/"))):
            _, status, _ = timed_get(app_server.port, "/calendar/public.ics",
                                     {"If-None-Match": value})
            statuses[kind] = status
        report["public_feed_304"] = statuses


def run_throughput(url, args, env, report, say) -> None:
    log = scale_db.CACHE / "servers.log"
    results = {}
    with serving("app:create_app()", 2, env, log, "/healthz") as app_server, \
            serving("tests.benchmarks.bare_app:app", 2, env, log, "/bare/100") as bare_server:
        for path in ("/press", "/tours"):
            _, status, size = timed_get(app_server.port, path)
            assert status == 200, (path, status)
            bare = f"/bare/{size}"
            throughput(app_server.port, path, 1.0, args.clients)  # warm up
            throughput(bare_server.port, bare, 1.0, args.clients)
            rounds = []
            say(f"throughput: {path} against the bare page, {args.throughput_rounds} rounds of "
                f"{args.seconds:g} s, {args.clients} clients ...")
            for _ in range(args.throughput_rounds):
                b = throughput(bare_server.port, bare, args.seconds, args.clients)
                a = throughput(app_server.port, path, args.seconds, args.clients)
                rounds.append((a, b))
            results[path] = {
                "bytes": size, "rps": statistics.median(a for a, _ in rounds),
                "bare_rps": statistics.median(b for _, b in rounds),
                "share": statistics.median(a / b for a, b in rounds),
                "rounds": [{"rps": a, "bare_rps": b} for a, b in rounds],
            }
        report["rss_mb"]["two workers after throughput"] = max(app_server.worker_rss_mb())
    report["throughput"] = results


# --- reporting ------------------------------------------------------------------------------


def checks(report: dict) -> list[dict]:
    """Every budget that this run measured, with its verdict."""
    out = []
    for name, r in report.get("pages", {}).items():
        fails = page_failures(name, r)
        out.append({"what": name, "ok": not fails, "why": "; ".join(fails)})
    if "public_feed_304" in report:
        ok = all(s == 304 for s in report["public_feed_304"].values())
        out.append({"what": "public feed unchanged → 304 (strong and weak ETag)", "ok": ok,
                    "why": "" if ok else str(report["public_feed_304"])})
    for path, r in report.get("throughput", {}).items():
        ok = r["share"] >= BUDGETS["throughput_share"]
        out.append({"what": f"{path} throughput", "ok": ok,
                    "why": "" if ok else f"{r['share']:.0%} of bare < "
                                         f"{BUDGETS['throughput_share']:.0%}"})
    if "feed" in report:
        f = report["feed"]
        ok = f["p95_ms"] <= BUDGETS["feed_5000_ms"] and f["strong_etag_status"] == 304 \
            and f["weak_etag_status"] == 304
        out.append({"what": "public feed, 5,000 events", "ok": ok,
                    "why": "" if ok else f"p95 {f['p95_ms']:.0f} ms, 304s "
                                         f"{f['strong_etag_status']}/{f['weak_etag_status']}"})
    for what, mb in report.get("rss_mb", {}).items():
        ok = mb <= BUDGETS["worker_rss_mb"]
        out.append({"what": f"worker memory ({what})", "ok": ok,
                    "why": "" if ok else f"{mb:.0f} MB > {BUDGETS['worker_rss_mb']:.0f} MB"})
    if "import" in report:
        seconds = report["import"]["upload_and_confirm_s"]
        ok = seconds <= BUDGETS["import_10000_s"]
        out.append({"what": "import 10,000 rows", "ok": ok,
                    "why": "" if ok else f"{seconds:.1f} s > {BUDGETS['import_10000_s']:.0f} s"})
    return out


def table(report: dict, markdown: bool = False) -> str:
    head = ("page", "p50 ms", "p95 ms", "x bare", "KB", "")
    rows = []
    for name, r in report.get("pages", {}).items():
        mark = "" if not page_failures(name, r) else "OVER"
        rows.append((name + (" (public)" if r["public"] else ""), f"{r['p50_ms']:.1f}",
                     f"{r['p95_ms']:.1f}", f"{r['x_bare']:.1f}", f"{r['bytes'] / 1024:.0f}",
                     mark))
    for path, r in report.get("throughput", {}).items():
        rows.append((f"{path} req/s, 2 workers", f"{r['rps']:.0f}", "",
                     f"{r['share']:.0%} of {r['bare_rps']:.0f}", f"{r['bytes'] / 1024:.0f}",
                     "" if r["share"] >= BUDGETS["throughput_share"] else "UNDER"))
    if "feed" in report:
        f = report["feed"]
        rows.append(("public feed, 5,000 events", f"{f['p50_ms']:.1f}", f"{f['p95_ms']:.1f}",
                     "", f"{f['bytes'] / 1024:.0f}",
                     "" if f["p95_ms"] <= BUDGETS["feed_5000_ms"] else "OVER"))
    for what, mb in report.get("rss_mb", {}).items():
        rows.append((f"RSS, {what}", f"{mb:.0f} MB", "", "", "",
                     "" if mb <= BUDGETS["worker_rss_mb"] else "OVER"))
    if markdown:
        lines = ["| " + " | ".join(head[:-1]) + " |", "|" + " --- |" * (len(head) - 1)]
        lines += ["| " + " | ".join(r[:-1]) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join(fmt.format(*r) for r in [head, *rows])


def compare(report: dict, other: dict) -> str:
    """How each page's median grew from `other` (e.g. 50k SQLite) to this run."""
    lines = [f"growth from {other['database']} at {other['scale']:,} to {report['database']} at "
             f"{report['scale']:,} contacts (median, and x bare):"]
    for name, r in report.get("pages", {}).items():
        o = other.get("pages", {}).get(name)
        if o:
            lines.append(f"  {name:32} {o['p50_ms']:7.1f} → {r['p50_ms']:7.1f} ms "
                         f"(x{r['p50_ms'] / o['p50_ms']:.2f}); x bare {o['x_bare']:.1f} → "
                         f"{r['x_bare']:.1f}")
    return "\n".join(lines)


def _machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    import os

    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "system": platform.platform()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50_000, help="contacts (default 50,000)")
    parser.add_argument("--database-url", help="a PostgreSQL URL to build and measure in "
                        "(emptied first); default: SQLite in instance/bench/")
    parser.add_argument("--rounds", type=int, default=25, help="timed requests per page")
    parser.add_argument("--seconds", type=float, default=2.0, help="per throughput round")
    parser.add_argument("--throughput-rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4, help="throughput client processes")
    parser.add_argument("--only", default=",".join(DEFAULT_SECTIONS),
                        help=f"sections, of {', '.join(SECTIONS)}")
    parser.add_argument("--json", type=Path, default=scale_db.CACHE / "latest.json")
    parser.add_argument("--compare", type=Path, help="an earlier run's JSON: print growth")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")

    def say(line: str) -> None:
        print(line, flush=True)

    started = time.time()
    report: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": _machine(),
        "database": "postgresql" if args.database_url else "sqlite", "scale": args.scale,
        "rounds": args.rounds, "budgets": BUDGETS, "load_average_start": load_average(),
        "rss_mb": {},
    }
    if {"pages", "throughput"} & set(sections):
        url = scale_db.ensure(args.scale, args.database_url, SECRET, args.rebuild, say)
        env = scale_db.flask_env(url, scale_db.CACHE / "instance", SECRET)
        report["migration_head"] = scale_db.migration_head()
        if "pages" in sections:
            run_pages(url, args, env, report, say)
        if "throughput" in sections:
            run_throughput(url, args, env, report, say)
    if "feed" in sections:
        from tests.benchmarks import feed

        say(f"feed: {feed.N:,} public events ...")
        report["feed"] = feed.run(max(args.rounds, 10), SECRET)
    if "import" in sections:
        from tests.benchmarks import imports

        say("import: 10,000 rows onto 5,000 contacts ...")
        report["import"] = imports.run(10_000, 5_000, SECRET, say)
    report["load_average_end"] = load_average()
    report["seconds"] = round(time.time() - started)
    verdicts = checks(report)
    report["checks"] = verdicts

    print()
    print(f"{report['database']}, {args.scale:,} contacts, {report['machine']['cores']} cores "
          f"({report['machine']['cpu']}), load average {report['load_average_start']:.1f} → "
          f"{report['load_average_end']:.1f}, {report['date']}")
    print(table(report, markdown=args.markdown))
    for s in report.get("skipped", []):
        print(f"skipped {s['page']}: {s['why']}")
    if args.compare:
        print(compare(report, json.loads(args.compare.read_text())))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1))
    failed = [c for c in verdicts if not c["ok"]]
    print(f"\n{len(verdicts) - len(failed)} of {len(verdicts)} budgets met; JSON in "
          f"{args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")
    for c in failed:
        print(f"  FAILED {c['what']}: {c['why']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
