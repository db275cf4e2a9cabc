"""Imports in the scope walk's world (tests/auditor/scope_world.py).

An import run belongs to no clause: it is the quality manager's migration
record, refused to the external auditor whatever the side, so both sides
share one (a people import: nothing else needed)."""

from __future__ import annotations

from intake import services


def build(w, *, quality_manager, author, approver, staff, auditor, external_auditor):
    w["import_run"] = services.create_run(
        actor=quality_manager, kind="people", register_name="people.csv",
        register_data=b"username,full name,email,department,roles,login\nwalk.person,Walk Person,walk@example.com,,,none\n")


def path_kwargs(name, side, w):
    if not name.startswith("intake:"):
        return None
    return {"pk": w["import_run"].pk}, True


def markers(w) -> list[str]:
    return []


def trail_targets(w, side) -> list:
    return []
