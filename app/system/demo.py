"""`flask demo`: a realistic fictional program for exploring, and `--scale N` for benchmarks.

Each domain contributes a `demo.py` with `seed()` (the story) and `scale(n)` (bulk rows)
and registers it from its `init_app` with `register_demo(name, module)`; they run in the order
the domains are plugged in (later domains link to what earlier ones made). This module only
keeps that list and owns the command.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import click
from flask.cli import with_appcontext

from app.extensions import db


class Seeder(Protocol):
    def seed(self) -> None: ...
    def scale(self, n: int) -> dict[str, int] | None: ...


SEEDERS: dict[str, Seeder] = {}


def register_demo(name: str, module: Seeder) -> None:
    """Add a domain's demo builder (registering a name again keeps its place)."""
    SEEDERS[name] = module


def _seeders() -> list[Seeder]:
    return list(SEEDERS.values())


def load_demo() -> None:
    """Add the demo story in the current transaction (flushes, doesn't commit)."""
    for module in _seeders():
        module.seed()
        db.session.flush()


def load_scale(n: int, progress: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Bulk-insert n contacts with proportional related rows; returns counts by kind."""
    from app.people.search import bulk_load

    counts: dict[str, int] = {}
    with bulk_load(progress):
        for name, module in SEEDERS.items():
            started = time.perf_counter()
            made = module.scale(n) or {}
            counts.update(made)
            if made:
                progress(f"{name}: {_summary(made)} in {time.perf_counter() - started:.1f}s.")
    return counts


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{v} {k}" for k, v in counts.items()) or "nothing"


@click.command("demo")
@click.option("--scale", type=click.IntRange(min=1), help="Build N contacts (and proportional "
              "notes, events and bookings) for benchmarks instead of the demo story.")
@with_appcontext
def demo_command(scale: int | None) -> None:
    """Load the demo program (a fictional syringe services program)."""
    started = time.perf_counter()
    if scale:
        counts = load_scale(scale, progress=lambda line: click.echo(line, err=True))
        db.session.commit()
        elapsed = time.perf_counter() - started
        click.echo(f"Built {_summary(counts)} in {elapsed:.1f}s.")
        return
    from app.auth.demo import already_loaded

    if already_loaded():
        raise click.ClickException("The demo data is already loaded.")
    load_demo()
    db.session.commit()
    click.echo("Loaded the demo program. Sign in and explore.")
