"""Scheduled jobs in plain words: each CLI job records when it ran and how it went, and the
Settings page (and the tour settings, for the clean-up they depend on) says so to admins
without a terminal."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from app.database import utcnow
from app.extensions import db
from app.mail.cli import work
from app.system import jobs, retention
from app.system.models import JobRun


def run_of(name: str) -> JobRun | None:
    db.session.commit()  # a fresh snapshot: the job wrote in its own transaction
    return db.session.get(JobRun, name)


def test_each_command_records_its_run(app, runner):
    for args, name in ((["digest", "send"], "digest send"), (["tours", "remind"], "tours remind"),
                       (["press", "check-freshness"], "press check-freshness"),
                       (["purge"], "purge"), (["outbox", "work", "--once"], "outbox work")):
        before = utcnow()
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        run = run_of(name)
        assert run.ok is True and before <= run.started_at <= run.finished_at
        assert run.succeeded_at == run.finished_at
    assert run_of("digest send").summary == "Queued 0 digests and 0 reminders."
    assert run_of("tours remind").summary == "Queued 0 tour reminders."


def test_a_failed_run_is_recorded_with_the_last_good_one(app, runner, monkeypatch):
    assert runner.invoke(args=["purge"]).exit_code == 0
    good = run_of("purge").succeeded_at

    def breaks(now):
        raise RuntimeError("boom")

    monkeypatch.setitem(retention.PURGERS, "zz-breaks", breaks)
    assert runner.invoke(args=["purge"]).exit_code == 1
    run = run_of("purge")
    assert run.ok is False and run.succeeded_at == good and run.finished_at > good
    assert "log" in run.summary and "boom" not in run.summary  # details stay in the log
    status = jobs.status("purge")
    assert status.failed and not status.late


def test_late_never_and_running(app):
    now = utcnow()
    jobs.started("digest send", now - timedelta(days=3))
    jobs.finished("digest send", True, "Queued 1 digest.", now - timedelta(days=3))
    jobs.started("tours remind", now - timedelta(minutes=2))
    by_name = {s.job.name: s for s in jobs.statuses(now)}
    assert by_name["digest send"].late and not by_name["digest send"].failed
    assert by_name["tours remind"].running and by_name["tours remind"].late  # never finished
    assert by_name["press check-freshness"].run is None and by_name["press check-freshness"].late
    jobs.finished("digest send", True, "", now - timedelta(hours=2))
    assert not jobs.status("digest send", now).late


def test_the_running_worker_notes_it_is_alive(app):
    stop = threading.Event()
    thread = threading.Thread(target=work, args=(app, 0.05, stop))
    thread.start()
    try:
        for _ in range(100):
            if run_of("outbox work"):
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=5)
    run = run_of("outbox work")
    assert run and run.ok and run.summary == "Delivering continuously."


def test_settings_page_explains_each_job_and_when_it_ran(app, as_admin, runner):
    runner.invoke(args=["digest", "send"])
    jobs.started("tours remind")
    jobs.finished("tours remind", False, "Stopped by an error (OperationalError): see the log.")
    html = as_admin.get("/admin/settings/").get_data(as_text=True)
    assert "Scheduled jobs" in html
    assert "Morning digest and event reminders" in html and "every morning" in html
    digest = html[html.index('id="job-digest-send"'):]
    digest = digest[:digest.index("</li>")]
    assert "Ran" in digest and "just now" in digest and "Queued 0 digests" in digest
    reminders = html[html.index('id="job-tours-remind"'):]
    assert "Failed" in reminders[:reminders.index("</li>")]
    assert "It has never finished well." in reminders[:reminders.index("</li>")]
    assert "Never ran" in html  # the clean-up, the media page reminder, the mail worker
    assert not re.search(r"\bcron", html, re.I) and "flask --app" not in html


def test_settings_page_answers_in_constant_queries(app, as_admin, runner):
    from tests.conftest import count_queries

    as_admin.get("/admin/settings/")
    with count_queries() as few:
        as_admin.get("/admin/settings/")
    for args in (["digest", "send"], ["purge"], ["tours", "remind"]):
        runner.invoke(args=args)
    with count_queries() as more:
        as_admin.get("/admin/settings/")
    assert few() == more() <= 12


def test_tour_settings_say_when_the_clean_up_last_ran(app, as_admin, runner):
    html = as_admin.get("/tours/manage/settings").get_data(as_text=True)
    assert "has not run on this server yet" in html and not re.search(r"\bcron", html, re.I)
    runner.invoke(args=["purge"])
    html = as_admin.get("/tours/manage/settings").get_data(as_text=True)
    assert "The nightly clean-up last ran" in html and "just now" in html


def test_ago():
    now = utcnow()
    assert jobs.ago(now, now) == "just now"
    assert jobs.ago(now - timedelta(minutes=1), now) == "1 minute ago"
    assert jobs.ago(now - timedelta(hours=5, minutes=3), now) == "5 hours ago"
    assert jobs.ago(now - timedelta(days=2), now) == "2 days ago"


def test_jobs_have_plain_descriptions():
    """Every job says what it does and when, in words an admin reads (no commands)."""
    assert {"purge", "digest send", "tours remind", "press check-freshness",
            "outbox work"} <= set(jobs.JOBS)
    for job in jobs.JOBS.values():
        assert job.title and job.does.endswith(".") and job.when
        assert "flask" not in job.does and "cron" not in job.does
