"""Panels an app adds to another app's object page (the core knows no app).

An app registers, from its AppConfig.ready():

    @panels.panel("documents.Document", order=50)
    def roles_panel(request, document) -> panels.Panel | None:
        return panels.Panel(title="Training", template="training/_document_panel.html", context={...})

and the page that shows the object calls the template tag
`{% object_panels object %}` (qms/templatetags/qms_panels.py), which renders
every panel registered for the object's model whose function returns a Panel
(None: nothing to show to this user). A panel function runs a fixed number of
queries and checks its own rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)


_PANELS: dict[str, list[tuple[int, Callable]]] = {}


def panel(model_label: str, *, order: int = 50):
    """Register `func(request, obj) -> Panel | None` for objects of `model_label` ("app.Model")."""

    def register(func):
        entries = _PANELS.setdefault(model_label.lower(), [])
        if all(f is not func for _, f in entries):
            entries.append((order, func))
            entries.sort(key=lambda e: e[0])
        return func

    return register


def panels_for(request, obj) -> list[Panel]:
    label = obj._meta.label_lower
    out = []
    for _, func in _PANELS.get(label, []):
        found = func(request, obj)
        if found is not None:
            out.append(found)
    return out
