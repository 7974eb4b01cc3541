"""vCard files (.vcf, versions 2.1, 3.0 and 4.0, any number of cards) read with vobject into
the same rows and columns a CSV gives, so the column mapping, preview and import are one
path for both. One card that can't be read is one row with a problem, not a refused file.
"""

from __future__ import annotations

import re

import vobject

# The columns a card becomes, always all of them (so the remembered mapping of one phone's
# export fits the next), with the field each goes to unless the person says otherwise.
VCARD_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Name prefix (N)", "name_prefix"),
    ("First name (N)", "first_name"),
    ("Middle name (N)", "middle_name"),
    ("Last name (N)", "last_name"),
    ("Name suffix (N)", "name_suffix"),
    ("Full name (FN)", "name"),
    ("Nickname (NICKNAME)", None),
    ("Organization (ORG)", "organization"),
    ("Department (ORG)", None),
    ("Job title (TITLE)", "title"),
    ("Role (ROLE)", None),
    ("Emails (EMAIL)", "emails"),
    ("Phones (TEL)", "phones"),
    ("Address (ADR)", "address"),
    ("Website (URL)", "website"),
    ("Categories (CATEGORIES)", "tags"),
    ("Note (NOTE)", "background"),
    ("Birthday (BDAY)", None),
)
HEADERS = [h for h, _ in VCARD_COLUMNS]

_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.I | re.M)
_END = re.compile(r"^END:VCARD\s*$", re.I | re.M)
# Photos and sounds are most of a phone's export and nothing we keep: dropped before parsing
# (the property line and its folded continuation lines).
_BULKY = re.compile(r"^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:][^\n]*\n(?:[ \t][^\n]*\n)*",
                    re.I | re.M)
# vCard 2.1 (what many Android phones write), and careless 3.0 writers, don't escape commas in
# text, but vobject reads an unescaped comma as the end of the value: "Met at the vigil,
# August." would lose its end.
_TEXT = re.compile(r"^((?:[\w-]+\.)?(?:NOTE|TITLE|ROLE|FN|ORG|URL)(?:;[^:\n]*)?:)(.*)$",
                   re.I)


def _escape_commas(chunk: str) -> str:
    """A card with its quoted-printable soft line breaks (2.1) joined and the commas of its
    single-valued text properties escaped, as 3.0 should write them."""
    lines: list[str] = []
    for line in chunk.split("\n"):
        if lines and "QUOTED-PRINTABLE" in lines[-1].upper().split(":", 1)[0] \
                and lines[-1].endswith("="):
            lines[-1] = lines[-1][:-1] + line
        else:
            lines.append(line)
    for index, line in enumerate(lines):
        match = _TEXT.match(line)
        if match:
            lines[index] = match.group(1) + re.sub(r"(?<!\\),", r"\\,", match.group(2))
    return "\n".join(lines)


def looks_like_vcard(text: str) -> bool:
    """True when the text starts (after blank lines) with a vCard."""
    return bool(re.match(r"\s*BEGIN:VCARD\s*$", text[:200], re.I | re.M))


def _texts(card, name: str) -> list[str]:
    return [v.value for v in card.contents.get(name, []) if isinstance(v.value, str)]


def _joined(values) -> str:
    if isinstance(values, (list, tuple)):
        return " ".join(str(v).strip() for v in values if str(v).strip())
    return str(values or "").strip()


def _address(value) -> str:
    """An ADR as one line: street (all its lines), city, region, postal code, country."""
    if isinstance(value, str):
        return ", ".join(p.strip() for p in value.split(";") if p.strip())
    parts = [value.box, value.extended, value.street, value.city, value.region, value.code,
             value.country]
    lines = []
    for part in parts:
        for line in re.split(r"[\r\n]+", _joined(part)):
            if line.strip():
                lines.append(line.strip())
    return ", ".join(lines)


def _phone(value: str) -> str:
    # vCard 4.0 writes numbers as URIs: "tel:+1-555-210-2000;ext=12".
    return re.sub(r"^tel:", "", value.strip(), flags=re.I).split(";")[0]


def _is_organization(card) -> bool:
    kind = " ".join(_texts(card, "kind") + _texts(card, "x-abshowas")).lower()
    return "org" in kind or "company" in kind or "group" in kind


def card_cells(card) -> list[str]:
    """One card as cells in the order of HEADERS."""
    cells = dict.fromkeys(HEADERS, "")
    names = card.contents.get("n", [])
    if names and not isinstance(names[0].value, str):
        n = names[0].value
        cells["Name prefix (N)"] = _joined(n.prefix)
        cells["First name (N)"] = _joined(n.given)
        cells["Middle name (N)"] = _joined(n.additional)
        cells["Last name (N)"] = _joined(n.family)
        cells["Name suffix (N)"] = _joined(n.suffix)
    orgs = [v.value for v in card.contents.get("org", [])]
    if orgs:
        # ORG is "name;unit;unit", each part perhaps a list if commas slipped through.
        org = [", ".join(p) if isinstance(p, list) else str(p)
               for p in (orgs[0] if isinstance(orgs[0], list) else [orgs[0]])]
        cells["Organization (ORG)"] = (org[0] if org else "").strip()
        cells["Department (ORG)"] = _joined(org[1:])
    full = (_texts(card, "fn") or [""])[0].strip()
    # A company's card (Apple's "show as company", vCard 4's KIND:org) names the organization
    # in FN: it is not a person's name.
    if _is_organization(card) or (full and full == cells["Organization (ORG)"]
                                  and not cells["First name (N)"]
                                  and not cells["Last name (N)"]):
        full = ""
    cells["Full name (FN)"] = full
    cells["Nickname (NICKNAME)"] = ", ".join(_joined(v.value) for v in
                                             card.contents.get("nickname", []))
    cells["Job title (TITLE)"] = (_texts(card, "title") or [""])[0]
    cells["Role (ROLE)"] = (_texts(card, "role") or [""])[0]
    cells["Emails (EMAIL)"] = "\n".join(e.strip() for e in _texts(card, "email"))
    cells["Phones (TEL)"] = "\n".join(_phone(t) for t in _texts(card, "tel"))
    addresses = card.contents.get("adr", [])
    if addresses:
        cells["Address (ADR)"] = _address(addresses[0].value)
    cells["Website (URL)"] = (_texts(card, "url") or [""])[0]
    categories = []
    for item in card.contents.get("categories", []):
        values = item.value if isinstance(item.value, list) else str(item.value).split(",")
        categories.extend(str(v) for v in values)
    cells["Categories (CATEGORIES)"] = ", ".join(c.strip() for c in categories if c.strip())
    cells["Note (NOTE)"] = "\n\n".join(n.strip() for n in _texts(card, "note"))
    birthday = [v.value for v in card.contents.get("bday", [])]
    cells["Birthday (BDAY)"] = str(birthday[0]) if birthday else ""
    return [cells[h] for h in HEADERS]


def read(text: str, max_cards: int) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    """The cards of a .vcf as (card number, cells) rows, and (card number, message) for
    each card that can't be read. Stops after `max_cards` + 1 cards (the caller refuses
    that many)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows: list[tuple[int, list[str]]] = []
    problems: list[tuple[int, str]] = []
    for number, begin in enumerate(_BEGIN.finditer(text), start=1):
        end = _END.search(text, begin.end())
        if end is None:
            problems.append((number, "This card has no END:VCARD line; the file may be cut "
                                   "short."))
            break
        chunk = _BULKY.sub("", text[begin.start():end.end()] + "\n")
        chunk = _escape_commas(chunk)
        try:
            card = vobject.readOne(chunk, ignoreUnreadable=True)
            cells = card_cells(card)
        except Exception as exc:  # vobject raises many kinds on a malformed card
            problems.append((number, f"This card couldn't be read ({type(exc).__name__})."))
            continue
        if any(c.strip() for c in cells):
            rows.append((number, cells))
        if len(rows) + len(problems) > max_cards:
            break
    return rows, problems
