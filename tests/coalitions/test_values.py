"""The program's values on the Settings page: seeded with the guidance's twelve, added,
reworded, reordered and retired by admins only, every change audited."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.coalitions import alignment
from app.coalitions.models import Rating
from app.extensions import db
from app.settings import values as program_values
from app.settings.models import ProgramValue
from tests import factories


def _names() -> list[str]:
    return [v.name for v in program_values.active_values()]


def test_the_list_starts_as_the_guidance(values):
    assert _names() == list(program_values.GUIDANCE_VALUES)
    assert len(values) == 12
    assert "Reducing shame, bias and stigma" in _names()
    assert program_values.seed_guidance_values() == 0  # never twice


def test_migration_and_code_agree_on_the_guidance():
    """Migration 0011 writes the list itself (it may not import the app): the same twelve."""
    import ast
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "migrations/versions/0011_coalitions.py"
    tree = ast.parse(path.read_text())
    written = next(ast.literal_eval(node.value) for node in ast.walk(tree)
                   if isinstance(node, ast.Assign)
                   and getattr(node.targets[0], "id", "") == "GUIDANCE_VALUES")
    assert written == program_values.GUIDANCE_VALUES


def test_admin_adds_rewords_moves_and_retires(as_admin, values):
    page = as_admin.get("/admin/settings/values")
    assert page.status_code == 200 and "Cultural humility" in page.text
    assert "/admin/settings/values" in as_admin.get("/admin/settings/").text

    added = as_admin.post("/admin/settings/values", data={"name": "  Joy   in the work "})
    assert added.status_code == 303
    assert _names()[-1] == "Joy in the work"
    for name, message in [("", "Name the value."), ("x" * 201, "longer than 200"),
                          ("equity", "That value is already on the list.")]:
        refused = as_admin.post("/admin/settings/values", data={"name": name})
        assert refused.status_code == 422 and message in refused.text, name
    assert len(_names()) == 13

    equity = next(v for v in values if v.name == "Equity")
    renamed = as_admin.post(f"/admin/settings/values/{equity.id}",
                            data={f"value-{equity.id}-name": "Equity and justice"})
    assert renamed.status_code == 303
    clash = as_admin.post(f"/admin/settings/values/{equity.id}",
                          data={f"value-{equity.id}-name": "Service"})
    assert clash.status_code == 422
    assert "That value is already on the list." in clash.text
    assert f'id="value-{equity.id}-name-error"' in clash.text
    db.session.refresh(equity)
    assert equity.name == "Equity and justice"

    first, second = values[0], values[1]
    as_admin.post(f"/admin/settings/values/{second.id}/move", data={"direction": "up"})
    assert _names()[:2] == [second.name, first.name]
    as_admin.post(f"/admin/settings/values/{second.id}/move", data={"direction": "up"})
    assert _names()[0] == second.name  # already first: stays

    as_admin.post(f"/admin/settings/values/{first.id}/active", data={"active": "0"})
    assert first.name not in _names()
    assert first.name in as_admin.get("/admin/settings/values").text  # listed as retired
    as_admin.post(f"/admin/settings/values/{first.id}/active", data={"active": "1"})
    assert first.name in _names()
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("settings.value%")).order_by(AuditEvent.id)))
    assert actions == ["settings.value_add", "settings.value_rename", "settings.value_move",
                       "settings.value_retire", "settings.value_restore"]


def test_values_are_admin_only(as_liaison, as_staff, values):
    for client in (as_liaison, as_staff):
        assert client.get("/admin/settings/values").status_code == 403
        assert client.post("/admin/settings/values", data={"name": "x"}).status_code == 403
        assert client.post(f"/admin/settings/values/{values[0].id}/active",
                           data={"active": "0"}).status_code == 403
    assert db.session.scalar(select(ProgramValue).where(ProgramValue.name == "x")) is None


def test_a_retired_value_keeps_its_evidence_but_leaves_the_summary(as_admin, values):
    coalition = factories.make_coalition()
    alignment.save_alignment({values[0].id: alignment.Entry(Rating.conflicts, "Said so", None)},
                             None, coalition=coalition)
    db.session.commit()
    assert alignment.summary_of(coalition_id=coalition.id).conflicts == 1
    as_admin.post(f"/admin/settings/values/{values[0].id}/active", data={"active": "0"})
    assert alignment.summary_of(coalition_id=coalition.id).assessed == 0
    assert alignment.alignments_of(coalition_id=coalition.id)[values[0].id].evidence == "Said so"
