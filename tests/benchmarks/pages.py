"""The pages `make bench` times, and how it picks the rows they show.

Adding a page is one line in PAGES. A URL's `{name}` parts are filled from IDS (SQL that picks
the heaviest row of its kind: the contact with the most notes, the organization with the most
people...). A page whose rule the app doesn't have (a feature not merged yet) or whose row
doesn't exist is listed as skipped, not failed, so the list can run ahead of the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """One page: its name in the table, its URL(s), and whether it is signed in."""

    name: str
    urls: tuple[str, ...]  # one per round in turn (a search kind rotates through its words)
    public: bool = False
    fragment: bool = False  # ask as htmx does (HX-Request), for pages that load themselves
    tags: tuple[str, ...] = field(default=())

    @property
    def rule_path(self) -> str:
        """The URL's path without its query string, to find its rule in the app."""
        return self.urls[0].split("?", 1)[0]


def page(name: str, *urls: str, **kw) -> Page:
    return Page(name, tuple(urls), **kw)


# SQL (the same on SQLite and PostgreSQL) naming the row each `{name}` stands for.
IDS: dict[str, str] = {
    "contact": "SELECT contact_id FROM note_contacts GROUP BY contact_id "
               "ORDER BY count(*) DESC, contact_id LIMIT 1",
    "organization": "SELECT organization_id FROM contacts WHERE organization_id IS NOT NULL "
                    "GROUP BY organization_id ORDER BY count(*) DESC, organization_id LIMIT 1",
    "event": "SELECT e.id FROM events e LEFT JOIN invitations i ON i.event_id = e.id "
             "GROUP BY e.id ORDER BY count(i.id) DESC, e.id LIMIT 1",
    "note": "SELECT note_id FROM note_contacts GROUP BY note_id "
            "ORDER BY count(*) DESC, note_id LIMIT 1",
    "coalition": "SELECT coalition_id FROM coalition_members GROUP BY coalition_id "
                 "ORDER BY count(*) DESC, coalition_id LIMIT 1",
    "area": "SELECT area_id FROM places WHERE area_id IS NOT NULL GROUP BY area_id "
            "ORDER BY count(*) DESC, area_id LIMIT 1",
    "place": "SELECT min(id) FROM places",
    "public_event": "SELECT slug FROM events WHERE is_public = true AND slug IS NOT NULL "
                    "ORDER BY starts_at DESC LIMIT 1",
}

# People search by kind of words (what bench_search.py timed): each round asks the next.
SEARCHES: dict[str, tuple[str, ...]] = {
    "name": ("q=rosa", "q=zoe+zimmer", "q=carlos+diaz", "q=tariq", "q=xu", "q=noah"),
    "organization": ("q=riverbend+clinic", "q=lakeview", "q=gazette", "q=union+12",
                     "q=church"),
    "email": ("q=sofia.patel", "q=rosa.garcia.4711%40example.org", "q=example.org"),
    "phone": ("q=5553001234", "q=555-302-0415", "q=3020415"),
    "tag": ("q=press", "q=housing", "tag=faith"),
    "note words": ("q=naloxone", "q=budget+hearing", "q=fentanyl+test", "q=follow",
                   "q=next+steps"),
    "filters": ("q=naloxone&stance=challenger", "q=rosa&sphere=media", "stance=ally&sort=recent",
                "type=clinic&sort=contact", "q=housing&owner=2&sort=stance", "q=naloxone&page=40",
                "page=500"),
}

PAGES: list[Page] = [
    # signed in (as the liaison, who sees the most)
    page("dashboard", "/"),
    page("contact list", "/people/"),
    *(page(f"search: {kind}", *(f"/people/?{q}" for q in words), tags=("search",))
      for kind, words in SEARCHES.items()),
    page("contact detail", "/people/{contact}"),
    page("organizations", "/people/organizations/"),
    page("organization detail", "/people/organizations/{organization}"),
    page("stakeholder map", "/people/map"),
    page("media contacts", "/people/media"),
    page("notes", "/notes/"),
    page("note", "/notes/{note}"),
    page("commitments", "/notes/commitments/"),
    page("due for contact", "/notes/due"),
    # the journeys a liaison repeats: pickers as you type, likely duplicates, tags
    page("picker: contacts", *(f"/people/pick/contacts?field=c&c-q={q}" for q in (
        "a", "ro", "rosa", "zoe+zimmer", "riverbend", "rosa.garcia", "5553001234")),
        fragment=True),
    page("picker: organizations", *(f"/people/pick/organizations?field=o&o-q={q}" for q in (
        "r", "river", "riverbend+clinic", "union+12", "gazette")), fragment=True),
    page("likely duplicates", "/people/duplicates", "/people/duplicates?kind=organization"),
    page("tags", "/people/tags"),
    page("tag filter (part of a tag)", "/people/?tag=hous"),
    page("tag filter (a rare tag)", "/people/?tag=hospital"),
    page("new note from a contact", "/notes/new?contact={contact}"),
    page("events", "/events/"),
    page("event detail", "/events/{event}"),
    page("my calendar", "/events/calendar"),
    page("tours (staff)", "/tours/manage/"),
    page("tour calendar", "/tours/manage/calendar"),
    page("press (staff)", "/press/manage"),
    page("media inquiries", "/press/manage/inquiries"),
    page("coalitions", "/coalitions/"),
    page("coalition detail", "/coalitions/{coalition}"),
    page("coalitions due (panel)", "/coalitions/due", fragment=True),
    page("community map", "/map"),
    page("map places (GeoJSON)", "/map/places.geojson"),
    page("map area", "/map/areas/{area}"),
    page("map open issues (panel)", "/map/open-issues", fragment=True),
    page("outbox", "/outbox/"),
    page("audit trail", "/admin/audit/"),
    # public
    page("/press", "/press", public=True),
    page("/tours", "/tours", public=True),
    page("public feed", "/calendar/public.ics", public=True),
    page("public events", "/public-events", public=True),
    page("public event", "/public-events/{public_event}", public=True),
]
