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
    # Who hears about an event's updates and cancellation (app/events/services.py), and
    # the answers invitees' calendars send back by email (app/events/replies.py).
    from app.events import invitations, replies, services
    from app.events.rsvp_cli import rsvp_cli
    from app.system.periodic import register_periodic

    services.register_audience("invitees", invitations.tell_invitees)
    app.cli.add_command(rsvp_cli)
    register_periodic("events.replies", replies.fetch_if_due)
    replies.register_job(app)
