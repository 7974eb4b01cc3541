"""Screening a member of the public (a tour booker, a registrant) against what we hold.

The registry lives here, in the base: a matcher is any callable `(Booker) -> Iterable[Match]`,
added with `register_matcher()` from a domain's `init_app`; `screen(booker)` asks them all.
People contributes `stance_matcher`: a booker who matches a challenging or skeptical contact
or organization is held for the liaison's approval.

Matches compare the booker's email (a contact's address or an organization's), email domain
(the domain of such a contact's or organization's address or website; never a free-mail
domain that thousands of unrelated people share), name (a contact's full name) and
organization (an organization's name, or the organization a matching contact belongs to).
The reasons are for the liaison only; the booker is never told.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.people.models import Contact, ContactEmail, Organization, Stance


@dataclass(frozen=True)
class Booker:
    """What a matcher may compare, normalised (lower case, trimmed)."""

    email: str
    name: str
    organization: str

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]

    @classmethod
    def of(cls, booking) -> Booker:
        """The booker of anything with `email`, `name` and `affiliation`."""
        return cls(
            email=normalise(booking.email),
            name=normalise(booking.name),
            organization=normalise(booking.affiliation or ""),
        )


@dataclass(frozen=True)
class Match:
    """Why a booking was screened. `reason` is for the liaison's eyes only."""

    source: str  # "screening list", "contact", "organization"
    field: str  # which booker detail matched: email, domain, name, organization
    reason: str  # e.g. "email matches the screening list (hold)"
    block: bool = False  # True: no tour at all

    def as_dict(self) -> dict:
        return asdict(self)


Matcher = Callable[[Booker], Iterable[Match]]
MATCHERS: list[Matcher] = []


def register_matcher(matcher: Matcher) -> Matcher:
    """Add a matcher (usable as a decorator); registering twice is harmless."""
    if matcher not in MATCHERS:
        MATCHERS.append(matcher)
    return matcher


def normalise(value: str) -> str:
    return " ".join((value or "").split()).casefold()


def screen(booker: Booker) -> list[Match]:
    """Every match any registered matcher finds for this booker."""
    matches: list[Match] = []
    for matcher in MATCHERS:
        matches.extend(matcher(booker))
    return matches


SCREENED = (Stance.challenger, Stance.skeptic)

# Addresses at these domains say nothing about who someone is or works for.
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "ymail.com",
    "rocketmail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "msn.com",
    "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "pm.me", "aol.com",
    "aim.com", "gmx.com", "gmx.net", "gmx.de", "mail.com", "zoho.com", "yandex.com",
    "yandex.ru", "fastmail.com", "fastmail.fm", "hey.com", "tutanota.com", "tuta.io",
    "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net",
    "charter.net", "earthlink.net", "optonline.net", "frontier.com", "windstream.net",
    "qq.com", "163.com",
})


def is_free_mail(domain: str) -> bool:
    """True for a shared mailbox provider's domain (or one of its subdomains)."""
    domain = domain.strip(".").lower()
    return any(domain == d or domain.endswith("." + d) for d in FREE_MAIL)


def _web_host(url: str | None) -> str:
    if not url:
        return ""
    host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    return host.lower().removeprefix("www.")


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _who(contact: Contact) -> str:
    return f"contact {contact.name} (#{contact.id}, {contact.stance.label.lower()})"


def _org(org: Organization) -> str:
    return f"organization {org.name} (#{org.id}, {org.stance.label.lower()})"


def stance_matcher(booker: Booker) -> list[Match]:
    """Matches between a booker and challenging or skeptical contacts/organizations."""
    matches: list[Match] = []
    seen: set[tuple[str, str, int]] = set()

    def add(source: str, field: str, row_id: int, reason: str) -> None:
        if (source, field, row_id) not in seen:
            seen.add((source, field, row_id))
            matches.append(Match(source=source, field=field, reason=reason))

    domain = booker.domain if booker.domain and not is_free_mail(booker.domain) else ""
    # Contacts: by email, by email domain, by full name.
    conditions = []
    if booker.email:
        conditions.append(Contact.id.in_(select(ContactEmail.contact_id)
                                         .where(ContactEmail.email == booker.email)))
    if domain:
        conditions.append(Contact.id.in_(select(ContactEmail.contact_id).where(
            ContactEmail.email.like(f"%@{_like(domain)}", escape="\\"))))
    if booker.name:
        full = func.lower(func.trim(Contact.first_name + " " + Contact.last_name))
        conditions.append(full == booker.name)
    contacts = []
    if conditions:
        contacts = db.session.scalars(
            select(Contact).where(Contact.stance.in_(SCREENED), Contact.archived_at.is_(None),
                                  or_(*conditions))
            .options(joinedload(Contact.emails), joinedload(Contact.organization))
            .order_by(Contact.id).limit(20)).unique().all()
    for c in contacts:
        emails = {e.email for e in c.emails}
        if booker.email in emails:
            add("contact", "email", c.id, f"email matches {_who(c)}")
        elif domain and any(e.rpartition("@")[2] == domain for e in emails):
            add("contact", "domain", c.id, f"email domain {domain} matches {_who(c)}")
        if booker.name and " ".join(c.name.split()).casefold() == booker.name:
            add("contact", "name", c.id, f"name matches {_who(c)}")
    # Organizations: by name, by their email (or its domain) and website's domain.
    conditions = []
    if booker.organization:
        conditions.append(func.lower(Organization.name) == booker.organization)
    if booker.email:
        conditions.append(Organization.email == booker.email)
    if domain:
        conditions.append(Organization.email.like(f"%@{_like(domain)}", escape="\\"))
        conditions.append(Organization.website.like(f"%{_like(domain)}%", escape="\\"))
    orgs = []
    if conditions:
        orgs = db.session.scalars(
            select(Organization).where(Organization.stance.in_(SCREENED),
                                       Organization.archived_at.is_(None), or_(*conditions))
            .order_by(Organization.id).limit(20)).all()
    for o in orgs:
        if booker.organization and " ".join(o.name.split()).casefold() == booker.organization:
            add("organization", "organization", o.id, f"organization matches {_org(o)}")
        if booker.email and o.email == booker.email:
            add("organization", "email", o.id, f"email matches {_org(o)}")
        elif domain and ((o.email or "").rpartition("@")[2] == domain
                         or _web_host(o.website) == domain):
            add("organization", "domain", o.id, f"email domain {domain} matches {_org(o)}")
    # A matching contact's organization, named by the booker.
    if booker.organization:
        for c in db.session.scalars(
                select(Contact).join(Contact.organization)
                .where(Contact.stance.in_(SCREENED), Contact.archived_at.is_(None),
                       func.lower(Organization.name) == booker.organization)
                .options(joinedload(Contact.organization)).order_by(Contact.id).limit(5)):
            add("contact", "organization", c.id,
                f"organization is where {_who(c)} works")
    return matches
