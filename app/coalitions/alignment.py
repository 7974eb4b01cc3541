"""Values alignment of coalitions and organizations: one rating per program value with a
dated evidence note, the summary computed from them, and the "find partners" ranking."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, literal, or_, select, union_all

from app.audit.services import record
from app.auth.models import User
from app.coalitions.models import (
    ACTIVE_ROLES,
    RATING_POINTS,
    Alignment,
    Coalition,
    CoalitionMember,
    Membership,
    Rating,
)
from app.extensions import db
from app.people.models import Organization, Sphere, Stance
from app.settings.models import ProgramValue
from app.system.words import plural


@dataclass(frozen=True)
class Entry:
    """What the form says about one value."""

    rating: Rating
    evidence: str
    observed_on: date | None


@dataclass(frozen=True)
class Summary:
    """The overall alignment computed from the ratings (unknown ones count for nothing)."""

    aligned: int = 0
    partly: int = 0
    conflicts: int = 0
    score: int = 0

    @property
    def assessed(self) -> int:
        return self.aligned + self.partly + self.conflicts

    @property
    def label(self) -> str:
        if not self.assessed:
            return "Not yet assessed"
        if self.conflicts and self.conflicts >= self.aligned:
            return "Conflicts with our values"
        share = self.score / (2 * self.assessed)  # 1.0 when every assessed value aligns
        if share >= 0.75:
            return "Strongly aligned"
        if share > 0.5:
            return "Mostly aligned"
        return "Mixed" if self.conflicts else "Partly aligned"

    @property
    def tone(self) -> str:
        """A stance-like class name for the badge."""
        return {"Strongly aligned": "champion", "Mostly aligned": "ally",
                "Partly aligned": "neutral", "Mixed": "skeptic",
                "Conflicts with our values": "challenger"}.get(self.label, "unknown")

    @property
    def counts(self) -> str:
        parts = [f"{n} {word}" for n, word in ((self.aligned, "aligned"),
                                               (self.partly, "partly"),
                                               (self.conflicts, "conflicting"))
                 if n]
        return ", ".join(parts) or "no evidence yet"


NOT_ASSESSED = Summary()


def _partner(coalition_id: int | None, organization_id: int | None):
    if (coalition_id is None) == (organization_id is None):
        raise ValueError("Alignment is about one coalition or one organization.")
    return (Alignment.coalition_id == coalition_id if coalition_id is not None
            else Alignment.organization_id == organization_id)


def alignments_of(*, coalition_id: int | None = None,
                  organization_id: int | None = None) -> dict[int, Alignment]:
    """The recorded alignment of one coalition or organization, by value id."""
    rows = db.session.scalars(select(Alignment).where(_partner(coalition_id, organization_id)))
    return {row.value_id: row for row in rows}


def save_alignment(entries: Mapping[int, Entry], actor: User | None, *,
                   coalition: Coalition | None = None,
                   organization: Organization | None = None) -> int:
    """Record each value's rating and evidence for one coalition or organization; returns
    how many values changed (only those are audited and re-dated)."""
    partner = coalition or organization
    current = alignments_of(coalition_id=coalition.id if coalition else None,
                            organization_id=organization.id if organization else None)
    changed = []
    for value_id, entry in entries.items():
        row = current.get(value_id)
        if row is None:
            if entry.rating == Rating.unknown and not entry.evidence:
                continue  # nothing to say yet
            row = Alignment(value_id=value_id,
                            coalition_id=coalition.id if coalition else None,
                            organization_id=organization.id if organization else None)
            db.session.add(row)
        elif (row.rating, row.evidence, row.observed_on) == (
                entry.rating, entry.evidence, entry.observed_on):
            continue
        row.rating, row.evidence, row.observed_on = entry.rating, entry.evidence, \
            entry.observed_on
        row.updated_by_id = getattr(actor, "id", None)
        changed.append(value_id)
    db.session.flush()
    if changed:
        kind = "coalition" if coalition else "organization"
        record(f"alignment.{kind}", f"Recorded values alignment of {partner.name} "
               f"({plural(len(changed), 'value')})", partner, actor)
    return len(changed)


# --- summaries -------------------------------------------------------------------------------

_POINTS = case({r.value: p for r, p in RATING_POINTS.items()}, value=Alignment.rating,
               else_=0)


def _counted(rating: Rating):
    return func.sum(case((Alignment.rating == rating, 1), else_=0))


def _summary_columns():
    return (_counted(Rating.aligned).label("aligned"), _counted(Rating.partly).label("partly"),
            _counted(Rating.conflicts).label("conflicts"), func.sum(_POINTS).label("score"))


def _active_value():
    """Only ratings against values still on the list count towards a summary."""
    return Alignment.value_id.in_(select(ProgramValue.id).where(ProgramValue.active.is_(True)))


def summaries(*, coalition_ids=None, organization_ids=None) -> dict[int, Summary]:
    """Alignment summaries for many coalitions (or organizations) in one query;
    `*_ids` is a list or a SELECT of ids."""
    column = Alignment.coalition_id if coalition_ids is not None else Alignment.organization_id
    ids = coalition_ids if coalition_ids is not None else organization_ids
    rows = db.session.execute(
        select(column, *_summary_columns()).where(column.in_(ids), _active_value())
        .group_by(column))
    return {row[0]: Summary(int(row.aligned or 0), int(row.partly or 0),
                            int(row.conflicts or 0), int(row.score or 0)) for row in rows}


def summarize(rows, active_ids: set[int]) -> Summary:
    """The summary of alignment rows already loaded (ratings of retired values left out)."""
    counted = [r.rating for r in rows if r.value_id in active_ids]
    return Summary(counted.count(Rating.aligned), counted.count(Rating.partly),
                   counted.count(Rating.conflicts), sum(RATING_POINTS[r] for r in counted))


def summary_of(*, coalition_id: int | None = None,
               organization_id: int | None = None) -> Summary:
    """One coalition's or organization's alignment summary."""
    if coalition_id is not None:
        return summaries(coalition_ids=[coalition_id]).get(coalition_id, NOT_ASSESSED)
    return summaries(organization_ids=[organization_id]).get(organization_id, NOT_ASSESSED)


# --- find partners ---------------------------------------------------------------------------

# Who is most worth seeking out first: closest stance to the program first.
STANCE_RANK = {Stance.champion: 5, Stance.ally: 4, Stance.neutral: 2, Stance.unknown: 1,
               Stance.skeptic: 0, Stance.challenger: -1}
PARTNER_PAGE = 25


@dataclass(frozen=True)
class Partner:
    """A coalition or organization we are not yet part of, as the ranking shows it."""

    kind: str  # "coalition" | "organization"
    id: int
    name: str
    sphere: Sphere | None
    stance: Stance | None
    summary: Summary
    role: str | None  # our role for a coalition (prospective, former) or None


def _stance_rank(column):
    return case({s.value: r for s, r in STANCE_RANK.items()}, value=column, else_=1)


def _scores(column) -> Select:
    return (select(column.label("id"), *_summary_columns())
            .where(column.is_not(None), _active_value()).group_by(column))


def partner_query(args: Mapping[str, str]) -> Select:
    """Coalitions we are not part of (no membership, or prospective or former), and
    organizations with alignment evidence or a supportive stance (not in conflict with our
    values, not challenging) that are not already with us in a coalition or the record of
    one we belong to; ranked by alignment score, then stance, then name."""
    sphere = args.get("sphere", "")
    sphere = Sphere(sphere) if sphere in Sphere.__members__ else None
    show = args.get("show", "")
    ours = select(Membership.coalition_id).where(Membership.role.in_(ACTIVE_ROLES))

    c_scores = _scores(Alignment.coalition_id).subquery("c_scores")
    linked = Organization.__table__.alias("linked_org")
    coalitions = (
        select(literal("coalition").label("kind"), Coalition.id, Coalition.name,
               Coalition.sphere, linked.c.stance,
               func.coalesce(c_scores.c.score, 0).label("score"),
               func.coalesce(c_scores.c.aligned, 0).label("aligned"),
               func.coalesce(c_scores.c.partly, 0).label("partly"),
               func.coalesce(c_scores.c.conflicts, 0).label("conflicts"),
               Membership.role.label("role"))
        .select_from(Coalition)
        .outerjoin(c_scores, c_scores.c.id == Coalition.id)
        .outerjoin(linked, linked.c.id == Coalition.organization_id)
        .outerjoin(Membership, Membership.coalition_id == Coalition.id)
        .where(Coalition.id.not_in(ours)))
    if sphere:
        coalitions = coalitions.where(Coalition.sphere == sphere)

    o_scores = _scores(Alignment.organization_id).subquery("o_scores")
    ours_as_orgs = select(Coalition.organization_id).where(
        Coalition.id.in_(ours), Coalition.organization_id.is_not(None))
    with_us = select(CoalitionMember.organization_id).where(
        CoalitionMember.coalition_id.in_(ours))
    organizations = (
        select(literal("organization").label("kind"), Organization.id, Organization.name,
               Organization.sphere, Organization.stance,
               func.coalesce(o_scores.c.score, 0).label("score"),
               func.coalesce(o_scores.c.aligned, 0).label("aligned"),
               func.coalesce(o_scores.c.partly, 0).label("partly"),
               func.coalesce(o_scores.c.conflicts, 0).label("conflicts"),
               literal(None).label("role"))
        .select_from(Organization)
        .outerjoin(o_scores, o_scores.c.id == Organization.id)
        .where(Organization.archived_at.is_(None),
               or_(o_scores.c.id.is_not(None),
                   Organization.stance.in_((Stance.champion, Stance.ally))),
               # Seeking partners, not opponents: conflicts outweighing alignment, or a
               # challenging relationship, leave an organization off.
               func.coalesce(o_scores.c.score, 0) >= 0,
               Organization.stance != Stance.challenger,
               Organization.id.not_in(ours_as_orgs), Organization.id.not_in(with_us),
               # A coalition's own record is listed once, as the coalition.
               Organization.id.not_in(select(Coalition.organization_id).where(
                   Coalition.organization_id.is_not(None)))))
    if sphere:
        organizations = organizations.where(Organization.sphere == sphere)
    parts = {"coalitions": [coalitions], "organizations": [organizations]}.get(
        show, [coalitions, organizations])
    return union_all(*parts).subquery("partners") if len(parts) > 1 else \
        parts[0].subquery("partners")


def partner_page(args: Mapping[str, str], page: int) -> tuple[list[Partner], int]:
    """One page of the ranking, and how many there are in all (two queries)."""
    ranked = partner_query(args)
    total = db.session.scalar(select(func.count()).select_from(ranked)) or 0
    rows = db.session.execute(
        select(ranked).order_by(ranked.c.score.desc(), _stance_rank(ranked.c.stance).desc(),
                                ranked.c.name, ranked.c.kind, ranked.c.id)
        .limit(PARTNER_PAGE).offset((page - 1) * PARTNER_PAGE)).all()
    return [Partner(r.kind, r.id, r.name, Sphere(r.sphere) if r.sphere else None,
                    Stance(r.stance) if r.stance else None,
                    Summary(int(r.aligned), int(r.partly), int(r.conflicts), int(r.score)),
                    r.role) for r in rows], total
