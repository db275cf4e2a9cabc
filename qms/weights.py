"""How much weight an audit programme gives a subject (a process, a department
or a clause) beyond its own findings and CAPAs: a hook the audits app asks and
another app (the risk register) answers, so neither imports the other.

An app registers a provider in its AppConfig.ready():

    @weights.provider
    def process_risk(subjects):  # {"process": [ids], "department": [ids], "clause": [ids]}
        return {("process", 3): (4, "risk score 20 (high)")}  # points and the reason shown

`for_subjects` sums the providers' points per subject (one call each, a fixed
number of queries). With no provider, or none answering for a subject, the
programme keeps its own weighting (the item's "high risk" flag).
"""

from __future__ import annotations

from collections.abc import Callable

Subject = tuple[str, int]
Weight = tuple[int, str]  # (points, reason)

_PROVIDERS: list[Callable[[dict[str, list[int]]], dict[Subject, Weight]]] = []


def provider(func):
    if func not in _PROVIDERS:
        _PROVIDERS.append(func)
    return func


def for_subjects(subjects: dict[str, list[int]]) -> dict[Subject, Weight]:
    out: dict[Subject, Weight] = {}
    for func in _PROVIDERS:
        for subject, (points, reason) in func(subjects).items():
            had = out.get(subject)
            out[subject] = (had[0] + points, f"{had[1]}; {reason}") if had else (points, reason)
    return out
