"""Events: planning, invitations with RSVPs, public pages with registration and a waitlist,
attendance at the door, calendar files and feeds."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug events in: staff and public pages, the `digest` and `events` commands (and the
    digest's commitments, events and registrations sections), the dashboard panel, the
    events on staff calendar feeds, the registrants' purge, the mail worker's lapsing of
    waitlist offers and the lifecycle receivers."""
    from app.events import (  # noqa: F401
        demo,
        feeds,
        lifecycle,
        public,
        public_events,
        registration_routes,
        registrations,
        reminders,
        routes,
    )
    from app.events.blueprint import bp, public_bp
    from app.events.cli import digest_cli, events_cli
    from app.events.dashboard import register
    from app.system.demo import register_demo
    from app.system.periodic import register_periodic
    from app.system.retention import register_purger
    from app.system.words import plural

    def purge(now) -> str:
        return f"Anonymized {plural(registrations.purge(now), 'event registrant')}."

    def lapse_offers(now) -> int:
        return sum(registrations.process_waitlists(now, due_only=True))

    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    app.cli.add_command(digest_cli)
    app.cli.add_command(events_cli)
    register()
    feeds.register()
    reminders.register_digest()
    register_demo("events", demo)
    register_purger("events", purge)
    register_periodic("events.waitlist", lapse_offers)
    lifecycle.connect()
    # Who hears about an event's updates and cancellation (app/events/services.py), and
    # the answers invitees' calendars send back by email (app/events/replies.py).
    from app.events import invitations, replies, services
    from app.events.rsvp_cli import rsvp_cli
    from app.system.periodic import register_periodic

    services.register_audience("invitees", invitations.tell_invitees)
    services.register_audience("registrants", registrations.tell_registrants)
    app.cli.add_command(rsvp_cli)
    register_periodic("events.replies", replies.fetch_if_due)
    replies.register_job(app)
