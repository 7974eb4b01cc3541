"""Demo notes and commitments for Riverbend Harm Reduction (ordinary and sensitive), and
`scale(n)`: about ten notes per contact, bulk-inserted, for benchmarks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text

from app.auth.demo import team
from app.database import utcnow
from app.extensions import db, dialect
from app.notes import services
from app.notes.models import CommitmentStatus, Note
from app.people.models import Channel, Contact
from app.settings import clock

# last name of the contact, days ago, channel, summary, body, sensitive
NOTES = [
    ("Alvarez", 12, Channel.meeting, "Budget hearing prep with Council member Alvarez",
     "She will **ask for the county overdose data** at the hearing and wants a one-page "
     "summary of syringe disposal numbers.", False),
    ("Pike", 20, Channel.public_comment, "Council member Pike spoke against the Millrace site",
     "Raised concerns about discarded syringes near the park. We offered a tour and the "
     "disposal kiosk data.", False),
    ("Pike", 18, Channel.call, "Call with Pike's aide about his constituent complaints",
     "Aide shared that a family member of the council member is in recovery. Do not raise "
     "this; it explains how personal the issue is for him.", True),
    ("Okonkwo", 5, Channel.meeting, "Quarterly data review with the health officer",
     "Hepatitis C testing referrals up 30%. She'll co-present at the open house.", False),
    ("Kessler", 40, Channel.event, "Neighborhood association meeting: siting questions",
     "Thirty neighbors attended. Questions about hours and litter. Agreed to add a "
     "Saturday clean-up walk.", False),
    ("Kessler", 35, Channel.email, "Kessler's email threatening to contact the landlord",
     "Tone was hostile; forwarded to our director. Keep all replies factual and brief.", True),
    ("Sandoval", 8, Channel.email, "Priya asked for comment on the county overdose report",
     "Sent statement and offered an interview with a peer worker (with consent).", False),
    ("Webb", 60, Channel.call, "Metro editor wants neighborhood voices",
     "Suggested Rosa Delgado, who volunteers at clean-up walks.", False),
    ("Reyes", 45, Channel.meeting, "Coffee with Father Reyes",
     "He worries about parishioners' kids. Shared naloxone training offer for the youth "
     "ministers.", False),
    ("Lindqvist", 15, Channel.event, "First Unitarian hosted naloxone training",
     "22 people trained; Rev. Lindqvist wants to make it quarterly.", False),
    ("Greer", 90, Channel.meeting, "ED bridge referrals",
     "Discussed warm handoffs for people leaving the ED after an overdose.", False),
    ("Hutchins", 70, Channel.meeting, "Meeting with Captain Hutchins on the participant card",
     "He'll brief patrol on the participant card. Mentioned one officer's complaint about a "
     "participant by name; we declined to discuss any participant.", True),
    ("Park", 25, Channel.call, "Foundation check-in",
     "Renewal letter due next quarter; she liked the community clean-up story.", False),
]

# last name, what, due in days (negative = overdue), status
COMMITMENTS = [
    ("Alvarez", "Send a one-page summary of syringe disposal numbers", 3, CommitmentStatus.open),
    ("Pike", "Offer Council member Pike a tour outside service hours", -4,
     CommitmentStatus.open),
    ("Kessler", "Start a monthly Saturday clean-up walk in Millrace", 10, CommitmentStatus.open),
    ("Reyes", "Schedule naloxone training for St. Brigid youth ministers", 21,
     CommitmentStatus.open),
    ("Sandoval", "Connect Priya with a peer worker willing to be interviewed", -1,
     CommitmentStatus.open),
    ("Okonkwo", "Share hepatitis C referral numbers for the open house", -10,
     CommitmentStatus.kept),
    ("Ramirez", "Install a second disposal kiosk by the hardware store", -20,
     CommitmentStatus.explained),
]


def seed() -> None:
    """Notes (some sensitive), the commitments register, and recent contact dates."""
    people = team()
    liaison = next((u for u in people if u.sees_sensitive), people[0] if people else None)
    staff = next((u for u in people if not u.sees_sensitive), liaison)
    by_last = {c.last_name: c for c in db.session.scalars(select(Contact))}
    today = clock.today()
    for last, days_ago, channel, summary, body, sensitive in NOTES:
        contact = by_last.get(last)
        if contact is None:
            continue
        author = liaison if sensitive else (staff if days_ago % 2 else liaison)
        services.log_note({
            "occurred_on": today - timedelta(days=days_ago), "channel": channel,
            "summary": summary, "body": body, "sensitive": sensitive,
            "body_format": "markdown" if "**" in body else "plain",
        }, [contact.id], [contact.organization_id] if contact.organization_id else [], author)
    for i, (last, what, due_in, status) in enumerate(COMMITMENTS):
        contact = by_last.get(last)
        if contact is None:
            continue
        owner = people[i % len(people)] if people else None
        commitment = services.create_commitment({
            "what": what, "contact_id": contact.id,
            "organization_id": contact.organization_id,
            "owner_id": getattr(owner, "id", None), "due_on": today + timedelta(days=due_in),
        }, liaison)
        if status != CommitmentStatus.open:
            services.close_commitment(
                commitment, status, liaison, explained_on=today - timedelta(days=18),
                explained_how="Called him and followed up in writing: the city owns that "
                              "sidewalk, and we asked public works together instead.")


def scale(n: int) -> dict[str, int]:
    """Ten notes for each of the last n contacts (one in ten sensitive), generated by the
    database itself in one INSERT ... SELECT: a Python loop can't reach 50,000 notes a second.
    Full-text indexing waits for the end of the load (app.people.search.bulk_load)."""
    max_contact = db.session.scalar(select(func.max(Contact.id))) or 0
    lo, hi = max(max_contact - n + 1, 1), max_contact
    first = (db.session.scalar(select(func.max(Note.id))) or 0) + 1
    users = [u.id for u in team()] or [None]
    sqlite = dialect() == "sqlite"
    now = utcnow()
    params = {"first": first, "lo": lo, "hi": hi, "today": now.date().isoformat(),
              "now": now.replace(tzinfo=None).isoformat(sep=" ") if sqlite else now}
    ten = " UNION ALL ".join(f"SELECT {i} AS i" for i in range(10))
    seed = "(c.id * 37 + k.i * 101)"
    topic = "CASE " + seed + f" % {len(TOPICS)} " + " ".join(
        f"WHEN {i} THEN '{t}'" for i, t in enumerate(TOPICS)) + " END"
    # A made-up place name of three syllables (64,000 of them): each one turns up in a
    # handful of notes, as a street, a person or a venue does in real notes.
    syllables = "".join(SYLLABLES)
    place = " || ".join(
        f"substr('{syllables}', 1 + 2 * ((c.id * {m} + k.i * {a}) % {len(SYLLABLES)}), 2)"
        for m, a in ((7, 3), (13, 17), (29, 5)))
    channel = "CASE (c.id + k.i) % 4 WHEN 0 THEN 'meeting' WHEN 1 THEN 'call' " \
              "WHEN 2 THEN 'email' ELSE 'event' END"
    author = "CASE (c.id + k.i) % " + str(len(users)) + " " + " ".join(
        f"WHEN {i} THEN {u if u is not None else 'NULL'}" for i, u in enumerate(users)) + " END"
    day = (f"date(:today, '-' || ({seed} % 730) || ' days')" if sqlite
           else f"CAST(:today AS date) - ({seed} % 730)")
    note_id = ":first + (c.id - :lo) * 10 + k.i"
    # Every piece formatted into the SQL below is a constant or an integer from the database.
    db.session.execute(text(
        "INSERT INTO notes (id, occurred_on, channel, summary, body, body_format, sensitive, "  # noqa: S608
        "author_id, created_at, updated_at) "
        f"SELECT {note_id}, {day}, {channel}, {topic} || ' follow-up', "
        f"'Talked about ' || {topic} || ' near ' || {place} || ' and next steps.', 'plain', "
        f"(c.id + k.i) % 10 = 0, {author}, :now, :now "
        f"FROM contacts c CROSS JOIN ({ten}) k WHERE c.id BETWEEN :lo AND :hi"
    ), params)
    db.session.execute(text(
        f"INSERT INTO note_contacts (note_id, contact_id) SELECT {note_id}, c.id "  # noqa: S608
        f"FROM contacts c CROSS JOIN ({ten}) k WHERE c.id BETWEEN :lo AND :hi"), params)
    # The latest note is the one with the smallest "days ago" of the ten: worked out from the
    # same formula instead of a correlated max() over 500,000 notes.
    # Staff's date leaves out each contact's sensitive note (the k with (id + k) % 10 = 0).
    least = "min" if sqlite else "least"
    ago = [f"(id * 37 + {k * 101}) % 730" for k in range(10)]
    recent = f"{least}({', '.join(ago)})"
    open_ago = [f"CASE WHEN (id + {k}) % 10 = 0 THEN 9999 ELSE {a} END" for k, a in enumerate(ago)]
    recent_open = f"{least}({', '.join(open_ago)})"

    def days_ago(expression: str) -> str:
        return (f"date(:today, '-' || {expression} || ' days')" if sqlite
                else f"CAST(:today AS date) - {expression}")

    db.session.execute(text(
        f"UPDATE contacts SET last_contact_on = {days_ago(recent)}, "  # noqa: S608
        f"last_open_contact_on = {days_ago(recent_open)} WHERE id BETWEEN :lo AND :hi"), params)
    if dialect() == "postgresql":
        db.session.execute(text("SELECT setval('notes_id_seq', (SELECT max(id) FROM notes))"))
    return {"notes": (hi - lo + 1) * 10 if hi >= lo else 0}


SYLLABLES = ["ba", "ko", "mi", "ra", "te", "lu", "no", "sa", "vi", "de", "fo", "ga", "hu",
             "ji", "ka", "le", "ma", "ne", "po", "ri", "su", "to", "va", "we", "yo", "za",
             "bi", "ce", "du", "fe", "go", "ha", "ki", "lo", "mu", "ni", "pe", "ro", "si", "tu"]
TOPICS = ["naloxone training", "the open house", "syringe disposal", "budget hearing",
          "hepatitis C testing", "the tour schedule", "neighborhood clean-up", "housing referrals",
          "the county data report", "a press inquiry", "fentanyl test strips", "peer workers"]
