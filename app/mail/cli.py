"""`flask outbox work`: deliver queued mail continuously (or once, for cron); each round
first runs the periodic jobs (app/system/periodic.py)."""

from __future__ import annotations

import signal
import threading
import time
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db
from app.mail import services
from app.system import jobs
from app.system.periodic import run_periodic

outbox_cli = AppGroup("outbox", help="Deliver queued mail.")
JOB = "outbox work"


RECORD_EVERY = 60.0  # seconds: the running worker notes it is alive at most this often


def work(app: Flask, interval: float, stop: threading.Event | None = None) -> None:
    """Deliver what is due every `interval` seconds until `stop` is set."""
    stop = stop or threading.Event()
    noted = -RECORD_EVERY
    while not stop.is_set():
        with app.app_context():
            ok = True
            try:
                run_periodic()
                services.deliver_due(stop=stop)
            except Exception:  # keep the worker alive; the next round retries
                app.logger.exception("outbox: delivery round failed")
                db.session.rollback()
                ok = False
            try:
                if time.monotonic() - noted >= RECORD_EVERY or not ok:
                    noted = time.monotonic()
                    jobs.started(JOB)
                    jobs.finished(JOB, ok, "Delivering continuously." if ok else
                                  "A round failed: see the server's log.")
            finally:
                db.session.remove()
        stop.wait(interval)


@outbox_cli.command("work")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (for cron).")
def work_command(interval: float, once: bool) -> None:
    """Deliver queued mail through the configured SMTP server."""
    if not services.delivery_configured():
        click.echo("MAIL_SERVER is not set: messages stay readable in the Outbox page.")
    if once:
        deliver_once()
        return
    click.echo(f"Delivering queued mail every {interval:g}s (Ctrl+C to stop).")
    stop = threading.Event()

    def finish(signum, _frame) -> None:
        # systemd stops a service with SIGTERM: finish and record the message on its way
        # (else it would wait out its lease as "sending", then go again), then exit.
        click.echo(f"Stopping after the message in hand ({signal.Signals(signum).name}).")
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, finish)
    work(current_app._get_current_object(), interval, stop)
    click.echo("Stopped.")


@jobs.recorded(JOB)
def deliver_once() -> str:
    """One round, as cron's every-minute run does it."""
    run_periodic()
    counts = services.deliver_due(limit=1000)
    db.session.commit()
    line = ", ".join(f"{v} {k}" for k, v in counts.items())
    click.echo(line)
    return line


def start_background_worker(app: Flask, interval: float = 5.0) -> threading.Event:
    """Run the delivery loop in a daemon thread (used by `flask serve` for local use)."""
    stop = threading.Event()
    thread = threading.Thread(target=work, args=(app, interval, stop), daemon=True,
                              name="outbox-worker")
    thread.start()
    return stop


jobs.register_job(
    JOB, "Sending email",
    "Sends queued email (invitations, confirmations, reminders, digests) and, when tour "
    "requests don't need approval, confirms them after their short delay.",
    when="all the time, or every minute", every=timedelta(minutes=5), order=10)
