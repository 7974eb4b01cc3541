"""The outbox: queue mail with the change that caused it; a worker delivers it later.

Domains call `app.mail.services.queue(...)` inside their service (no commit);
`deliver_due()` and `flask outbox work` send what is due, with retries and backoff.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the outbox in: its page and the `outbox` command."""
    from app.mail import routes  # noqa: F401  (attach views)
    from app.mail.blueprint import bp
    from app.mail.cli import outbox_cli

    app.register_blueprint(bp)
    app.cli.add_command(outbox_cli)
