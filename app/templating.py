"""Template filters and globals shared by every page: local time, the navigation and the
macros of every macro partial."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from jinja2 import Environment, nodes, pass_environment

from app.people import phones
from app.security import safe_next
from app.settings import clock
from app.settings import services as settings
from app.system import jobs, urls, words


def localtime(value: datetime | None, fmt: str = "%b %-d, %Y %-I:%M %p") -> str:
    """Format an aware UTC datetime in the organization's time zone."""
    if value is None:
        return ""
    return clock.local(value).strftime(clock.strftime_format(fmt))


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (label, endpoint, roles or None). Items appear once their domain exists.
NAV = [
    ("Dashboard", "dashboard.index", None),
    ("People", "people.index", None),
    ("Organizations", "people.organizations", None),
    ("Coalitions", "coalitions.index", None),
    ("Commitments", "notes.commitments", None),
    ("Events", "events.index", None),
    ("Tours", "tours.index", ("liaison",)),
    ("Press", "press.index", ("liaison",)),
    ("Map", "places.index", None),
    ("Outbox", "outbox.index", ("liaison",)),
    ("Users", "users.index", ("admin",)),
    ("Settings", "settings.index", ("admin",)),
    ("Audit", "audit.index", ("admin",)),
]


# The public pages visitors move between (label, endpoint), shown to anyone not signed in.
# A domain's public page joins here once it exists (e.g. a list of public events).
PUBLIC_NAV = [
    ("Tours and open houses", "tours_public.index"),
    ("Events", "events_public.events"),
    ("Media", "press_public.page"),
]


def public_nav_items() -> list[NavItem]:
    """The public header's links: the organization's public pages, never the staff sign-in."""
    return [NavItem(label, url_for(endpoint), request.endpoint == endpoint)
            for label, endpoint in PUBLIC_NAV if endpoint in current_app.view_functions]


def nav_items() -> list[NavItem]:
    """The main navigation for the signed-in user."""
    app = current_app
    here = (request.blueprint or "") + "."
    items = []
    for label, endpoint, roles in NAV:
        if endpoint not in app.view_functions:
            continue
        if roles and not current_user.can(*roles):
            continue
        current = request.endpoint == endpoint or (
            endpoint.startswith(here) and endpoint.endswith(".index")
        )
        items.append(NavItem(label, url_for(endpoint), current))
    return items


def init_app(app: Flask) -> None:
    app.add_template_filter(localtime)
    app.add_template_filter(phones.format, "phone")
    app.add_template_filter(words.plural, "plural")
    app.add_template_filter(words.noun, "noun")
    app.add_template_filter(jobs.ago, "ago")
    app.add_template_global(nav_items)
    app.add_template_global(public_nav_items)
    app.add_template_global(urls.external_url)
    app.add_template_global(safe_next)
    app.add_template_global(settings.org_name, "org_name")
    app.add_template_global(settings.timezone_name, "org_timezone")
    app.add_template_global(settings.public_address, "org_address")
    app.add_template_global(settings.media_line, "org_media_line")
    register_macros(app.jinja_env)


# --- macros as globals ------------------------------------------------------------------------
#
# A block rendered alone (web.render(..., block=...)) never runs its template's top-level
# `{% from ... import ... %}`, so a macro imported there is undefined in the fragment. Every
# macro of a macro partial is a global instead, under its own name: templates call
# `field(form.name)` or `stance_badge(c.stance)` and import nothing, in a page, a block or
# another partial alike. A macro partial is templates/_macros/*.html or a domain's
# `_*.html` holding nothing but macros; a new one is picked up at the next start.


def _is_partial(name: str) -> bool:
    return name.endswith(".html") and (
        name.startswith("_macros/") or name.rpartition("/")[2].startswith("_"))


def _only_macros(body: list[nodes.Node]) -> bool:
    def quiet(node: nodes.Node) -> bool:
        if isinstance(node, nodes.Output):
            return all(isinstance(n, nodes.TemplateData) and not n.data.strip()
                       for n in node.nodes)
        return isinstance(node, nodes.Macro | nodes.Assign)

    return any(isinstance(n, nodes.Macro) for n in body) and all(quiet(n) for n in body)


_PARSER = Environment(autoescape=True)  # parsing needs no app: names only, nothing compiled


@cache
def _macro_names(name: str, source: str) -> tuple[str, ...]:
    """The macros a partial defines (cached: every app of a test run parses each once)."""
    body = _PARSER.parse(source, name).body
    return tuple(n.name for n in body if isinstance(n, nodes.Macro)) if _only_macros(body) else ()


def _macro(template: str, name: str):
    """A global that calls `name` from `template`, looked up per call so an edited
    template (auto-reload in development) is the one used."""

    @pass_environment
    def call(env: Environment, *args, **kwargs):
        return getattr(env.get_template(template).module, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def register_macros(env: Environment) -> dict[str, str]:
    """Make every macro of every macro partial a global; returns {macro: template}."""
    found: dict[str, str] = {}
    for template in env.list_templates(filter_func=_is_partial):
        source = env.loader.get_source(env, template)[0]  # type: ignore[union-attr]
        for name in _macro_names(template, source):
            if name in found or name in env.globals:
                where = found.get(name, "a template global")
                raise RuntimeError(f"macro {name!r} in {template} clashes with {where}")
            found[name] = template
            env.globals[name] = _macro(template, name)
    return found
