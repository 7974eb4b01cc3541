"""The outbox: queue mail with the change that caused it; a worker delivers it later.

Domains call `app.mail.services.queue(...)` inside their service (no commit);
`deliver_due()` and `flask outbox work` send what is due, with retries and backoff.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the outbox in: its page and the `outbox` command; and the purge of what is
    kept about mail read from the organization's mailbox (app/mail/inbox.py)."""
    from app.mail import routes  # noqa: F401  (attach views)
    from app.mail.blueprint import bp
    from app.mail.cli import outbox_cli

    app.register_blueprint(bp)
    app.cli.add_command(outbox_cli)
    from app.mail import inbox
    from app.system.retention import register_purger

    register_purger("mail.inbox", inbox.purge)
