"""Health check, favicon, third-party front-end files served from our own origin, the
commands that run across domains (`serve`, `purge`, `demo`, `backup`, `restore`), and the
plumbing every domain shares: links that leave the app (`urls`), calendar files (`ical`),
the base form (`forms`), pagination, edit conflicts (`conflicts`), when tables last changed
(`changes`), the registries for retention, demo data, feeds, the digest and periodic jobs,
and visitors' changes that reach staff (`visitors`)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the system pages and the cross-domain commands in."""
    from app.system import assets, public, visitors  # noqa: F401  (public: attach views)
    from app.system.blueprint import bp
    from app.system.cli import backup_command, purge_command, restore_command, serve
    from app.system.demo import demo_command
    from app.system.digest import register_digest_section
    from app.system.retention import register_purger

    app.register_blueprint(bp)
    assets.init_app(app)
    app.cli.add_command(serve)
    app.cli.add_command(purge_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(demo_command)
    register_digest_section(5, "visitors", visitors.digest_section)
    register_purger("visitors", visitors.purge)
