"""Demo people for Riverbend Harm Reduction: organizations and contacts in every sphere,
champions and challengers, journalists; and `scale(n)` bulk rows for benchmarks."""

from __future__ import annotations

import random

from sqlalchemy import func, select, text

from app.auth.demo import team
from app.database import utcnow
from app.extensions import db, dialect
from app.people import duplicates
from app.people.contacts import (
    ContactData,
    create_contact,
    save_organization,
    set_stance,
)
from app.people.models import Channel, Contact, Influence, Organization, OrgType, Sphere, Stance
from app.people.phones import parse as parse_phone

# name, type, sphere, phone, tags
ORGANIZATIONS = [
    ("Riverbend City Council", OrgType.elected, Sphere.government, "555-201-4400", "council"),
    ("Ash County Health Department", OrgType.health_department, Sphere.government,
     "555-201-7700", "health, data"),
    ("Riverbend Police Department", OrgType.law_enforcement, Sphere.government,
     "555-201-9100", "public safety"),
    ("Mercy Riverbend Hospital", OrgType.clinic, Sphere.professional, "555-203-1000",
     "hospital, ED"),
    ("Eastside Community Clinic", OrgType.clinic, Sphere.professional, "555-203-2200", "FQHC"),
    ("Open Door Housing Collaborative", OrgType.social_service, Sphere.social_services,
     "555-204-3300", "housing"),
    ("Riverbend Food Shelf", OrgType.social_service, Sphere.social_services, "555-204-5500",
     "food"),
    ("St. Brigid Parish", OrgType.faith, Sphere.faith, "555-205-1200", "faith, neighbors"),
    ("First Unitarian Church of Riverbend", OrgType.faith, Sphere.faith, "555-205-3400",
     "faith, ally"),
    ("Millrace Neighborhood Association", OrgType.neighborhood, Sphere.neighbors,
     "555-206-7800", "neighbors, siting"),
    ("Millrace Main Street Business Alliance", OrgType.business, Sphere.neighbors,
     "555-206-9900", "business"),
    ("Riverbend Unified School District", OrgType.school, Sphere.government, "555-207-1000",
     "schools"),
    ("The Riverbend Ledger", OrgType.media, Sphere.media, "555-208-5000", "press"),
    ("KRVB Public Radio", OrgType.media, Sphere.media, "555-208-6100", "press, radio"),
    ("State Harm Reduction Coalition", OrgType.coalition, Sphere.movement, "555-301-4400",
     "coalition"),
    ("Riverbend Community Foundation", OrgType.funder, Sphere.social_services, "555-209-2000",
     "funder"),
]

# Where the relationship with a few organizations as a whole stands (the rest: not yet known).
# The association's stance also holds its members' tour bookings for the liaison's approval.
ORG_STANCES = {
    "First Unitarian Church of Riverbend": Stance.champion,
    "State Harm Reduction Coalition": Stance.champion,
    "Eastside Community Clinic": Stance.ally,
    "Millrace Neighborhood Association": Stance.challenger,
    "Millrace Main Street Business Alliance": Stance.skeptic,
}

# first, last, pronouns, title, org index, stance, influence, tags, extra
CONTACTS = [
    ("Teresa", "Alvarez", "she/her", "Council member, Ward 3", 0, Stance.ally, Influence.high,
     "council, budget", {}),
    ("Gordon", "Pike", "he/him", "Council member, Ward 1", 0, Stance.challenger,
     Influence.high, "council, siting", {}),
    ("Renee", "Whitfield", "she/her", "Council president", 0, Stance.skeptic, Influence.high,
     "council", {}),
    ("Dr. Amara", "Okonkwo", "she/her", "Health officer", 1, Stance.champion, Influence.high,
     "health, data", {}),
    ("Luis", "Fernández", "he/him", "Epidemiologist", 1, Stance.ally, Influence.medium,
     "data", {}),
    ("Captain Dale", "Hutchins", "he/him", "Patrol captain", 2, Stance.neutral,
     Influence.medium, "public safety", {}),
    ("Officer Kim", "Tran", "she/her", "Community liaison officer", 2, Stance.ally,
     Influence.low, "public safety", {}),
    ("Dr. Nathan", "Greer", "he/him", "ED medical director", 3, Stance.ally, Influence.high,
     "hospital", {}),
    ("Maya", "Castillo", "she/her", "Nurse practitioner", 4, Stance.champion, Influence.medium,
     "FQHC, PrEP", {}),
    ("Jordan", "Blake", "they/them", "Housing navigator", 5, Stance.champion, Influence.low,
     "housing", {}),
    ("Helen", "Morrow", "she/her", "Executive director", 6, Stance.ally, Influence.medium,
     "food", {}),
    ("Father Tomás", "Reyes", "he/him", "Pastor", 7, Stance.skeptic, Influence.medium,
     "faith", {}),
    ("Rev. Claire", "Lindqvist", "she/her", "Minister", 8, Stance.champion, Influence.medium,
     "faith, ally", {}),
    ("Bob", "Kessler", "he/him", "Association president", 9, Stance.challenger,
     Influence.medium, "neighbors, siting", {}),
    ("Patricia", "Nguyen", "she/her", "Association secretary", 9, Stance.neutral,
     Influence.low, "neighbors", {}),
    ("Steve", "Ramirez", "he/him", "Owner, Millrace Hardware", 10, Stance.skeptic,
     Influence.medium, "business", {}),
    ("Angela", "Price", "she/her", "Superintendent", 11, Stance.unknown, Influence.high,
     "schools", {}),
    ("Priya", "Sandoval", "she/her", "Health reporter", 12, Stance.neutral, Influence.high,
     "press", {"is_media": True, "beat": "Health and county government",
               "coverage_area": "Riverbend and Ash County",
               "approach_notes": "Email first with data attached; on deadline by 3pm. "
                                 "Prefers on-record sources."}),
    ("Marcus", "Webb", "he/him", "Metro editor", 12, Stance.skeptic, Influence.high,
     "press", {"is_media": True, "beat": "City hall", "coverage_area": "Riverbend",
               "approach_notes": "Call the newsroom line; wants neighborhood voices."}),
    ("Lena", "Hoffman", "she/her", "Reporter and host", 13, Stance.ally, Influence.medium,
     "press, radio", {"is_media": True, "beat": "Public health",
                      "coverage_area": "Tri-county listening area",
                      "approach_notes": "Likes long interviews; text to schedule."}),
    ("Sam", "Whitaker", "he/him", "Freelance writer", None, Stance.unknown, Influence.low,
     "press", {"is_media": True, "beat": "Drug policy", "coverage_area": "Statewide",
               "approach_notes": "Pitch by email with a person-first story angle."}),
    ("Denise", "Carter", "she/her", "Policy director", 14, Stance.champion, Influence.high,
     "coalition", {}),
    ("Ellen", "Park", "she/her", "Program officer", 15, Stance.ally, Influence.high,
     "funder", {}),
    ("Walter", "Briggs", "he/him", "Neighbor on Canal Street", None, Stance.challenger,
     Influence.low, "neighbors, siting", {"do_not_contact": True}),
    ("Rosa", "Delgado", "she/her", "Neighbor, block captain", None, Stance.ally,
     Influence.low, "neighbors", {}),
]


# Records entered twice, as happens: from a sign-in sheet, and by a colleague who didn't search
# first. The likely duplicates page finds them. (the copy, and the name of the original)
DUPLICATE_ORGANIZATIONS = [("The Riverbend Food Shelf, Inc.", "Riverbend Food Shelf")]
DUPLICATE_CONTACTS = [("Pat", "Nguyen", "Secretary", ("Patricia", "Nguyen"),
                       "Open house sign-in sheet, 2025")]


def seed() -> None:
    """The demo story's organizations and contacts, with a few stance changes, a couple of
    records entered twice, and the likely duplicates found."""
    people = team()
    owner = {u.email.split("@")[0]: u for u in people}
    liaison = owner.get("dana.reyes") or (people[0] if people else None)
    orgs = []
    for name, kind, sphere, phone, tags in ORGANIZATIONS:
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
        orgs.append(save_organization(None, {
            "name": name, "type": kind, "sphere": sphere, "phone": parse_phone(phone),
            "email": f"info@{slug}.example", "tags": tags, "owner_id": getattr(liaison, "id", None),
            "source": "Community mapping, 2025",
            "stance": ORG_STANCES.get(name, Stance.unknown),
        }, liaison))
    for i, (first, last, pronouns, title, org_i, stance, influence, tags, extra) in enumerate(
            CONTACTS):
        org = orgs[org_i] if org_i is not None else None
        handle = f"{first.split()[-1]}.{last}".lower().replace("á", "a").replace("é", "e")
        owner_user = people[i % len(people)] if people else None
        data = ContactData(
            first_name=first, last_name=last, pronouns=pronouns, title=title,
            organization_id=org.id if org else None,
            sphere=org.sphere if org else (Sphere.media if extra.get("is_media")
                                           else Sphere.neighbors),
            emails=[f"{handle}@example.org"], phones=[f"+1555210{1000 + i:04d}"],
            tags=tags, owner_id=getattr(owner_user, "id", None), stance=Stance.unknown,
            influence=influence, preferred_channel=Channel.email,
            source="Met at the 2025 open house" if i % 3 == 0 else "Community mapping",
            **extra)
        contact = create_contact(data, liaison)
        if stance != Stance.unknown:
            set_stance(contact, stance, influence,
                                "After our first conversation", liaison)
    for name, original_name in DUPLICATE_ORGANIZATIONS:
        original = next(i for i, o in enumerate(ORGANIZATIONS) if o[0] == original_name)
        kind, sphere, phone = ORGANIZATIONS[original][1:4]
        save_organization(None, {"name": name, "type": kind, "sphere": sphere,
                                 "phone": parse_phone(phone), "source": "Imported list"},
                          liaison)
    for first, last, title, original_name, source in DUPLICATE_CONTACTS:
        original = next(i for i, c in enumerate(CONTACTS) if c[:2] == original_name)
        org_i = CONTACTS[original][4]
        create_contact(ContactData(
            first_name=first, last_name=last, title=title, source=source,
            organization_id=orgs[org_i].id if org_i is not None else None,
            phones=[f"+1555210{1000 + original:04d}"]), liaison)
    db.session.flush()
    for kind in (duplicates.CONTACT, duplicates.ORGANIZATION):
        duplicates.sweep(kind)


def _values(name: str, words: list[str]) -> str:
    """A numbered list of constant words as a common table expression: (k, word)."""
    rows = ", ".join(f"({k}, '{w}')" for k, w in enumerate(words))
    return f"{name}(k, word) AS (VALUES {rows})"


def scale(n: int) -> dict[str, int]:
    """Bulk-insert n contacts (and n/20 organizations) with emails, phones and a first stance
    entry. The database generates the contact rows itself (INSERT ... SELECT over a counter):
    building and binding 50,000 Python rows took longer than writing them."""
    rng = random.Random(42)
    sqlite = dialect() == "sqlite"
    users = [u.id for u in team()] or [None]
    now = utcnow()
    n_orgs = max(n // 20, 1)
    first_org = (db.session.scalar(select(func.max(Organization.id))) or 0) + 1
    org_types, spheres = list(OrgType), list(Sphere)
    org_rows = [{
        "id": first_org + i, "name": f"{rng.choice(ORG_WORDS)} {rng.choice(ORG_KINDS)} {i}",
        "type": org_types[i % len(org_types)].value, "sphere": spheres[i % len(spheres)].value,
        "tags": ",scale,", "do_not_contact": False, "created_at": now, "updated_at": now,
    } for i in range(n_orgs)]
    db.session.execute(Organization.__table__.insert(), org_rows)
    first = (db.session.scalar(select(func.max(Contact.id))) or 0) + 1
    stamp = now.replace(tzinfo=None).isoformat(sep=" ") if sqlite else now
    params = {"first": first, "n": n, "lo": first, "hi": first + n - 1, "first_org": first_org,
              "n_orgs": n_orgs, "now": stamp, "today": now.date().isoformat()}
    owner = "CASE i % " + str(len(users)) + " " + " ".join(
        f"WHEN {k} THEN {u if u is not None else 'NULL'}" for k, u in enumerate(users)) + " END"
    stance = "CASE (i * 13) % 6 " + " ".join(
        f"WHEN {k} THEN '{s.value}'" for k, s in enumerate(Stance)) + " END"
    influence = "CASE (i * 17) % 3 " + " ".join(
        f"WHEN {k} THEN '{v.value}'" for k, v in enumerate(Influence)) + " END"
    # Digits of the phone number (+1 555 3xx xxxx), as the search text holds them.
    phone = "(5553000000 + (:first + i) % 7000000)"
    days_ago = ("date(:today, '-' || ((i * 31) % 400) || ' days')" if sqlite
                else "CAST(:today AS date) - (i * 31) % 400")
    counter = ("seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :n)" if sqlite
               else "seq(i) AS (SELECT generate_series(0, CAST(:n AS integer) - 1))")
    # Every piece formatted into the SQL below is a constant of this module or an integer.
    db.session.execute(text(
        f"WITH RECURSIVE {counter}, {_values('fn', FIRST_NAMES)}, "  # noqa: S608
        f"{_values('ln', LAST_NAMES)}, {_values('tg', TAGS)} "
        "INSERT INTO contacts (id, first_name, last_name, sort_name, organization_id, sphere, "
        "tags, owner_id, do_not_contact, stance, influence, is_media, created_at, updated_at, "
        "last_contact_on, last_open_contact_on, search_text) "
        "SELECT :first + i, fn.word, ln.word, lower(ln.word || ' ' || fn.word), o.id, o.sphere, "
        f"',' || tg.word || ',', {owner}, false, {stance}, {influence}, o.type = 'media', "
        f":now, :now, {days_ago}, {days_ago}, "
        "fn.word || ' ' || ln.word || ' ' || o.name || ' ' "
        "|| lower(fn.word || '.' || ln.word || '.' || (:first + i)) || '@example.org ' "
        "|| lower(fn.word) || ' ' || lower(ln.word) || ' ' || (:first + i) || ' example org ' "
        f"|| '1' || {phone} || ' ' || {phone} || ' ' || tg.word "
        "FROM seq JOIN fn ON fn.k = (i * 7) % 26 "
        "JOIN ln ON ln.k = (i * 11 + i / 26) % 26 "
        f"JOIN tg ON tg.k = (i * 5) % {len(TAGS)} "
        "JOIN organizations o ON o.id = :first_org + i % :n_orgs"), params)
    # Emails, phones and first stance entries follow from the rows just written.
    db.session.execute(text(
        "INSERT INTO contact_emails (contact_id, email) SELECT id, lower(first_name "
        "|| '.' || last_name || '.' || id || '@example.org') "
        "FROM contacts WHERE id BETWEEN :lo AND :hi"), params)
    db.session.execute(text(
        "INSERT INTO contact_phones (contact_id, number) "
        "SELECT id, '+1555' || (3000000 + id % 7000000) "
        "FROM contacts WHERE id BETWEEN :lo AND :hi"), params)
    db.session.execute(text(
        "INSERT INTO stance_changes (contact_id, at, to_stance, to_influence, reason) "
        "SELECT id, :now, stance, influence, 'Added' FROM contacts "
        "WHERE id BETWEEN :lo AND :hi"), params)
    if not sqlite:
        for table in ("organizations", "contacts"):
            sql = f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"  # noqa: S608
            db.session.execute(text(sql))
    return {"organizations": n_orgs, "contacts": n}


ORG_WORDS = ["Riverbend", "Ash County", "Millrace", "Northside", "Canal Street", "Prairie",
             "Lakeview", "Union", "Heritage", "Cedar"]
ORG_KINDS = ["Clinic", "Church", "Council Office", "Neighborhood Association", "Food Shelf",
             "Gazette", "Coalition", "Housing Services", "Business Alliance", "School"]
FIRST_NAMES = ["Alex", "Bea", "Carlos", "Dana", "Eli", "Fatima", "Grace", "Hector", "Imani",
               "Jonah", "Keisha", "Liam", "Mei", "Noah", "Olga", "Pedro", "Quinn", "Rosa",
               "Sofia", "Tariq", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe"]
LAST_NAMES = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Flores", "Garcia", "Hughes", "Ito",
              "Jensen", "Khan", "Lopez", "Moore", "Nakamura", "Ortiz", "Patel", "Quintero",
              "Rivera", "Singh", "Torres", "Usman", "Vargas", "Walker", "Xu", "Young", "Zimmer"]
TAGS = ["council", "housing", "faith", "press", "schools", "business", "health", "neighbors"]
