"""Events: planning, invitations with RSVPs, attendance, calendar files and feeds."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug events in: staff and public pages, the `digest` command (and its commitments
    and events sections), the dashboard panel, the events on staff calendar feeds and the
    lifecycle receivers."""
    from app.events import demo, feeds, lifecycle, public, reminders, routes  # noqa: F401
    from app.events.blueprint import bp, public_bp
    from app.events.cli import digest_cli
    from app.events.dashboard import register
    from app.system.demo import register_demo

    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    app.cli.add_command(digest_cli)
    register()
    feeds.register()
    reminders.register_digest()
    register_demo("events", demo)
    lifecycle.connect()
    # Who hears about an event's updates and cancellation (app/events/services.py).
    from app.events import invitations, services

    services.register_audience("invitees", invitations.tell_invitees)
