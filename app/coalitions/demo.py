"""Demo coalitions: a local harm reduction coalition we lead, a county overdose task force, a
state public health association, a national harm reduction network and a drug policy reform
network, with members, renewals (one due soon, one overdue), deadlines, alignment evidence,
the task force's meeting, a note and a commitment; `scale(n)` adds coalitions and members
in bulk."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from app.auth.demo import team
from app.coalitions import alignment, services
from app.coalitions.models import (
    Coalition,
    CoalitionMember,
    DeadlineKind,
    DuesPeriod,
    Kind,
    Membership,
    Rating,
    Role,
    Scope,
)
from app.database import utcnow
from app.events import services as events
from app.extensions import db
from app.people.models import Channel, Organization, Sphere
from app.settings import values as program_values
from app.settings.clock import today

# name, kind, scope, sphere, website, cadence, about, member organizations
COALITIONS = [
    ("Riverbend Harm Reduction Coalition", Kind.coalition, Scope.local, Sphere.social_services,
     "https://riverbend-hrc.example", "Second Tuesday of each month, 5:30 pm",
     "Service providers, faith communities and people with lived experience working for "
     "overdose prevention and dignity in Riverbend.",
     ["Eastside Community Clinic", "Open Door Housing Collaborative", "Riverbend Food Shelf",
      "First Unitarian Church of Riverbend"]),
    ("Ash County Overdose Task Force", Kind.working_group, Scope.regional, Sphere.government,
     "https://ashcounty.example/overdose", "Quarterly, at the health department",
     "The county's overdose fatality review and response planning group.",
     ["Ash County Health Department", "Mercy Riverbend Hospital",
      "Riverbend Police Department", "Riverbend Unified School District"]),
    ("State Public Health Association", Kind.professional_association, Scope.state,
     Sphere.professional, "https://statepha.example", "Annual conference each fall",
     "The state's association of public health professionals; its harm reduction section "
     "shares data and training.",
     ["Ash County Health Department", "Eastside Community Clinic"]),
    ("National Harm Reduction Network", Kind.national_network, Scope.national, Sphere.movement,
     "https://nhrn.example", "Monthly member calls; biennial conference",
     "A national network of syringe services programs and allied organizations.",
     ["State Harm Reduction Coalition"]),
    ("Drug Policy Reform Network", Kind.movement_organization, Scope.national, Sphere.movement,
     "https://dprn.example", "Campaign calls as needed",
     "Works to end the criminalization of people who use drugs.", []),
]

EVIDENCE = {
    "Riverbend Harm Reduction Coalition": {
        0: (Rating.aligned, "Opened every meeting with a moment for people lost to overdose."),
        1: (Rating.aligned, "Adopted person-first language guidelines in its charter."),
        3: (Rating.aligned, "Brings county overdose data to each meeting."),
        9: (Rating.partly, "Has one seat for a participant; we asked for two."),
    },
    "Ash County Overdose Task Force": {
        3: (Rating.aligned, "Publishes its fatality review methods."),
        2: (Rating.partly, "Some members still say “addicts” in minutes."),
        8: (Rating.conflicts, "Proposed mandatory treatment referrals after naloxone use."),
    },
    "State Public Health Association": {
        3: (Rating.aligned, "Its journal is peer-reviewed; harm reduction section is active."),
        6: (Rating.aligned, "Equity is a standing conference track."),
    },
    "Drug Policy Reform Network": {
        1: (Rating.aligned, "Campaigns against stigmatizing coverage."),
        8: (Rating.aligned, "Centers the autonomy of people who use drugs."),
        9: (Rating.aligned, "Its board is majority people with lived experience."),
        10: (Rating.partly, "Publishes an annual report, but not its funders."),
    },
}

ORGANIZATION_EVIDENCE = {
    "First Unitarian Church of Riverbend": {
        0: (Rating.aligned, "Hosts our naloxone trainings without conditions."),
        1: (Rating.aligned, "Sermon on welcoming everyone, printed in the newsletter."),
    },
    "Riverbend Community Foundation": {
        3: (Rating.aligned, "Funds evaluation with peer-reviewed methods."),
        6: (Rating.partly, "Equity lens in grantmaking, but no participant voice yet."),
    },
    "Millrace Neighborhood Association": {
        1: (Rating.conflicts, "Flyer called participants “a danger to our children”."),
    },
}


def seed() -> None:
    """The demo story's coalitions, our memberships, deadlines and alignment."""
    program_values.seed_guidance_values()
    if db.session.scalar(select(Coalition.id).limit(1)) is not None:
        return
    people = team()
    liaison = next((u for u in people if u.email.startswith("dana.")), None)
    other = next((u for u in people if u.email.startswith("sam.")), liaison)
    orgs = {o.name: o for o in db.session.scalars(select(Organization))}
    values = program_values.active_values()
    day = today()
    made = {}
    for name, kind, scope, sphere, website, cadence, about, members in COALITIONS:
        coalition = services.save_coalition(None, {
            "name": name, "kind": kind, "scope": scope, "sphere": sphere, "website": website,
            "meeting_cadence": cadence, "description": about}, liaison)
        services.add_members(coalition, [orgs[m].id for m in members if m in orgs], "",
                             liaison)
        made[name] = coalition
    memberships = {
        "Riverbend Harm Reduction Coalition": dict(
            role=Role.lead, representative_id=getattr(liaison, "id", None),
            since=day - timedelta(days=3 * 365), renewal_on=day + timedelta(days=12),
            dues_cents=None),
        "Ash County Overdose Task Force": dict(
            role=Role.member, representative_id=getattr(other, "id", None),
            since=day - timedelta(days=400), renewal_on=day - timedelta(days=9),
            dues_cents=None),
        "State Public Health Association": dict(
            role=Role.member, representative_id=getattr(liaison, "id", None),
            since=day - timedelta(days=2 * 365), dues_cents=25000,
            dues_period=DuesPeriod.year, paid_through=day + timedelta(days=150),
            renewal_on=day + timedelta(days=150)),
        "National Harm Reduction Network": dict(
            role=Role.member, representative_id=getattr(liaison, "id", None),
            since=day - timedelta(days=5 * 365), dues_cents=10000,
            dues_period=DuesPeriod.year, paid_through=day + timedelta(days=240),
            renewal_on=day + timedelta(days=240)),
        "Drug Policy Reform Network": dict(role=Role.prospective, representative_id=None),
    }
    for name, values_ in memberships.items():
        services.save_membership(made[name], values_, liaison)
    deadlines = [
        ("Riverbend Harm Reduction Coalition", "Sign-on letter: safe disposal kiosks",
         DeadlineKind.sign_on, 6, "Council votes on the kiosk budget the week after."),
        ("State Public Health Association", "Conference abstract: peer naloxone outreach",
         DeadlineKind.abstract, 20, "300 words; co-author with Eastside Community Clinic."),
        ("National Harm Reduction Network", "Nominate Jordan Blake for the community award",
         DeadlineKind.nomination, 45, "Two letters of support needed."),
    ]
    for name, title, kind, days, notes in deadlines:
        services.add_deadline(made[name], {"title": title, "kind": kind,
                                           "due_on": day + timedelta(days=days),
                                           "notes": notes}, liaison)
    for name, evidence in EVIDENCE.items():
        alignment.save_alignment(_entries(values, evidence, day), liaison, coalition=made[name])
    task_force = made["Ash County Overdose Task Force"]
    for event in events.upcoming_events():
        if event.kind == "coalition_meeting":
            services.link_event(task_force, event.id, liaison)
    services.log_note(task_force, {
        "occurred_on": day - timedelta(days=12), "channel": Channel.meeting,
        "summary": "Task force agreed to share naloxone distribution data monthly",
        "body": "The health department will add our kit counts to its dashboard.",
        "sensitive": False}, liaison)
    services.add_commitment(made["Riverbend Harm Reduction Coalition"], {
        "what": "Draft the coalition's letter on safe disposal kiosks",
        "due_on": day + timedelta(days=4), "owner_id": getattr(liaison, "id", None)}, liaison)
    for name, evidence in ORGANIZATION_EVIDENCE.items():
        if name in orgs:
            alignment.save_alignment(_entries(values, evidence, day), liaison,
                                     organization=orgs[name])


def _entries(values, evidence: dict, day) -> dict[int, alignment.Entry]:
    return {values[i].id: alignment.Entry(rating, text, day - timedelta(days=30 + 7 * i))
            for i, (rating, text) in evidence.items() if i < len(values)}


def scale(n: int) -> dict[str, int]:
    """One coalition for every 500 contacts, each with up to 20 member organizations and
    our membership of every other one."""
    count = max(n // 500, 1)
    org_ids = list(db.session.scalars(select(Organization.id).order_by(Organization.id)
                                      .limit(2000)))
    now, day = utcnow(), today()
    kinds, scopes = list(Kind), list(Scope)
    ids = list(db.session.scalars(insert(Coalition).returning(
        Coalition.id, sort_by_parameter_order=True), [{
            "name": f"Scale coalition {i + 1}", "kind": kinds[i % len(kinds)],
            "scope": scopes[i % len(scopes)], "website": "", "meeting_cadence": "",
            "description": "", "created_at": now, "updated_at": now} for i in range(count)]))
    members = [{"coalition_id": cid, "organization_id": org_ids[(i * 7 + k) % len(org_ids)],
                "role": "", "created_at": now}
               for i, cid in enumerate(ids) for k in range(min(20, len(org_ids)))]
    if members:
        db.session.execute(insert(CoalitionMember), members)
    db.session.execute(insert(Membership), [{
        "coalition_id": cid, "role": Role.member, "lapse_reason": "",
        "renewal_on": day + timedelta(days=i % 90), "created_at": now, "updated_at": now}
        for i, cid in enumerate(ids) if i % 2 == 0])
    return {"coalitions": count, "coalition members": len(members)}
